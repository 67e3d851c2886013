//! loom models of `weft_sync::Notify` and `Event` (`crates/weft-sync/src/notify.rs`, protocol
//! in the README beside it): a notification racing waiters that join and leave.
//!
//! Checked in every interleaving: a `notify_one` is never lost (it reaches a waiter, or a
//! waiter chosen and then dropped passes it on, or it is stored for the next one) and never
//! duplicated (nothing is left stored once it was used); an `Event::set` racing a `wait` always
//! wakes it; a `Condition` waiter is in line before it releases the lock, so the next holder's
//! `notify_one` always reaches it.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::thread;
use std::future::Future;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};
use weft_core::block_on;
use weft_sync::{Condition, Event, Mutex, Notify};

fn poll_once<F: Future>(future: Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn notify_one_racing_a_waiter_that_leaves_reaches_the_other_waiter_or_is_stored() {
    loom::model(|| {
        let notify = Arc::new(Notify::new());
        let leaving = {
            let notify = notify.clone();
            thread::spawn(move || {
                // Joins the line (or takes a stored notification), then is dropped.
                let mut notified = pin!(notify.notified());
                poll_once(notified.as_mut()).is_ready()
            })
        };
        let waiting = {
            let notify = notify.clone();
            thread::spawn(move || block_on(notify.notified()))
        };
        notify.notify_one();
        if leaving.join().unwrap() {
            // The leaver used the notification: the waiter needs its own.
            notify.notify_one();
        }
        waiting.join().unwrap();
        let mut after = pin!(notify.notified());
        assert!(
            poll_once(after.as_mut()).is_pending(),
            "a notification was duplicated"
        );
    });
}

#[test]
fn event_set_racing_a_wait_always_wakes_it() {
    loom::model(|| {
        let event = Arc::new(Event::new());
        let waiting = {
            let event = event.clone();
            thread::spawn(move || block_on(event.wait()))
        };
        event.set();
        waiting.join().unwrap();
        assert!(event.is_set());
    });
}

#[test]
fn a_condition_waiter_is_in_line_before_the_next_lock_holder_notifies() {
    loom::model(|| {
        let shared = Arc::new((Mutex::new(false), Condition::new()));
        let waiting = {
            let shared = shared.clone();
            thread::spawn(move || {
                let (ready, cond) = &*shared;
                block_on(async {
                    let guard = cond.wait_while(ready.lock().await, |r| !*r).await;
                    assert!(*guard);
                })
            })
        };
        let (ready, cond) = &*shared;
        block_on(async { *ready.lock().await = true });
        cond.notify_one();
        waiting.join().unwrap();
    });
}
