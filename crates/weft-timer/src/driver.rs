//! The timer driver: a driver-stack `Layer` that fires due timers and turns the next deadline
//! into the timeout of the park below it; `TimerHandle`, what `Sleep` registers with; and the per-thread "current timer".
//!
//! # Wheels
//!
//! A driver owns several wheels, each behind its own mutex: one per worker thread and one for
//! every other thread. A `Sleep` registers with the wheel of the thread it is polled on, so the
//! common case (a worker arming and disarming its own tasks' timers) takes an uncontended lock;
//! with one shared wheel, two workers arming timers fought over one lock (timeout_not_firing
//! ran 2x slower than smol). Registration is lazy: a `Sleep` registers on its first pending
//! poll, so a `timeout` around a future that is ready at once never touches a wheel.
//!
//! # The wake-up protocol
//!
//! `wake_at` is when the parked driver will wake on its own: `0` while it is awake (it looks
//! at every wheel before it parks), `u64::MAX` while it parks with no timer due. Before
//! parking, the driver computes the next expiration over all wheels, publishes `wake_at`, and
//! computes it again; it parks only if nothing earlier appeared. A registration inserts under
//! its wheel's lock, then reads `wake_at` and unparks the driver if its deadline is earlier.
//! The wheel lock orders the two: either the driver's second look sees the new timer, or the
//! registration comes after that look and so after the store, and sees `wake_at`.

use crate::clock::Clock;
use crate::instant::Instant;
use crate::sync::{AtomicU64, AtomicUsize, Mutex, MutexGuard};
use crate::wheel::{Key, Wheel};
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};
use std::task::Waker;
use std::time::Duration;
use weft_core::driver::{Below, Layer, Unpark};
use weft_core::unwind;

/// A reference to a driver's wheels, registering into one of them. Cheap to clone.
#[derive(Clone)]
pub struct TimerHandle {
    shared: Arc<Shared>,
    wheel: usize,
}

struct Shared {
    wheels: Box<[Mutex<WheelState>]>,
    /// See the module doc. Ordered by the wheel locks; `SeqCst` for good measure.
    wake_at: AtomicU64,
    /// Round-robin assignment of wheels to threads (wheel 0 is for non-worker threads).
    next_wheel: AtomicUsize,
    origin: std::time::Instant,
    unpark: Arc<dyn Unpark>,
    /// The runtime's clock (real, or paused for tests: `clock.rs`).
    clock: Clock,
    /// Says whether the runtime has nothing to do but wait for timers (every worker idle, no
    /// blocking job, no thread in `block_on` busy): while the clock is paused, the driver then
    /// jumps it to the next deadline. Set by the runtime once built; cleared at close (it
    /// holds the runtime's scheduler, which holds this driver).
    quiescent: Mutex<Option<Quiescent>>,
}

/// See `Shared::quiescent`.
pub type Quiescent = Arc<dyn Fn() -> bool + Send + Sync>;

struct WheelState {
    wheel: Wheel,
    closed: bool,
}

/// The timer layer: fires due timers, then parks the layers below until the next deadline.
pub struct TimerDriver {
    shared: Arc<Shared>,
    fired: Vec<Waker>,
}

impl TimerDriver {
    /// A timer layer with `wheels` wheels (at least one; a runtime uses one per worker plus
    /// one), and the handle of wheel 0. `unpark` interrupts the park of the stack the layer is
    /// pushed on (a timer armed earlier than the one it sleeps towards calls it).
    pub fn new(unpark: Arc<dyn Unpark>, wheels: usize) -> (TimerDriver, TimerHandle) {
        let wheels = (0..wheels.max(1))
            .map(|_| {
                Mutex::new(WheelState {
                    wheel: Wheel::new(),
                    closed: false,
                })
            })
            .collect();
        let shared = Arc::new(Shared {
            wheels,
            wake_at: AtomicU64::new(0),
            next_wheel: AtomicUsize::new(0),
            origin: std::time::Instant::now(),
            unpark,
            clock: Clock::new(),
            quiescent: Mutex::new(None),
        });
        let handle = TimerHandle {
            shared: shared.clone(),
            wheel: 0,
        };
        let driver = TimerDriver {
            shared,
            fired: Vec::new(),
        };
        (driver, handle)
    }

    /// Fires every due timer (wakers are called with no lock held); returns whether any did.
    fn process(&mut self) -> bool {
        self.shared.process(&mut self.fired)
    }

    /// The earliest slot start over all wheels.
    fn next_expiration(&self) -> Option<u64> {
        self.shared.next_expiration()
    }

    /// A park while the clock is paused: time moves only by `advance` or by jumping to the
    /// next deadline when the runtime is quiescent, never by sleeping.
    fn park_paused(&mut self, below: &mut Below<'_>, timeout: Option<Duration>) {
        // I/O first: what is ready now runs before the clock may jump.
        below.park(Some(Duration::ZERO));
        if timeout != Some(Duration::ZERO) {
            // Each step moves the clock to the earliest slot start, never past a deadline:
            // a coarse slot only cascades its timers down, and the next step goes on.
            while let Some(next) = self.next_expiration() {
                if !self.shared.is_quiescent() {
                    break;
                }
                let to = self.shared.origin + Duration::from_millis(next);
                if to <= self.shared.clock.now() {
                    // A slot start the wheel cannot get past by stepping: give the clock the
                    // millisecond after it, where its timers are due.
                    self.shared.clock.advance_to(to + Duration::from_millis(1));
                } else if !self.shared.clock.advance_to(to) {
                    return; // resumed meanwhile: the next park sleeps on real time
                }
                if self.process() {
                    return;
                }
            }
        }
        // Not quiescent (or nothing armed): wait without a deadline of our own. With timers
        // armed, look again soon, since what keeps the runtime busy (another worker, a
        // blocking job, a `block_on` thread) does not unpark the driver when it ends; with
        // none, a registration unparks us (`wake_at` is `u64::MAX`).
        let armed = self.next_expiration().is_some();
        self.shared
            .wake_at
            .store(if armed { 1 } else { u64::MAX }, SeqCst);
        let recheck = armed.then_some(PAUSED_RECHECK);
        let sleep = match (recheck, timeout) {
            (Some(r), Some(t)) => Some(r.min(t)),
            (r, t) => r.or(t),
        };
        if self.next_expiration().is_some() == armed {
            below.park(sleep);
        }
        self.shared.wake_at.store(0, SeqCst);
        self.process();
    }
}

/// How long a driver waits, while the clock is paused and timers are armed but the runtime is
/// busy, before it looks again whether it may jump the clock (real time).
const PAUSED_RECHECK: Duration = Duration::from_millis(1);

fn lock(wheel: &Mutex<WheelState>) -> MutexGuard<'_, WheelState> {
    // No user code runs under a wheel lock (wakers are called after it is released).
    wheel.lock()
}

impl Layer for TimerDriver {
    fn park(&mut self, below: &mut Below<'_>, timeout: Option<Duration>) {
        if self.process() {
            // Tasks were woken (likely onto this very worker): go and run them, don't sleep.
            return;
        }
        if self.shared.clock.is_paused() {
            self.park_paused(below, timeout);
            return;
        }
        if timeout == Some(Duration::ZERO) {
            // A look that never sleeps (a worker's maintenance poll, every 61 ticks): the
            // timers were just processed, and with no sleep there is no wake-up deadline to
            // publish (`wake_at` stays 0, "awake"). Measured: the full sequence below took 12
            // wheel locks per poll, 44 instructions per spawned task in callgrind.
            below.park(timeout);
            return;
        }
        let next = self.next_expiration();
        let now = self.shared.now_ms();
        let limit =
            timeout.map(|t| now.saturating_add(u64::try_from(t.as_millis()).unwrap_or(u64::MAX)));
        let wake = match (limit, next) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.shared
            .wake_at
            .store(wake.unwrap_or(u64::MAX).max(1), SeqCst);
        // Look again: a timer registered before the store and after the first look is seen
        // here; one registered after this look sees the store and unparks us.
        let again = self.next_expiration();
        let sleep = match (wake, again) {
            (_, Some(b)) if wake.is_none_or(|a| b < a) => Some(Duration::ZERO),
            (Some(at), _) => Some(Duration::from_millis(at.saturating_sub(now))),
            (None, _) => None,
        };
        let sleep = match (sleep, timeout) {
            // Never sleep past the caller's own timeout (sub-millisecond precision kept).
            (Some(s), Some(t)) => Some(s.min(t)),
            (s, t) => s.or(t),
        };
        below.park(sleep);
        self.shared.wake_at.store(0, SeqCst);
        self.process();
    }
}

impl Shared {
    /// Fires every due timer into `fired`, then wakes them with no lock held; returns whether
    /// any fired.
    fn process(&self, fired: &mut Vec<Waker>) -> bool {
        let now = self.now_ms();
        for wheel in self.wheels.iter() {
            lock(wheel).wheel.advance(now, fired);
        }
        let any = !fired.is_empty();
        // A waker is user code: one that panics must not unwind out of the worker driving the
        // timers (it holds the shared driver) nor keep the rest of the batch asleep.
        unwind::wake_all(fired.drain(..));
        any
    }

    fn next_expiration(&self) -> Option<u64> {
        self.wheels
            .iter()
            .filter_map(|w| lock(w).wheel.next_expiration())
            .min()
    }

    fn is_quiescent(&self) -> bool {
        let probe = self.quiescent.lock().clone();
        probe.is_some_and(|probe| probe())
    }

    /// Milliseconds since the origin, rounded down: with deadlines rounded up, a timer fires
    /// only once its deadline has really passed.
    fn now_ms(&self) -> u64 {
        let ms = self
            .clock
            .now()
            .saturating_duration_since(self.origin)
            .as_millis();
        u64::try_from(ms).unwrap_or(u64::MAX)
    }

    /// Milliseconds since the origin, rounded up: a timer never fires before its deadline.
    fn to_ms(&self, at: Instant) -> u64 {
        let nanos = at
            .into_std()
            .saturating_duration_since(self.origin)
            .as_nanos();
        u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX)
    }

    fn unpark_if_earlier(&self, ms: u64) {
        if ms < self.wake_at.load(SeqCst) {
            self.unpark.unpark();
        }
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
    fn wheel(&self) -> MutexGuard<'_, WheelState> {
        lock(&self.shared.wheels[self.wheel])
    }

    /// A handle for a worker thread: registers into a wheel of its own (round-robin over the
    /// wheels after wheel 0).
    pub fn for_worker(&self) -> TimerHandle {
        let n = self.shared.wheels.len();
        let wheel = if n == 1 {
            0
        } else {
            1 + self.shared.next_wheel.fetch_add(1, Relaxed) % (n - 1)
        };
        TimerHandle {
            shared: self.shared.clone(),
            wheel,
        }
    }

    /// Arms a timer for `deadline` that wakes `waker`; `None` when the driver's runtime has
    /// closed (the caller registers with the fallback driver instead).
    pub(crate) fn register(&self, deadline: Instant, waker: &Waker) -> Option<Key> {
        let ms = self.shared.to_ms(deadline);
        let key = {
            let mut state = self.wheel();
            if state.closed {
                return None;
            }
            state.wheel.insert(ms, waker.clone())
        };
        self.shared.unpark_if_earlier(ms);
        Some(key)
    }

    /// Moves an armed (or fired) timer to `deadline`; `false` when the runtime closed.
    pub(crate) fn reset(&self, key: Key, deadline: Instant, waker: Option<&Waker>) -> bool {
        let ms = self.shared.to_ms(deadline);
        {
            let mut state = self.wheel();
            if state.closed {
                return false;
            }
            state.wheel.reset(key, ms, waker);
        }
        self.shared.unpark_if_earlier(ms);
        true
    }

    /// Checks a timer; while it is armed, makes `waker` the one it wakes.
    pub(crate) fn poll(&self, key: Key, waker: &Waker) -> Poll {
        let mut state = self.wheel();
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
        self.wheel().wheel.remove(key);
    }

    /// The clock of this driver's runtime (asyncio: `loop.time()`).
    pub fn now(&self) -> Instant {
        Instant::from(self.shared.clock.now())
    }

    /// Stops this runtime's clock (see `weft::time::pause`).
    pub fn pause(&self) {
        self.shared.clock.pause(self.shared.origin);
    }

    /// Lets this runtime's clock run again from where it stands.
    pub fn resume(&self) {
        self.shared.clock.resume();
        // A driver parked on the paused clock sleeps without a deadline: make it look again.
        self.shared.unpark.unpark();
    }

    /// Whether this runtime's clock is paused.
    pub fn is_paused(&self) -> bool {
        self.shared.clock.is_paused()
    }

    /// Moves this runtime's paused clock forward by `d` and fires what fell due, in deadline
    /// order, on the calling thread (the wakers run here; the woken tasks run on their
    /// runtime). `false`, with nothing moved, when the clock is not paused.
    pub fn advance(&self, d: Duration) -> bool {
        let start = self.shared.clock.now();
        let target = start.checked_add(d).unwrap_or(start);
        let mut fired = Vec::new();
        // Step from deadline to deadline so timers fire in order, each seeing the clock at
        // its own deadline (never past it while earlier ones are still to fire).
        loop {
            let next = self
                .shared
                .next_expiration()
                .map(|ms| self.shared.origin + Duration::from_millis(ms))
                .filter(|&at| at <= target);
            let step = next.unwrap_or(target);
            if !self.shared.clock.advance_to(step) {
                return false;
            }
            self.shared.process(&mut fired);
            if next.is_none() || self.stuck_at(step) {
                // Done; or a slot start the wheel cannot get past (it is not after the clock):
                // jump to the target, where everything due fires.
                self.shared.clock.advance_to(target);
                self.shared.process(&mut fired);
                return true;
            }
        }
    }

    /// Whether the wheels' next slot start is still at or before `at` after processing up to
    /// it (no progress to be made by stepping there again).
    fn stuck_at(&self, at: std::time::Instant) -> bool {
        self.shared
            .next_expiration()
            .is_some_and(|ms| self.shared.origin + Duration::from_millis(ms) <= at)
    }

    /// Sets the probe that says whether the runtime is quiescent (see `Shared::quiescent`).
    pub fn set_quiescent(&self, probe: Quiescent) {
        *self.shared.quiescent.lock() = Some(probe);
    }

    /// Closes every wheel (its runtime closed): every armed timer's waker is woken, so a
    /// `Sleep` still polled elsewhere moves to the fallback driver; later registrations are
    /// refused.
    pub fn close(&self) {
        // The probe holds the runtime's scheduler, which holds this driver: let go of it.
        let probe = self.shared.quiescent.lock().take();
        drop(probe);
        let mut wakers = Vec::new();
        for wheel in self.shared.wheels.iter() {
            let mut state = lock(wheel);
            state.closed = true;
            wakers.extend(state.wheel.clear_wakers());
        }
        unwind::wake_all(wakers);
    }

    /// Timers armed now, over all wheels.
    pub fn num_timers(&self) -> usize {
        self.shared.wheels.iter().map(|w| lock(w).wheel.len()).sum()
    }

    /// Whether the two handles refer to the same driver.
    pub fn ptr_eq(&self, other: &TimerHandle) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl std::fmt::Debug for TimerHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerHandle")
            .field("wheel", &self.wheel)
            .field("timers", &self.num_timers())
            .finish()
    }
}

/// The wheel new timers on this thread use: the `timer` of the thread's scope (a runtime puts
/// a [`TimerHandle`] there on its workers and inside `block_on`; see `Scope` in weft-core's
/// context), or else the fallback driver's (`crate::fallback`: a layer of weft-core's
/// fallback thread, which also drives the fallback I/O reactor).
pub(crate) fn current() -> TimerHandle {
    runtime_current().unwrap_or_else(|| crate::fallback::timers().clone())
}

/// The timer handle of the runtime the calling thread is inside, if any (no fallback).
pub(crate) fn runtime_current() -> Option<TimerHandle> {
    weft_core::context::with_scope(|scope| {
        scope.timer.as_ref()?.downcast_ref::<TimerHandle>().cloned()
    })
    .flatten()
}

/// The clock of the runtime the calling thread is inside, if any.
pub(crate) fn runtime_now() -> Option<Instant> {
    weft_core::context::with_scope(|scope| {
        let timer = scope.timer.as_ref()?.downcast_ref::<TimerHandle>()?;
        Some(timer.now())
    })
    .flatten()
}
