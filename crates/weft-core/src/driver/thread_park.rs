//! The thread parker: a state word, a mutex and a condvar. One type serves every thread that
//! sleeps without a driver: a worker that did not get the runtime's driver, a thread in
//! `block_on`, and the fallback thread until an I/O layer is attached.
//!
//! # States
//!
//! `state` is `EMPTY`, `PARKED` or `NOTIFIED`; one thread parks, any thread unparks.
//!
//! - `unpark` swaps in `NOTIFIED`. Only if it found `PARKED` does it take the mutex (so it
//!   cannot slip in between the sleeper's announcement and its wait) and signal the condvar;
//!   from `EMPTY` or `NOTIFIED` one atomic swap is the whole cost, and the next `park` sees
//!   `NOTIFIED` and returns at once.
//! - `park` consumes a pending `NOTIFIED` and returns, or, under the mutex, announces `PARKED`
//!   with a compare-exchange from `EMPTY` (which fails if a notification arrived meanwhile),
//!   waits, and returns once it consumes `NOTIFIED` or times out.
//!
//! Every unpark therefore makes the current or the next park return. A timed-out park leaves
//! `EMPTY`; an unpark racing that timeout may leave `NOTIFIED`, and the next park returns at
//! once (a spurious wake-up, which every caller allows).
//!
//! Orderings: every access is `SeqCst`. The swap in `unpark` releases what the unparker did
//! before (queued a task, set a flag) and the consuming compare-exchanges in `park` acquire it;
//! the sleeper's announcing compare-exchange and the unparker's swap are ordered with each
//! other by being read-modify-writes of one word. The loom models in `loom-tests/tests/parker.rs`
//! check it through the worker's `Parker`, which sleeps in one.

use super::{Park, Unpark};
use crate::sync::{AtomicUsize, Condvar, Mutex};
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED: usize = 1;
const NOTIFIED: usize = 2;

/// The parker itself, for types that embed it (a worker's `Parker`, `block_on`'s waker).
pub(crate) struct ThreadParker {
    state: AtomicUsize,
    mutex: Mutex<()>,
    condvar: Condvar,
}

impl ThreadParker {
    pub(crate) fn new() -> ThreadParker {
        ThreadParker {
            state: AtomicUsize::new(EMPTY),
            mutex: Mutex::new(()),
            condvar: Condvar::new(),
        }
    }

    /// Blocks the calling thread until unparked or `timeout` passes, or returns spuriously.
    /// Only one thread parks in a given parker at a time.
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        // A notification that arrived while we were awake: consume it and go on.
        if self.consume() || timeout == Some(Duration::ZERO) {
            return;
        }
        let mut guard = self.mutex.lock();
        if let Err(actual) = self.state.compare_exchange(EMPTY, PARKED, SeqCst, SeqCst) {
            debug_assert_eq!(actual, NOTIFIED, "a thread parker has one sleeper");
            self.state.swap(EMPTY, SeqCst);
            return;
        }
        loop {
            let timed_out = match timeout {
                None => {
                    guard = self.condvar.wait(guard);
                    false
                }
                Some(d) => {
                    let (g, timed_out) = self.condvar.wait_timeout(guard, d);
                    guard = g;
                    timed_out
                }
            };
            if self.consume() {
                return;
            }
            if timed_out {
                // An unpark racing the timeout may set NOTIFIED after this swap: the next
                // park then returns at once, which is allowed.
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            // A spurious wake-up of the condvar: wait again.
        }
    }

    /// Makes the current or the next `park` return.
    pub(crate) fn unpark(&self) {
        match self.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED => {
                // Taking the mutex orders this notify after the sleeper's wait began.
                drop(self.mutex.lock());
                self.condvar.notify_one();
            }
            other => unreachable!("invalid thread parker state {other}"),
        }
    }

    /// Consumes a pending notification; whether there was one.
    fn consume(&self) -> bool {
        self.state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
    }
}

impl Unpark for ThreadParker {
    fn unpark(&self) {
        ThreadParker::unpark(self);
    }
}

/// A [`Park`] layer that blocks the calling thread until unparked or a timeout: the innermost
/// layer of a stack without I/O. Clones share one parker.
#[derive(Clone)]
pub struct ThreadPark {
    // std's Arc even under loom: it is handed out as an `Arc<dyn Unpark>`.
    inner: Arc<ThreadParker>,
}

impl Default for ThreadPark {
    fn default() -> ThreadPark {
        ThreadPark::new()
    }
}

impl ThreadPark {
    /// A parker with no pending unpark.
    pub fn new() -> ThreadPark {
        ThreadPark {
            inner: Arc::new(ThreadParker::new()),
        }
    }

    /// Makes the current or the next `park` return.
    pub fn unpark(&self) {
        self.inner.unpark();
    }
}

impl Park for ThreadPark {
    fn park(&mut self, timeout: Option<Duration>) {
        self.inner.park(timeout);
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        self.inner.clone()
    }
}
