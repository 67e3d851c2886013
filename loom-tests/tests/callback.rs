//! loom model of a callback's cancel racing with its run.
//!
//! Checked in every interleaving: exactly one of the two wins. If `cancel` wins the closure
//! never runs and the handle says cancelled; if the run wins the closure runs once and the
//! handle does not say cancelled.
#![cfg(weft_loom)]

use loom::sync::atomic::{AtomicBool, Ordering};
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Waker};
use weft_core::callback::{CallbackQueue, Pushed};

#[test]
fn cancel_races_with_the_runner() {
    loom::model(|| {
        let queue = Arc::new(CallbackQueue::new(None));
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let (handle, pushed) = queue.push(move || flag.store(true, Ordering::SeqCst));
        assert_eq!(pushed, Pushed::SpawnRunner);
        let runner = queue.clone().runner();
        let worker = loom::thread::spawn(move || {
            let mut runner = pin!(runner);
            let mut cx = Context::from_waker(Waker::noop());
            let _ = runner.as_mut().poll(&mut cx);
        });
        handle.cancel();
        worker.join().unwrap();
        let ran = ran.load(Ordering::SeqCst);
        assert_ne!(
            ran,
            handle.is_cancelled(),
            "exactly one of run and cancel wins"
        );
    });
}
