//! loom models of the task state machine (`weft_core::task`): wake while running, wake vs
//! complete, abort vs poll (one ending ready, one pending), JoinHandle drop vs complete, the
//! join waker hand-off, and registry close vs completion and vs a poll that returns pending.
//!
//! Each model builds real tasks with `Registry::bind` and a hand-driven run queue, races two
//! threads, and checks what a user would see: the future is polled as often as it was woken
//! (never lost, never twice at once), dropped exactly once, its output dropped exactly once,
//! and the `JoinHandle` resolves.
#![cfg(weft_loom)]

mod support;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use std::task::Poll;
use support::{DropCounter, Queue, Steps, count, counter};

fn steps<T>(
    pending: usize,
    output: T,
    drops: &Arc<loom::sync::atomic::AtomicUsize>,
) -> (
    Steps<T>,
    Arc<loom::sync::atomic::AtomicUsize>,
    Arc<Mutex<Option<std::task::Waker>>>,
) {
    let polls = counter();
    let slot = Arc::new(Mutex::new(None));
    (
        Steps {
            pending,
            polls: polls.clone(),
            slot: slot.clone(),
            output: Some(output),
            guard: Some(DropCounter(drops.clone())),
        },
        polls,
        slot,
    )
}

#[test]
fn a_wake_while_the_task_runs_makes_it_run_again() {
    loom::model(|| {
        let queue = Queue::new();
        let polls = counter();
        let in_second_poll = Arc::new(AtomicBool::new(false));
        let slot: Arc<Mutex<Option<std::task::Waker>>> = Arc::new(Mutex::new(None));
        let (p, flag, s) = (polls.clone(), in_second_poll.clone(), slot.clone());
        // Pending on the first poll (storing its waker) and on the second, the one the wake
        // races: nothing but that wake can make the task run a third time and finish.
        let join = queue.spawn(std::future::poll_fn(move |cx| {
            match p.fetch_add(1, Ordering::SeqCst) {
                0 => {
                    *s.lock().unwrap() = Some(cx.waker().clone());
                    Poll::Pending
                }
                1 => {
                    flag.store(true, Ordering::SeqCst);
                    Poll::Pending
                }
                _ => Poll::Ready(5u8),
            }
        }));
        queue.run(); // first poll: pending, waker stored
        let waker = slot.lock().unwrap().take().unwrap();
        let extra = waker.clone();
        waker.wake(); // queued for the second poll
        // The other thread wakes once the second poll has begun: while it runs (the poller
        // must requeue the task when the poll returns) or after it went idle (the wake
        // submits it). A wake before the poll began would merge with the one above.
        let t = thread::spawn(move || {
            while !in_second_poll.load(Ordering::SeqCst) {
                thread::yield_now();
            }
            extra.wake();
        });
        queue.run();
        t.join().unwrap();
        queue.run();
        assert_eq!(count(&polls), 3, "the wake during the second poll was lost");
        assert!(join.is_finished());
        assert_eq!(weft_core::block_on(join).unwrap(), 5);
    });
}

#[test]
fn a_wake_during_the_first_poll_is_not_lost() {
    loom::model(|| {
        let queue = Queue::new();
        let polls = counter();
        let handoff: Arc<Mutex<Option<thread::JoinHandle<()>>>> = Arc::new(Mutex::new(None));
        let (p, h) = (polls.clone(), handoff.clone());
        let join = queue.spawn(std::future::poll_fn(move |cx| {
            let n = p.fetch_add(1, Ordering::SeqCst);
            if n == 0 {
                // Hand our waker to a thread that wakes us while this poll is still running.
                let waker = cx.waker().clone();
                *h.lock().unwrap() = Some(thread::spawn(move || waker.wake()));
                Poll::Pending
            } else {
                Poll::Ready(())
            }
        }));
        queue.run();
        let waker_thread = handoff.lock().unwrap().take().unwrap();
        waker_thread.join().unwrap();
        queue.run();
        assert_eq!(count(&polls), 2);
        assert!(join.is_finished());
    });
}

#[test]
fn abort_races_with_a_poll_and_the_future_is_dropped_once() {
    loom::model(|| {
        let queue = Queue::new();
        let drops = counter();
        let (future, _polls, slot) = steps(1, 1u8, &drops);
        let join = queue.spawn(future);
        queue.run();
        slot.lock().unwrap().take().unwrap().wake(); // queued for its second poll
        let join = Arc::new(join);
        let aborter = {
            let join = join.clone();
            thread::spawn(move || join.abort())
        };
        queue.run();
        aborter.join().unwrap();
        queue.run();
        assert!(join.is_finished());
        assert_eq!(count(&drops), 1, "the future was dropped exactly once");
        let join = Arc::try_unwrap(join).ok().unwrap();
        match weft_core::block_on(join) {
            Ok(v) => assert_eq!(v, 1),
            Err(e) => assert!(e.is_cancelled()),
        }
    });
}

#[test]
fn abort_racing_a_poll_that_returns_pending_cancels_the_task() {
    loom::model(|| {
        let queue = Queue::new();
        let drops = counter();
        // Pending on both polls: only the abort can finish the task.
        let (future, _polls, slot) = steps(2, 1u8, &drops);
        let join = queue.spawn(future);
        queue.run();
        slot.lock().unwrap().take().unwrap().wake(); // queued for its second poll
        let join = Arc::new(join);
        let aborter = {
            let join = join.clone();
            thread::spawn(move || join.abort())
        };
        queue.run();
        aborter.join().unwrap();
        queue.run();
        assert!(join.is_finished(), "aborted, but the handle never resolves");
        assert_eq!(count(&drops), 1, "the future was dropped exactly once");
        let join = Arc::try_unwrap(join).ok().unwrap();
        assert!(weft_core::block_on(join).unwrap_err().is_cancelled());
    });
}

#[test]
fn registry_close_racing_a_poll_that_returns_pending_cancels_the_task() {
    loom::model(|| {
        let queue = Queue::new();
        let drops = counter();
        // Pending on its only poll: close must drop the future, whether the task is idle
        // (close drops it) or running (the poller drops it when the poll returns).
        let (future, _polls, _slot) = steps(1, 3u8, &drops);
        let join = queue.spawn(future);
        let runner = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.run();
            })
        };
        queue.registry().close();
        runner.join().unwrap();
        queue.drain();
        assert_eq!(
            count(&drops),
            1,
            "closed, but the future was not dropped (or twice)"
        );
        assert!(join.is_finished(), "closed, but the handle never resolves");
        assert!(weft_core::block_on(join).unwrap_err().is_cancelled());
        assert!(queue.registry().is_empty());
    });
}

#[test]
fn join_handle_drop_races_with_completion_and_the_output_is_dropped_once() {
    loom::model(|| {
        let queue = Queue::new();
        let future_drops = counter();
        let output_drops = counter();
        let output = DropCounter(output_drops.clone());
        let (future, _polls, _slot) = steps(0, output, &future_drops);
        let join = queue.spawn(future);
        let dropper = thread::spawn(move || drop(join));
        queue.run();
        dropper.join().unwrap();
        assert_eq!(count(&future_drops), 1);
        assert_eq!(
            count(&output_drops),
            1,
            "the output was dropped exactly once"
        );
    });
}

#[test]
fn the_join_waker_handoff_never_loses_the_completion() {
    loom::model(|| {
        let queue = Queue::new();
        let drops = counter();
        let (future, _polls, _slot) = steps(0, 9u8, &drops);
        let join = queue.spawn(future);
        let runner = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.run();
            })
        };
        assert_eq!(weft_core::block_on(join).unwrap(), 9);
        runner.join().unwrap();
    });
}

#[test]
fn registry_close_races_with_completion() {
    loom::model(|| {
        let queue = Queue::new();
        let drops = counter();
        let (future, _polls, _slot) = steps(0, 3u8, &drops);
        let join = queue.spawn(future);
        let runner = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.run();
            })
        };
        queue.registry().close();
        runner.join().unwrap();
        queue.drain();
        assert_eq!(count(&drops), 1, "the future was dropped exactly once");
        assert!(join.is_finished());
        match weft_core::block_on(join) {
            Ok(v) => assert_eq!(v, 3),
            Err(e) => assert!(e.is_cancelled()),
        }
        assert!(queue.registry().is_empty());
    });
}
