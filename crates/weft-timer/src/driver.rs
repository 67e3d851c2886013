//! The timer driver: a `Park` layer that fires due timers and turns the next deadline into the
//! park timeout; `TimerHandle`, what `Sleep` registers with; and the per-thread "current timer".
//!
//! # The wake-up protocol
//!
//! The wheel and `wake_at` (the time the parked driver will wake on its own; `0` while it is
//! awake, `u64::MAX` while it parks with no timer due) live under one mutex. The driver reads
//! the next expiration and publishes `wake_at` in one critical section before it parks; a
//! registration inserts and reads `wake_at` in one critical section after. So either the driver
//! saw the new timer, or the registration saw a later (or no) wake-up and unparks the driver.
//! A driver that is awake (`wake_at == 0`) looks at the wheel again before it parks.
//!
//! # One shared wheel
//!
//! A runtime has one wheel behind a mutex, driven by whichever worker holds the driver (and by
//! busy workers' periodic `poll_driver`). Registration is lazy (a `Sleep` registers on its
//! first pending poll, so a `timeout` around a future that is ready at once never touches the
//! wheel), and a timer costs one lock to arm and one to disarm. See docs/architecture.md for
//! the measurement behind choosing one wheel over per-worker wheels.

use crate::instant::Instant;
use crate::wheel::{Key, Wheel};
use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::task::Waker;
use std::time::Duration;
use weft_core::scheduler::{Park, Unpark};

/// A reference to one timer wheel and the driver that fires it. Cheap to clone.
#[derive(Clone)]
pub struct TimerHandle {
    shared: Arc<Shared>,
}

struct Shared {
    state: Mutex<State>,
    origin: std::time::Instant,
    unpark: Arc<dyn Unpark>,
}

struct State {
    wheel: Wheel,
    wake_at: u64,
    closed: bool,
}

/// The `Park` layer: fires due timers, then parks the inner layer until the next deadline.
pub struct TimerDriver {
    shared: Arc<Shared>,
    inner: Box<dyn Park>,
    fired: Vec<Waker>,
}

impl TimerDriver {
    /// A driver over `inner` (the layer it parks in: a `ThreadPark`, or the I/O driver), and
    /// the handle timers register with.
    pub fn new(inner: Box<dyn Park>) -> (TimerDriver, TimerHandle) {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                wheel: Wheel::new(),
                wake_at: 0,
                closed: false,
            }),
            origin: std::time::Instant::now(),
            unpark: inner.unparker(),
        });
        let handle = TimerHandle {
            shared: shared.clone(),
        };
        let driver = TimerDriver {
            shared,
            inner,
            fired: Vec::new(),
        };
        (driver, handle)
    }

    /// Fires every due timer (wakers are called with the lock released).
    fn process(&mut self) {
        {
            let mut state = self.shared.lock();
            let now = self.shared.now_ms();
            state.wheel.advance(now, &mut self.fired);
        }
        for waker in self.fired.drain(..) {
            waker.wake();
        }
    }
}

impl Park for TimerDriver {
    fn park(&mut self, timeout: Option<Duration>) {
        self.process();
        let sleep = {
            let mut state = self.shared.lock();
            let next = state.wheel.next_expiration();
            let until_next =
                next.map(|at| Duration::from_millis(at.saturating_sub(self.shared.now_ms())));
            let sleep = match (timeout, until_next) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            state.wake_at = match sleep {
                None => u64::MAX,
                Some(d) => self
                    .shared
                    .now_ms()
                    .saturating_add(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                    .max(1),
            };
            sleep
        };
        self.inner.park(sleep);
        self.shared.lock().wake_at = 0;
        self.process();
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        self.shared.unpark.clone()
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock (wakers are called after it is released).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn now_ms(&self) -> u64 {
        self.to_ms(Instant::now())
    }

    /// Milliseconds since the origin, rounded up: a timer never fires before its deadline.
    fn to_ms(&self, at: Instant) -> u64 {
        let nanos = at
            .into_std()
            .saturating_duration_since(self.origin)
            .as_nanos();
        u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }
}

/// What a `Sleep` learns when it checks its timer.
pub(crate) enum Poll {
    /// The timer fired.
    Fired,
    /// Still armed; the waker was updated.
    Pending,
    /// The wheel's runtime closed: register elsewhere.
    Closed,
}

impl TimerHandle {
    /// Arms a timer for `deadline` that wakes `waker`; `None` when this wheel's runtime has
    /// closed (the caller registers with the fallback driver instead).
    pub(crate) fn register(&self, deadline: Instant, waker: &Waker) -> Option<Key> {
        let ms = self.shared.to_ms(deadline);
        let mut state = self.shared.lock();
        if state.closed {
            return None;
        }
        let key = state.wheel.insert(ms, waker.clone());
        let unpark = ms < state.wake_at;
        drop(state);
        if unpark {
            self.shared.unpark.unpark();
        }
        Some(key)
    }

    /// Moves an armed (or fired) timer to `deadline`.
    pub(crate) fn reset(&self, key: Key, deadline: Instant, waker: Option<&Waker>) -> bool {
        let ms = self.shared.to_ms(deadline);
        let mut state = self.shared.lock();
        if state.closed {
            return false;
        }
        state.wheel.reset(key, ms, waker);
        let unpark = ms < state.wake_at;
        drop(state);
        if unpark {
            self.shared.unpark.unpark();
        }
        true
    }

    /// Checks a timer; while it is armed, makes `waker` the one it wakes.
    pub(crate) fn poll(&self, key: Key, waker: &Waker) -> Poll {
        let mut state = self.shared.lock();
        if state.closed {
            return Poll::Closed;
        }
        match state.wheel.is_fired(key) {
            Some(true) | None => Poll::Fired,
            Some(false) => {
                state.wheel.set_waker(key, waker);
                Poll::Pending
            }
        }
    }

    /// Disarms and forgets a timer.
    pub(crate) fn remove(&self, key: Key) {
        self.shared.lock().wheel.remove(key);
    }

    /// Closes the wheel (its runtime closed): every armed timer's waker is woken, so a `Sleep`
    /// still polled elsewhere moves to the fallback driver; later registrations are refused.
    pub fn close(&self) {
        let wakers = {
            let mut state = self.shared.lock();
            state.closed = true;
            state.wheel.clear_wakers()
        };
        for waker in wakers {
            waker.wake();
        }
    }

    /// Timers armed now.
    pub fn num_timers(&self) -> usize {
        self.shared.lock().wheel.len()
    }

    /// Whether the two handles refer to the same wheel.
    pub fn ptr_eq(&self, other: &TimerHandle) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl std::fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerHandle")
            .field("timers", &self.num_timers())
            .finish()
    }
}

thread_local! {
    static CURRENT: RefCell<Option<TimerHandle>> = const { RefCell::new(None) };
}

/// Makes `handle` the timer wheel new `Sleep`s on this thread register with, until the guard
/// drops (set by the runtime on its workers and inside `block_on`).
pub fn enter(handle: &TimerHandle) -> EnterGuard {
    let prev = CURRENT
        .try_with(|c| {
            c.try_borrow_mut()
                .ok()
                .map(|mut c| c.replace(handle.clone()))
        })
        .ok()
        .flatten();
    EnterGuard {
        prev,
        restore: true,
    }
}

/// Returned by [`enter`]; restores the previous current wheel when dropped.
#[must_use = "the wheel stays current only while the guard lives"]
pub struct EnterGuard {
    prev: Option<Option<TimerHandle>>,
    restore: bool,
}

impl EnterGuard {
    /// Keeps the wheel current for the rest of the thread's life (worker threads).
    pub fn forever(mut self) {
        self.restore = false;
    }
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        if self.restore
            && let Some(prev) = self.prev.take()
        {
            let _ = CURRENT.try_with(|c| {
                if let Ok(mut c) = c.try_borrow_mut() {
                    *c = prev;
                }
            });
        }
    }
}

impl std::fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}

/// The wheel new timers on this thread use: the current runtime's, or else the fallback
/// driver's.
pub(crate) fn current() -> TimerHandle {
    CURRENT
        .try_with(|c| c.borrow().clone())
        .ok()
        .flatten()
        .unwrap_or_else(|| fallback().clone())
}

/// The process-wide fallback driver, for timers outside any weft runtime (under another
/// executor, or after a runtime closed): one thread, `weft-timer`, started on first use, that
/// parks in its own `TimerDriver` forever.
pub fn fallback() -> &'static TimerHandle {
    static FALLBACK: OnceLock<TimerHandle> = OnceLock::new();
    FALLBACK.get_or_init(|| {
        let (mut driver, handle) = TimerDriver::new(Box::new(crate::park::ThreadPark::new()));
        std::thread::Builder::new()
            .name("weft-timer".into())
            .spawn(move || {
                loop {
                    driver.park(None);
                }
            })
            .expect("weft: could not start the fallback timer thread");
        handle
    })
}
