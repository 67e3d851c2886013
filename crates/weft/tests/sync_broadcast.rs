//! broadcast: every receiver sees every value in order; laggers are told; close; destructors.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::broadcast::{self, RecvError, TryRecvError};

fn rt(workers: usize) -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(workers)
        .build()
        .unwrap()
}

#[test]
fn every_receiver_sees_every_value_sent_after_it_subscribed() {
    weft::run(async {
        let (tx, mut a) = broadcast::channel(8);
        assert_eq!(tx.send(1).unwrap(), 1);
        let mut b = tx.subscribe();
        assert_eq!(tx.receiver_count(), 2);
        assert_eq!(tx.send(2).unwrap(), 2);
        assert_eq!(a.recv().await.unwrap(), 1);
        assert_eq!(a.recv().await.unwrap(), 2);
        assert_eq!(b.recv().await.unwrap(), 2, "b subscribed after 1 was sent");
        assert_eq!(b.try_recv(), Err(TryRecvError::Empty));
        assert!(a.is_empty());
    });
}

#[test]
fn a_receiver_that_falls_behind_is_told_once_and_goes_on_from_the_oldest_kept() {
    weft::run(async {
        let (tx, mut rx) = broadcast::channel(2);
        for v in 0..5 {
            tx.send(v).unwrap();
        }
        assert_eq!(rx.len(), 2);
        assert_eq!(rx.recv().await, Err(RecvError::Lagged(3)));
        assert_eq!(rx.recv().await, Ok(3));
        assert_eq!(rx.recv().await, Ok(4));
        for v in 5..8 {
            tx.send(v).unwrap();
        }
        assert_eq!(rx.try_recv(), Err(TryRecvError::Lagged(1)));
        assert_eq!(rx.try_recv(), Ok(6));
    });
}

#[test]
fn closed_once_every_sender_is_gone_and_everything_was_seen() {
    weft::run(async {
        let (tx, mut rx) = broadcast::channel(4);
        let tx2 = tx.clone();
        tx.send("a").unwrap();
        drop(tx);
        tx2.send("b").unwrap();
        drop(tx2);
        assert_eq!(rx.recv().await, Ok("a"));
        assert_eq!(rx.recv().await, Ok("b"));
        assert_eq!(rx.recv().await, Err(RecvError::Closed));
        assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
        // No receiver: the value comes back.
        let (tx, rx) = broadcast::channel::<String>(4);
        drop(rx);
        let err = tx.send("lost?".to_owned()).unwrap_err();
        assert_eq!(err.0, "lost?");
    });
}

#[test]
fn a_waiting_receiver_is_woken_by_a_send_and_by_the_last_sender_leaving() {
    let rt = rt(2);
    rt.block_on(async {
        let (tx, mut rx) = broadcast::channel(4);
        let (first_tx, first_rx) = weft::sync::oneshot::channel();
        let waiting = weft::spawn(async move {
            first_tx.send(rx.recv().await).unwrap();
            rx.recv().await
        });
        for _ in 0..20 {
            weft::task::yield_now().await;
        }
        // Sent from a plain thread while the receiver waits; the sender stays alive, so only
        // the send can wake it.
        let tx = std::thread::spawn(move || {
            tx.send(7).unwrap();
            tx
        })
        .join()
        .unwrap();
        assert_eq!(first_rx.await.unwrap(), Ok(7));
        drop(tx);
        assert_eq!(waiting.await.unwrap(), Err(RecvError::Closed));
    });
    rt.close();
}

#[test]
fn a_dropped_recv_does_not_disturb_the_next_one() {
    weft::run(async {
        let (tx, mut rx) = broadcast::channel(4);
        let got = weft::select! {
            biased;
            v = rx.recv() => Some(v),
            _ = weft::task::yield_now() => None,
        };
        assert!(got.is_none());
        tx.send(1).unwrap();
        assert_eq!(rx.recv().await, Ok(1));
    });
}

struct Counted(Arc<AtomicUsize>);

impl Clone for Counted {
    fn clone(&self) -> Counted {
        Counted(self.0.clone())
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn values_are_dropped_when_evicted_and_when_no_receiver_is_left() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = broadcast::channel(2);
    for _ in 0..3 {
        tx.send(Counted(drops.clone())).unwrap();
    }
    assert_eq!(drops.load(Ordering::SeqCst), 1, "the oldest was evicted");
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 3, "nobody can read the rest");
    drop(tx);
}

#[test]
fn many_receivers_on_two_workers_each_see_every_value_in_order() {
    let rt = rt(2);
    rt.block_on(async {
        let (tx, rx) = broadcast::channel(1024);
        let mut receivers = Vec::new();
        for _ in 0..8 {
            let mut rx = rx.resubscribe();
            receivers.push(weft::spawn(async move {
                let mut seen = Vec::new();
                while let Ok(v) = rx.recv().await {
                    seen.push(v);
                }
                seen
            }));
        }
        drop(rx);
        let sender = weft::spawn(async move {
            for v in 0..1000u32 {
                tx.send(v).unwrap();
                if v % 64 == 0 {
                    weft::task::yield_now().await;
                }
            }
        });
        sender.await.unwrap();
        for r in receivers {
            assert_eq!(r.await.unwrap(), (0..1000).collect::<Vec<_>>());
        }
    });
    rt.close();
}
