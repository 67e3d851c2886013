//! `weft::sync::mpsc`: order per sender, backpressure, cancelled sends that lose nothing,
//! `try_send`, the end of the stream, the receiver's drop and `close`, the blocking forms,
//! many producers on many workers, and the cooperative budget.

mod sync_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::Poll;
use sync_support::{Probe, WATCHDOG, within_watchdog};
use weft::runtime::Builder;
use weft::sync::mpsc::{self, SendError, TryRecvError, TrySendError};

/// Counts its drops.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

fn message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

#[test]
fn values_from_each_sender_arrive_in_the_order_it_sent_them() {
    within_watchdog(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        let (tx, mut rx) = mpsc::channel(4);
        let (utx, mut urx) = mpsc::unbounded_channel();
        for id in 0..4 {
            let (tx, utx) = (tx.clone(), utx.clone());
            rt.spawn(async move {
                for i in 0..500 {
                    tx.send((id, i)).await.unwrap();
                    utx.send((id, i)).unwrap();
                    if i % 7 == 0 {
                        weft::task::yield_now().await;
                    }
                }
            });
        }
        drop((tx, utx));
        rt.block_on(async move {
            let mut next = [0; 4];
            while let Some((id, i)) = rx.recv().await {
                assert_eq!(i, next[id], "bounded: sender {id} out of order");
                next[id] += 1;
            }
            assert_eq!(next, [500; 4]);
            let mut next = [0; 4];
            while let Some((id, i)) = urx.recv().await {
                assert_eq!(i, next[id], "unbounded: sender {id} out of order");
                next[id] += 1;
            }
            assert_eq!(next, [500; 4]);
        });
    });
}

#[test]
fn a_send_waits_while_the_channel_is_full_and_resumes_when_the_receiver_takes_one() {
    let (tx, mut rx) = mpsc::channel(2);
    tx.try_send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(tx.capacity(), 0);
    let mut third = Probe::new(tx.send(3));
    third.pending();
    third.pending();
    assert!(!third.woken(), "nothing was taken yet");
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(third.woken(), "taking a value wakes the waiting send");
    third.ready().unwrap();
    assert_eq!(rx.try_recv(), Ok(2));
    assert_eq!(rx.try_recv(), Ok(3));
    assert_eq!(tx.capacity(), 2);
}

#[test]
fn waiting_sends_get_room_in_the_order_they_started_waiting() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(0).unwrap();
    let mut a = Probe::new(tx.send(1));
    let mut b = Probe::new(tx.send(2));
    a.pending();
    b.pending();
    // Room is not taken by a newcomer while others wait.
    assert_eq!(tx.try_send(9), Err(TrySendError::Full(9)));
    assert_eq!(rx.try_recv(), Ok(0));
    assert!(a.woken());
    assert!(!b.woken(), "the first in line gets the room");
    a.ready().unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
    assert!(b.woken());
    b.ready().unwrap();
    assert_eq!(rx.try_recv(), Ok(2));
}

#[test]
fn a_cancelled_waiting_send_loses_nothing_and_gives_its_turn_away() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send("first").unwrap();
    let mut leaving = Probe::new(tx.send("never sent"));
    let mut staying = Probe::new(tx.send("second"));
    leaving.pending();
    staying.pending();
    assert_eq!(rx.try_recv(), Ok("first"));
    // The room went to `leaving`, which is dropped before it used it.
    assert!(leaving.woken());
    drop(leaving);
    assert!(staying.woken(), "the room is passed to the next in line");
    staying.ready().unwrap();
    assert_eq!(rx.try_recv(), Ok("second"));
    assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    assert_eq!(tx.capacity(), 1, "no slot was lost");

    // Dropped while still waiting (nothing granted yet): the one behind it moves up.
    tx.try_send("third").unwrap();
    let mut leaving = Probe::new(tx.send("never sent"));
    let mut staying = Probe::new(tx.send("fourth"));
    leaving.pending();
    staying.pending();
    drop(leaving);
    assert_eq!(rx.try_recv(), Ok("third"));
    assert!(staying.woken());
    staying.ready().unwrap();
    assert_eq!(rx.try_recv(), Ok("fourth"));
    assert_eq!(tx.capacity(), 1);
}

#[test]
fn a_dropped_recv_loses_no_value() {
    let (tx, mut rx) = mpsc::channel(1);
    {
        let mut recv = Probe::new(rx.recv());
        recv.pending();
    }
    tx.try_send(5).unwrap();
    let mut recv = Probe::new(rx.recv());
    assert_eq!(recv.ready(), Some(5));
}

#[test]
fn try_send_reports_full_then_closed_with_the_value() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
    assert_eq!(tx.try_send(3).unwrap_err().into_inner(), 3);
    rx.close();
    assert_eq!(tx.try_send(4), Err(TrySendError::Closed(4)));
    assert_eq!(rx.try_recv(), Ok(1));
    drop(rx);
    assert_eq!(tx.try_send(5), Err(TrySendError::Closed(5)));
}

#[test]
fn recv_returns_none_once_every_sender_is_dropped_and_the_buffer_is_drained() {
    let (tx, mut rx) = mpsc::channel(4);
    let tx2 = tx.clone();
    tx.try_send(1).unwrap();
    tx2.try_send(2).unwrap();
    drop(tx);
    let mut recv = Probe::new(async {
        let a = rx.recv().await;
        let b = rx.recv().await;
        let c = rx.recv().await;
        (a, b, c)
    });
    recv.pending(); // two values, then waits: tx2 is alive
    drop(tx2);
    assert!(recv.woken(), "the last sender's drop wakes the receiver");
    assert_eq!(recv.ready(), (Some(1), Some(2), None));
    drop(recv);
    assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    assert!(rx.is_closed());

    let (utx, mut urx) = mpsc::unbounded_channel();
    utx.send(1).unwrap();
    drop(utx);
    assert_eq!(urx.try_recv(), Ok(1));
    assert_eq!(urx.try_recv(), Err(TryRecvError::Disconnected));
    assert_eq!(futures_lite::future::block_on(urx.recv()), None);
}

#[test]
fn dropping_the_receiver_fails_senders_with_the_value_and_drops_what_is_buffered() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel(3);
    for _ in 0..3 {
        tx.try_send(Tracked(drops.clone())).unwrap();
    }
    let mut waiting = Probe::new(tx.send(Tracked(drops.clone())));
    waiting.pending();
    let mut closed = Probe::new(tx.closed());
    closed.pending();
    drop(rx);
    assert_eq!(
        drops.load(Ordering::SeqCst),
        3,
        "the buffered values were dropped"
    );
    assert!(tx.is_closed());
    assert!(waiting.woken());
    let SendError(back) = waiting.ready().unwrap_err();
    assert_eq!(
        drops.load(Ordering::SeqCst),
        3,
        "the waiting send's value is handed back"
    );
    drop(back);
    assert!(closed.woken());
    closed.ready();
    match tx.try_send(Tracked(drops.clone())) {
        Err(TrySendError::Closed(v)) => drop(v),
        other => panic!("expected Closed, got {other:?}"),
    }
    assert_eq!(drops.load(Ordering::SeqCst), 5);

    let (utx, urx) = mpsc::unbounded_channel();
    utx.send(Tracked(drops.clone())).unwrap();
    utx.send(Tracked(drops.clone())).unwrap();
    drop(urx);
    assert_eq!(drops.load(Ordering::SeqCst), 7);
    let err = utx.send(Tracked(drops.clone())).unwrap_err();
    assert_eq!(drops.load(Ordering::SeqCst), 7);
    drop(err.0);
    assert_eq!(drops.load(Ordering::SeqCst), 8);
}

#[test]
fn close_fails_waiting_and_later_sends_but_keeps_what_is_buffered() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut waiting = Probe::new(tx.send(2));
    waiting.pending();
    let mut closed = Probe::new(tx.closed());
    closed.pending();
    assert!(!tx.is_closed());
    rx.close();
    assert!(tx.is_closed() && rx.is_closed());
    assert!(closed.woken());
    closed.ready();
    assert!(waiting.woken());
    assert_eq!(waiting.ready(), Err(SendError(2)));
    assert!(futures_lite::future::block_on(tx.send(3)).is_err());
    // A `closed()` made after the close returns at once.
    futures_lite::future::block_on(tx.closed());
    assert_eq!(rx.len(), 1);
    let mut recv = Probe::new(async { (rx.recv().await, rx.recv().await) });
    assert_eq!(recv.ready(), (Some(1), None));

    let (utx, mut urx) = mpsc::unbounded_channel();
    utx.send(1).unwrap();
    urx.close();
    assert_eq!(utx.send(2), Err(SendError(2)));
    assert_eq!(urx.try_recv(), Ok(1));
    assert_eq!(urx.try_recv(), Err(TryRecvError::Disconnected));
}

#[test]
fn a_send_granted_room_that_has_not_pushed_when_the_receiver_closes_gets_its_value_back() {
    let (tx, mut rx) = mpsc::channel(1);
    tx.try_send(1).unwrap();
    let mut granted = Probe::new(tx.send(2));
    granted.pending();
    assert_eq!(rx.try_recv(), Ok(1)); // the room goes to `granted`, not polled yet
    rx.close();
    // Nothing can come after the close, so the stream ends at once.
    let mut recv = Probe::new(rx.recv());
    assert_eq!(recv.ready(), None);
    assert_eq!(granted.ready(), Err(SendError(2)));
    assert_eq!(tx.capacity(), 1, "its slot went back");
}

#[test]
fn len_capacity_and_is_empty_count_the_buffer() {
    let (tx, mut rx) = mpsc::channel(3);
    assert!(rx.is_empty());
    assert_eq!((tx.capacity(), tx.max_capacity()), (3, 3));
    tx.try_send('a').unwrap();
    tx.try_send('b').unwrap();
    assert_eq!((rx.len(), tx.capacity(), rx.capacity()), (2, 1, 1));
    assert_eq!(rx.try_recv(), Ok('a'));
    assert_eq!((rx.len(), tx.capacity()), (1, 2));
    assert!(!rx.is_empty());
    let (utx, urx) = mpsc::unbounded_channel();
    for i in 0..10 {
        utx.send(i).unwrap();
    }
    assert_eq!(urx.len(), 10);
    assert!(tx.same_channel(&tx.clone()));
    assert!(!tx.same_channel(&mpsc::channel(1).0));
}

#[test]
fn a_capacity_of_zero_panics_and_says_it_must_be_at_least_one() {
    let err = std::panic::catch_unwind(|| mpsc::channel::<()>(0)).unwrap_err();
    let msg = message(err);
    assert!(msg.contains("at least 1"), "message: {msg}");
}

#[test]
fn blocking_send_and_blocking_recv_work_from_plain_threads() {
    within_watchdog(|| {
        let (tx, mut rx) = mpsc::channel(2);
        let producers: Vec<_> = (0..3)
            .map(|id| {
                let tx = tx.clone();
                std::thread::spawn(move || {
                    for i in 0..200 {
                        tx.blocking_send((id, i)).unwrap();
                    }
                })
            })
            .collect();
        drop(tx);
        let consumer = std::thread::spawn(move || {
            let mut next = [0; 3];
            while let Some((id, i)) = rx.blocking_recv() {
                assert_eq!(i, next[id]);
                next[id] += 1;
            }
            next
        });
        for p in producers {
            p.join().unwrap();
        }
        assert_eq!(consumer.join().unwrap(), [200; 3]);

        // Between a plain thread and a task.
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let (utx, mut urx) = mpsc::unbounded_channel();
        let (btx, mut brx) = mpsc::channel(1);
        rt.spawn(async move {
            while let Some(v) = brx.recv().await {
                utx.send(v * 2).unwrap();
            }
        });
        for i in 0..50 {
            btx.blocking_send(i).unwrap();
            assert_eq!(urx.blocking_recv(), Some(i * 2));
        }
        drop(btx);
        assert_eq!(urx.blocking_recv(), None);
        // After the receiver is gone, blocking_send hands the value back.
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        assert_eq!(tx.blocking_send(1), Err(SendError(1)));
    });
}

#[test]
fn blocking_send_and_recv_on_a_worker_panic_and_say_to_use_the_async_method() {
    within_watchdog(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let (tx, mut rx) = mpsc::channel::<u8>(1);
        let (utx, mut urx) = mpsc::unbounded_channel::<u8>();
        let send = rt.spawn(async move {
            let _ = tx.blocking_send(1);
        });
        let recv = rt.spawn(async move {
            let _ = rx.blocking_recv();
        });
        let urecv = rt.spawn(async move {
            let _keep = utx;
            let _ = urx.blocking_recv();
        });
        rt.block_on(async {
            for (task, expect) in [
                (send, "send(value).await"),
                (recv, "recv().await"),
                (urecv, "recv().await"),
            ] {
                let err = task.await.unwrap_err();
                assert!(err.is_panic());
                let msg = message(err.into_panic());
                assert!(msg.contains(expect), "message: {msg}");
                assert!(msg.contains("blocking_"), "message: {msg}");
            }
        });
    });
}

#[test]
fn many_producers_on_two_workers_deliver_every_value_exactly_once() {
    const PRODUCERS: usize = 8;
    const EACH: usize = 5_000;
    within_watchdog(|| {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        for capacity in [1, 7, 128] {
            let (tx, mut rx) = mpsc::channel(capacity);
            for id in 0..PRODUCERS {
                let tx = tx.clone();
                rt.spawn(async move {
                    for i in 0..EACH {
                        tx.send(id * EACH + i).await.unwrap();
                    }
                });
            }
            drop(tx);
            // The consumer is a task too: both ends run on the workers.
            let consumer = rt.spawn(async move {
                let mut seen = HashSet::new();
                while let Some(v) = rx.recv().await {
                    assert!(seen.insert(v), "capacity {capacity}: {v} received twice");
                }
                seen
            });
            let seen = rt.block_on(consumer).unwrap();
            assert_eq!(
                seen.len(),
                PRODUCERS * EACH,
                "capacity {capacity}: values lost"
            );
        }
        let (tx, mut rx) = mpsc::unbounded_channel();
        for id in 0..PRODUCERS {
            let tx = tx.clone();
            rt.spawn(async move {
                for i in 0..EACH {
                    tx.send(id * EACH + i).unwrap();
                    if i % 64 == 0 {
                        weft::task::yield_now().await;
                    }
                }
            });
        }
        drop(tx);
        let consumer = rt.spawn(async move {
            let mut seen = HashSet::new();
            while let Some(v) = rx.recv().await {
                assert!(seen.insert(v), "unbounded: {v} received twice");
            }
            seen
        });
        let seen = rt.block_on(consumer).unwrap();
        assert_eq!(seen.len(), PRODUCERS * EACH, "unbounded: values lost");
    });
}

#[test]
fn a_task_looping_over_a_ready_receiver_still_lets_another_task_run() {
    within_watchdog(|| {
        for bounded in [true, false] {
            let rt = Builder::new().worker_threads(1).build().unwrap();
            let stop = Arc::new(AtomicBool::new(false));
            let (ran_tx, ran_rx) = std::sync::mpsc::channel();
            let looping = rt.spawn({
                let stop = stop.clone();
                async move {
                    // Never awaits anything that is not ready: only the budget makes it yield.
                    let (tx, mut rx) = mpsc::channel(1);
                    let (utx, mut urx) = mpsc::unbounded_channel();
                    while !stop.load(Ordering::SeqCst) {
                        if bounded {
                            tx.send(1).await.unwrap();
                            assert_eq!(rx.recv().await, Some(1));
                        } else {
                            utx.send(1).unwrap();
                            assert_eq!(urx.recv().await, Some(1));
                        }
                    }
                }
            });
            let other = rt.spawn(async move {
                ran_tx.send(()).unwrap();
            });
            let ran = ran_rx.recv_timeout(WATCHDOG);
            stop.store(true, Ordering::SeqCst);
            assert!(
                ran.is_ok(),
                "bounded: {bounded}: the other task never ran: recv/send did not spend the budget"
            );
            rt.block_on(async {
                looping.await.unwrap();
                other.await.unwrap();
            });
        }
    });
}

#[test]
fn recv_works_under_another_executor_and_wakes_across_threads() {
    within_watchdog(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let sender = std::thread::spawn(move || {
            for i in 0..1000 {
                tx.send(i).unwrap();
                if i % 100 == 0 {
                    std::thread::yield_now();
                }
            }
        });
        let sum = futures_lite::future::block_on(async move {
            let mut sum = 0;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        });
        sender.join().unwrap();
        assert_eq!(sum, 999 * 1000 / 2);
    });
}

#[test]
fn poll_recv_reports_pending_then_the_value() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut probe = Probe::new(std::future::poll_fn(|cx| match rx.poll_recv(cx) {
        Poll::Ready(v) => Poll::Ready(v),
        Poll::Pending => Poll::Pending,
    }));
    probe.pending();
    tx.send(1).unwrap();
    assert!(probe.woken());
    assert_eq!(probe.ready(), Some(1));
}
