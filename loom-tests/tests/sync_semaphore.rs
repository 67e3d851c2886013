//! loom models of weft-sync's batch semaphore (`crates/weft-sync/src/batch.rs`, protocol in
//! the README beside it): grants, waiters leaving the line, and close, racing each other.
//!
//! Checked in every interleaving: a permit is never lost (a waiter that was handed permits and
//! is then dropped passes them on, so the other waiter finishes and the count is whole at the
//! end) and never duplicated (the final count is exactly what was put in); a waiter racing
//! `close` either got its permit first or fails, and never hangs.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::thread;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use weft_core::block_on;
use weft_sync::Semaphore;

/// Polls `future` once with a waker that does nothing; returns whether it was ready.
fn poll_once<F: Future>(future: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_permit_handed_to_a_waiter_that_is_dropped_goes_to_the_next_waiter() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let waiting = {
            let sem = sem.clone();
            thread::spawn(move || drop(block_on(sem.acquire()).unwrap()))
        };
        let leaving = {
            let sem = sem.clone();
            thread::spawn(move || {
                // Joins the line (or takes the permit at once), then is dropped either way.
                let mut acquire = pin!(sem.acquire());
                if let Poll::Ready(permit) = poll_once(acquire.as_mut()) {
                    drop(permit.unwrap());
                }
            })
        };
        sem.add_permits(1);
        waiting.join().unwrap();
        leaving.join().unwrap();
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn a_partly_granted_batch_request_that_leaves_passes_its_permits_on() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(1));
        let leaving = {
            let sem = sem.clone();
            thread::spawn(move || {
                // Takes the free permit and waits for a second one (a partial grant), or gets
                // both, or none; then leaves.
                let mut acquire = pin!(sem.acquire_many(2));
                if let Poll::Ready(permit) = poll_once(acquire.as_mut()) {
                    drop(permit.unwrap());
                }
            })
        };
        let waiting = {
            let sem = sem.clone();
            thread::spawn(move || drop(block_on(sem.acquire()).unwrap()))
        };
        sem.add_permits(1);
        leaving.join().unwrap();
        waiting.join().unwrap();
        assert_eq!(sem.available_permits(), 2);
    });
}

#[test]
fn a_waiter_racing_close_gets_its_permit_or_fails_and_never_hangs() {
    loom::model(|| {
        let sem = Arc::new(Semaphore::new(0));
        let waiting = {
            let sem = sem.clone();
            thread::spawn(move || block_on(sem.acquire()).map(|p| p.num_permits()))
        };
        let adding = {
            let sem = sem.clone();
            thread::spawn(move || sem.add_permits(1))
        };
        sem.close();
        let got = waiting.join().unwrap();
        adding.join().unwrap();
        assert!(got == Ok(1) || got.is_err());
        assert!(sem.try_acquire().is_err(), "closed");
        assert_eq!(sem.available_permits(), 1, "the permit is back either way");
    });
}
