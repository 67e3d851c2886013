//! loom models of `StopSignal`: `stop` racing with `run_forever` entering its wait, and
//! `close` racing with it.
//!
//! Checked in every interleaving: the waiter always returns (loom reports a deadlock if it
//! could sleep forever): a stop that comes before the wait is remembered, one that comes during
//! it wakes it.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::thread;
use weft_core::stop::StopSignal;

#[test]
fn stop_races_with_run_forever_entry() {
    loom::model(|| {
        let signal = Arc::new(StopSignal::new());
        let stopper = {
            let signal = signal.clone();
            thread::spawn(move || signal.stop())
        };
        signal.wait();
        stopper.join().unwrap();
    });
}

#[test]
fn close_races_with_run_forever_entry() {
    loom::model(|| {
        let signal = Arc::new(StopSignal::new());
        let closer = {
            let signal = signal.clone();
            thread::spawn(move || signal.close())
        };
        signal.wait();
        closer.join().unwrap();
        signal.wait(); // after close, at once
    });
}
