//! Each worker's `Parker`, and the runtime's driver that the workers share.
//!
//! A runtime has at most one driver (a `Stack`: the timer layer over the I/O reactor), and
//! it is shared: the first idle worker to try-lock it parks *in the driver* (blocking in the
//! driver's wait, e.g. `epoll_wait`); the others sleep in their own thread parker. There is no
//! dedicated driver thread. Without a driver every worker sleeps in its thread parker.
//!
//! # The parker's state machine
//!
//! `state` is one of `EMPTY`, `PARKED_THREAD`, `PARKED_DRIVER`, `NOTIFIED`.
//!
//! - `unpark` swaps in `NOTIFIED`. If it found `PARKED_THREAD` it unparks the thread parker
//!   (`driver/thread_park.rs`, which keeps an unpark that comes before its sleeper waits); if
//!   it found `PARKED_DRIVER` it unparks the driver. From `EMPTY` or `NOTIFIED` nothing else is
//!   needed: the next `park` sees `NOTIFIED` and returns at once.
//! - `park` consumes a pending `NOTIFIED` and returns, or announces where it sleeps with a
//!   compare-exchange from `EMPTY` (which fails if a notification arrived meanwhile), sleeps,
//!   and on waking swaps back to `EMPTY`. A thread parker unparked after its sleeper timed out
//!   keeps that notification and makes the next sleep there return at once (spuriously).
//!
//! Orderings: the `NOTIFIED` swap in `unpark` is `SeqCst` (Release publishes whatever the
//! unparker did before, e.g. queue a task; it is also ordered with the sleeper's announcing
//! CAS), and `park`'s consuming swaps and CASes are `SeqCst` (Acquire: the sleeper sees that
//! work). Every unpark therefore makes the current or the next park return.

use crate::driver::{Park, ThreadParker, Unpark};
use crate::sync::{Arc, AtomicUsize, Mutex};
use crate::unwind;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

const EMPTY: usize = 0;
const PARKED_THREAD: usize = 1;
const PARKED_DRIVER: usize = 2;
const NOTIFIED: usize = 3;

/// The driver shared by a runtime's workers.
pub(crate) struct SharedDriver {
    driver: Mutex<Box<dyn Park>>,
    unparker: std::sync::Arc<dyn Unpark>,
}

impl SharedDriver {
    pub(crate) fn new(driver: Box<dyn Park>) -> SharedDriver {
        let unparker = driver.unparker();
        SharedDriver {
            driver: Mutex::new(driver),
            unparker,
        }
    }
}

/// One worker's place to sleep.
pub(crate) struct Parker {
    inner: Arc<Inner>,
}

/// Wakes the worker of one `Parker`.
#[derive(Clone)]
pub(crate) struct Unparker {
    inner: Arc<Inner>,
}

struct Inner {
    state: AtomicUsize,
    thread: ThreadParker,
    driver: Option<Arc<SharedDriver>>,
}

impl Parker {
    pub(crate) fn new(driver: Option<Arc<SharedDriver>>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                thread: ThreadParker::new(),
                driver,
            }),
        }
    }

    pub(crate) fn unparker(&self) -> Unparker {
        Unparker {
            inner: self.inner.clone(),
        }
    }

    /// Lets the driver do its work without sleeping (fire due timers, dispatch ready I/O),
    /// if no other worker holds it. Busy workers call this now and then, so drivers make
    /// progress even when no worker is idle.
    pub(crate) fn poll_driver(&self) {
        if let Some(shared) = &self.inner.driver
            && let Some(mut driver) = shared.driver.try_lock()
        {
            drive(&mut **driver, Some(Duration::ZERO));
        }
    }

    /// Sleeps until unparked or until `timeout` passes, or returns spuriously.
    pub(crate) fn park(&self, timeout: Option<Duration>) {
        let inner = &*self.inner;
        // A notification that arrived while we were awake: consume it and go on.
        if inner
            .state
            .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
            .is_ok()
        {
            return;
        }
        if let Some(shared) = &inner.driver
            && let Some(mut driver) = shared.driver.try_lock()
        {
            inner.park_driver(&mut **driver, timeout);
            return;
        }
        inner.park_thread(timeout);
    }
}

/// Parks in the driver, which runs user code (it wakes tasks' wakers). The drivers catch a
/// panicking waker themselves; this guard is the last line: a panic that still escaped a
/// driver must not unwind out of the worker while it holds the driver's lock, which would
/// poison it (every later `try_lock` fails: nobody drives timers or I/O again) and kill the
/// worker.
fn drive(driver: &mut dyn Park, timeout: Option<Duration>) {
    unwind::guard(|| driver.park(timeout));
}

impl Inner {
    fn park_driver(&self, driver: &mut dyn Park, timeout: Option<Duration>) {
        if let Err(actual) = self
            .state
            .compare_exchange(EMPTY, PARKED_DRIVER, SeqCst, SeqCst)
        {
            debug_assert_eq!(actual, NOTIFIED, "a parker has one sleeper");
            self.state.swap(EMPTY, SeqCst);
            return;
        }
        drive(driver, timeout);
        // PARKED_DRIVER (timeout, or driver work) or NOTIFIED: either way we are awake.
        self.state.swap(EMPTY, SeqCst);
    }

    fn park_thread(&self, timeout: Option<Duration>) {
        if let Err(actual) = self
            .state
            .compare_exchange(EMPTY, PARKED_THREAD, SeqCst, SeqCst)
        {
            debug_assert_eq!(actual, NOTIFIED, "a parker has one sleeper");
            self.state.swap(EMPTY, SeqCst);
            return;
        }
        self.thread.park(timeout);
        // PARKED_THREAD (timeout, spurious) or NOTIFIED: either way we are awake.
        self.state.swap(EMPTY, SeqCst);
    }
}

impl Unparker {
    /// Wakes the worker, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        let inner = &*self.inner;
        match inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_THREAD => inner.thread.unpark(),
            PARKED_DRIVER => {
                if let Some(shared) = &inner.driver {
                    shared.unparker.unpark();
                }
            }
            other => unreachable!("invalid parker state {other}"),
        }
    }
}
