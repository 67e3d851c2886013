//! loom model of a callback's cancel racing with its run.
//!
//! Checked in every interleaving: exactly one of the two wins. If `cancel` wins the closure
//! never runs and the handle says cancelled; if the run wins the closure runs once and the
//! handle does not say cancelled. Either way the closure (and what it captured) is dropped by
//! the time both are done, though the handle is still alive: a cancelled callback does not
//! keep its captures until its last handle goes.
#![cfg(weft_loom)]

use loom::sync::atomic::{AtomicBool, Ordering};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Waker};
use weft_core::callback::{CallbackQueue, Pushed};

/// Sets its flag when dropped: stands for whatever a callback captured.
struct Guard(Arc<AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn cancel_races_with_the_runner() {
    loom::model(|| {
        let queue = Arc::new(CallbackQueue::new(None));
        let ran = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let guard = Guard(dropped.clone());
        let (handle, pushed) = queue.push(move || {
            let _guard = &guard;
            flag.store(true, Ordering::SeqCst);
        });
        assert_eq!(pushed, Pushed::SpawnRunner);
        let runner = queue.clone().runner();
        let worker = loom::thread::spawn(move || {
            let mut runner = pin!(runner);
            let mut cx = Context::from_waker(Waker::noop());
            let _ = runner.as_mut().poll(&mut cx);
        });
        // Both sides on threads of their own (see docs/loom.md).
        let canceller = {
            let handle = handle.clone();
            loom::thread::spawn(move || handle.cancel())
        };
        worker.join().unwrap();
        canceller.join().unwrap();
        let ran = ran.load(Ordering::SeqCst);
        assert_ne!(
            ran,
            handle.is_cancelled(),
            "exactly one of run and cancel wins"
        );
        assert!(
            dropped.load(Ordering::SeqCst),
            "the closure is dropped once it ran or was cancelled, with the handle still alive"
        );
    });
}
