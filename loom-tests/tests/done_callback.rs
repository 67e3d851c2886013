//! loom models of done callbacks (`weft_core::task::done`): `add_done_callback` racing the
//! task's completion, and racing the registry's close.
//!
//! Each model builds a real task with `Registry::bind` and a hand-driven run queue (the done
//! runner is a task of the same queue), runs the racing sides on threads of their own, then
//! drains the queue, and checks what a user would see: every callback added runs exactly once
//! (never lost, never twice), in the order added, with the task's outcome; after close a
//! callback never runs and its closure is dropped.
#![cfg(weft_loom)]

mod support;

use loom::sync::atomic::{AtomicBool, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use support::{Queue, count, counter};
use weft_core::task::Outcome;

/// Sets its flag when dropped: stands for whatever a callback captured.
struct Guard(Arc<AtomicBool>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn adds_racing_completion_each_run_once_in_order() {
    loom::model(|| {
        let queue = Queue::new();
        let join = Arc::new(queue.spawn(async { 7 }));
        let log = Arc::new(Mutex::new(Vec::new()));
        // Two adds from one thread while another thread runs the task to completion.
        let adder = {
            let (join, log) = (join.clone(), log.clone());
            thread::spawn(move || {
                for i in 0..2 {
                    let log = log.clone();
                    join.add_done_callback(move |outcome| {
                        log.lock().unwrap().push((i, outcome));
                    });
                }
            })
        };
        let worker = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.run();
            })
        };
        adder.join().unwrap();
        worker.join().unwrap();
        // A runner started after the worker looked last is still queued.
        queue.run();
        assert_eq!(
            *log.lock().unwrap(),
            [(0, Outcome::Completed), (1, Outcome::Completed)],
            "each callback runs once, in the order added"
        );
        assert!(join.is_finished());
    });
}

#[test]
fn adds_from_two_threads_racing_completion_each_run_once() {
    loom::model(|| {
        let queue = Queue::new();
        let join = Arc::new(queue.spawn(async { 7 }));
        let calls = [counter(), counter()];
        let adders: Vec<_> = calls
            .iter()
            .map(|calls| {
                let (join, calls) = (join.clone(), calls.clone());
                thread::spawn(move || {
                    join.add_done_callback(move |outcome| {
                        assert_eq!(outcome, Outcome::Completed);
                        calls.fetch_add(1, Ordering::SeqCst);
                    });
                })
            })
            .collect();
        let worker = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.run();
            })
        };
        adders.into_iter().for_each(|t| t.join().unwrap());
        worker.join().unwrap();
        queue.run();
        assert_eq!(count(&calls[0]), 1, "the first adder's callback runs once");
        assert_eq!(count(&calls[1]), 1, "the second adder's callback runs once");
    });
}

#[test]
fn an_add_racing_close_never_runs_and_is_dropped() {
    loom::model(|| {
        let queue = Queue::new();
        // Never polled before the close: close cancels it.
        let join = Arc::new(queue.spawn(async { 7 }));
        let called = Arc::new(AtomicBool::new(false));
        let dropped = Arc::new(AtomicBool::new(false));
        let adder = {
            let (join, called, guard) = (join.clone(), called.clone(), Guard(dropped.clone()));
            thread::spawn(move || {
                join.add_done_callback(move |_| {
                    let _guard = guard;
                    called.store(true, Ordering::SeqCst);
                });
            })
        };
        let closer = {
            let queue = queue.clone();
            thread::spawn(move || {
                queue.registry().close();
            })
        };
        adder.join().unwrap();
        closer.join().unwrap();
        // Whatever is left in the queue is run (a worker still running after close would):
        // the runner, if any was queued, was cancelled by the close.
        queue.run();
        assert!(!called.load(Ordering::SeqCst), "never runs after close");
        assert!(dropped.load(Ordering::SeqCst), "the closure is dropped");
        assert!(join.is_finished());
    });
}
