//! The runtime's clock: real time, or virtual time for tests (paused, advanced by hand or
//! automatically when the runtime has nothing else to do).
//!
//! Each timer driver (one per runtime) owns a [`Clock`]. `Instant::now()` on a thread inside a
//! runtime reads that runtime's clock; elsewhere it reads real time.
//!
//! # States
//!
//! A clock reads `base + (real now - since)` while it runs and `base` while it is paused
//! (`since` is `None`). A new clock is `base = since = real now`: real time. [`Clock::pause`]
//! freezes the reading; [`Clock::advance_to`] moves a paused clock forward; [`Clock::resume`] lets
//! it run again from where it stands (it never jumps back).
//!
//! # Cost when unused
//!
//! A clock that was never paused reads real time without its lock: `virtual_` is set (once,
//! never cleared) by the first `pause`. `Instant::now()` looks for the current runtime's clock
//! only while some clock in the process is virtual ([`VIRTUAL_CLOCKS`]), so a program that
//! never pauses time pays one relaxed load per `now()`.
//!
//! Orderings: `virtual_` and `VIRTUAL_CLOCKS` are written before the paused state is stored
//! under the lock; a reader that sees them (`Acquire`, pairing with the `Release` stores) then
//! reads the state under the lock. A reader on another thread that has not yet seen a pause
//! reads real time once more: pausing is not a synchronization point for other threads (a
//! test pauses before it starts what it measures, or starts the runtime paused).

use crate::sync::Mutex;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Instant as StdInstant;

/// Clocks in the process that were ever paused (and are still alive).
static VIRTUAL_CLOCKS: AtomicUsize = AtomicUsize::new(0);

/// Whether any clock in the process is virtual: only then does `Instant::now()` look for the
/// current runtime's clock.
pub(crate) fn any_virtual() -> bool {
    VIRTUAL_CLOCKS.load(Acquire) != 0
}

/// One runtime's clock (see the module doc).
pub(crate) struct Clock {
    virtual_: AtomicBool,
    state: Mutex<State>,
}

struct State {
    base: StdInstant,
    /// Real time when it last started running; `None` while paused.
    since: Option<StdInstant>,
}

impl State {
    fn now(&self) -> StdInstant {
        match self.since {
            None => self.base,
            Some(since) => self.base + since.elapsed(),
        }
    }
}

impl Clock {
    /// A clock on real time.
    pub(crate) fn new() -> Clock {
        let now = StdInstant::now();
        Clock {
            virtual_: AtomicBool::new(false),
            state: Mutex::new(State {
                base: now,
                since: Some(now),
            }),
        }
    }

    /// The clock's reading.
    pub(crate) fn now(&self) -> StdInstant {
        if !self.virtual_.load(Acquire) {
            return StdInstant::now();
        }
        self.state.lock().now()
    }

    /// Whether the clock is paused now.
    pub(crate) fn is_paused(&self) -> bool {
        self.virtual_.load(Acquire) && self.state.lock().since.is_none()
    }

    /// Stops the clock, at the next whole millisecond after `origin` (the timer wheel's
    /// grid: it moves forward by less than a millisecond, never back), so that deadlines a
    /// whole number of milliseconds away are reached exactly. Pausing a paused clock changes
    /// nothing.
    pub(crate) fn pause(&self, origin: StdInstant) {
        if !self.virtual_.swap(true, Release) {
            // Release: pairs with `any_virtual`'s Acquire.
            VIRTUAL_CLOCKS.fetch_add(1, Release);
        }
        let mut state = self.state.lock();
        if state.since.is_some() {
            let now = state.now();
            let nanos = now.saturating_duration_since(origin).as_nanos();
            let ms = u64::try_from(nanos.div_ceil(1_000_000)).unwrap_or(u64::MAX);
            let on_grid = origin
                .checked_add(std::time::Duration::from_millis(ms))
                .unwrap_or(now);
            state.base = on_grid.max(now);
            state.since = None;
        }
    }

    /// Lets a paused clock run again, from where it stands.
    pub(crate) fn resume(&self) {
        let mut state = self.state.lock();
        if state.since.is_none() {
            state.since = Some(StdInstant::now());
        }
    }

    /// Moves a paused clock forward to `to` (never back); `false` when it is not paused.
    pub(crate) fn advance_to(&self, to: StdInstant) -> bool {
        let mut state = self.state.lock();
        if state.since.is_some() {
            return false;
        }
        state.base = state.base.max(to);
        true
    }
}

impl Drop for Clock {
    fn drop(&mut self) {
        if self.virtual_.load(Relaxed) {
            VIRTUAL_CLOCKS.fetch_sub(1, Release);
        }
    }
}
