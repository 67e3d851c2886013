//! Parking: the `Park`/`Unpark` driver trait, and the `Parker` each worker sleeps in.
//!
//! A runtime has at most one driver (the timer and I/O layers, stacked into one `Park`), and
//! it is shared: the first idle worker to try-lock it parks *in the driver* (blocking in the
//! driver's wait, e.g. `epoll_wait`); the others sleep on their own condvar. There is no
//! dedicated driver thread. Without a driver every worker sleeps on its condvar.
//!
//! # The parker's state machine
//!
//! `state` is one of `EMPTY`, `PARKED_CONDVAR`, `PARKED_DRIVER`, `NOTIFIED`.
//!
//! - `unpark` swaps in `NOTIFIED`. If it found `PARKED_CONDVAR` it takes the mutex (so it cannot
//!   slip in between the sleeper's check and its wait) and signals the condvar; if it found
//!   `PARKED_DRIVER` it unparks the driver. From `EMPTY` or `NOTIFIED` nothing else is needed:
//!   the next `park` sees `NOTIFIED` and returns at once.
//! - `park` consumes a pending `NOTIFIED` and returns, or announces where it sleeps with a
//!   compare-exchange from `EMPTY` (which fails if a notification arrived meanwhile), sleeps,
//!   and on waking swaps back to `EMPTY`.
//!
//! Orderings: the `NOTIFIED` swap in `unpark` is `SeqCst` (Release publishes whatever the
//! unparker did before, e.g. queue a task; it is also ordered with the sleeper's announcing
//! CAS), and `park`'s consuming swaps and CASes are `SeqCst` (Acquire: the sleeper sees that
//! work). Every unpark therefore makes the current or the next park return.

use crate::sync::{Arc, AtomicUsize, Condvar, Mutex};
use crate::unwind;
use std::sync::atomic::Ordering::SeqCst;
use std::time::Duration;

/// A driver layer a worker can block in: the timer wheel, the I/O reactor, or a stack of them.
pub trait Park: Send + 'static {
    /// Blocks until unparked, until `timeout` passes (`None`: no limit), or spuriously. Does
    /// the driver's work (fires timers, dispatches readiness) before returning.
    fn park(&mut self, timeout: Option<Duration>);

    /// A handle that makes a `park` in progress (or the next one) return. (std's `Arc` even
    /// under loom: a trait object, and its count is no protocol.)
    fn unparker(&self) -> std::sync::Arc<dyn Unpark>;
}

/// Wakes a parked thread or driver, from any thread.
pub trait Unpark: Send + Sync + 'static {
    /// Makes the current or the next `park` return.
    fn unpark(&self);
}

const EMPTY: usize = 0;
const PARKED_CONDVAR: usize = 1;
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
    mutex: Mutex<()>,
    condvar: Condvar,
    driver: Option<Arc<SharedDriver>>,
}

impl Parker {
    pub(crate) fn new(driver: Option<Arc<SharedDriver>>) -> Parker {
        Parker {
            inner: Arc::new(Inner {
                state: AtomicUsize::new(EMPTY),
                mutex: Mutex::new(()),
                condvar: Condvar::new(),
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
        inner.park_condvar(timeout);
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

    fn park_condvar(&self, timeout: Option<Duration>) {
        let mut guard = self.mutex.lock();
        if let Err(actual) = self
            .state
            .compare_exchange(EMPTY, PARKED_CONDVAR, SeqCst, SeqCst)
        {
            debug_assert_eq!(actual, NOTIFIED, "a parker has one sleeper");
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
            if self
                .state
                .compare_exchange(NOTIFIED, EMPTY, SeqCst, SeqCst)
                .is_ok()
            {
                return;
            }
            if timed_out {
                // An unpark racing with the timeout may have set NOTIFIED since the check
                // above; we return now either way, which is what it asked for.
                self.state.swap(EMPTY, SeqCst);
                return;
            }
            // A spurious wake-up: sleep again.
        }
    }
}

impl Unparker {
    /// Wakes the worker, or makes its next park return at once.
    pub(crate) fn unpark(&self) {
        let inner = &*self.inner;
        match inner.state.swap(NOTIFIED, SeqCst) {
            EMPTY | NOTIFIED => {}
            PARKED_CONDVAR => {
                // Taking the mutex orders this notify after the sleeper's wait began.
                drop(inner.mutex.lock());
                inner.condvar.notify_one();
            }
            PARKED_DRIVER => {
                if let Some(shared) = &inner.driver {
                    shared.unparker.unpark();
                }
            }
            other => unreachable!("invalid parker state {other}"),
        }
    }
}
