//! `Instant`: a point on the runtime's monotonic clock (asyncio: `loop.time()`).

use std::fmt;
use std::ops::{Add, AddAssign, Sub, SubAssign};
use std::time::Duration;

/// A monotonic instant, convertible to and from `std::time::Instant`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(std::time::Instant);

impl Instant {
    /// The current instant: on a thread inside a runtime, that runtime's clock (paused or
    /// advanced in tests, see `weft::time::pause`); elsewhere, real time.
    pub fn now() -> Instant {
        if crate::clock::any_virtual()
            && let Some(now) = crate::driver::runtime_now()
        {
            return now;
        }
        Instant(std::time::Instant::now())
    }

    /// An instant about 30 years from now: what a deadline beyond the clock's range becomes
    /// ("never", for all practical purposes).
    pub fn far_future() -> Instant {
        Instant(std::time::Instant::now() + Duration::from_secs(86_400 * 365 * 30))
    }

    /// `self + d`, or [`Instant::far_future`] when that is past the clock's range.
    pub fn saturating_add(self, d: Duration) -> Instant {
        self.0
            .checked_add(d)
            .map_or_else(Instant::far_future, Instant)
    }

    /// Time since `earlier`, or zero if `earlier` is later.
    pub fn saturating_duration_since(self, earlier: Instant) -> Duration {
        self.0.saturating_duration_since(earlier.0)
    }

    /// Time since `earlier` (zero if `earlier` is later).
    pub fn duration_since(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }

    /// Time elapsed since this instant, on the clock [`Instant::now`] reads (a runtime's
    /// paused clock included).
    pub fn elapsed(self) -> Duration {
        Instant::now().saturating_duration_since(self)
    }

    /// `self + d`, or `None` past the clock's range.
    pub fn checked_add(self, d: Duration) -> Option<Instant> {
        self.0.checked_add(d).map(Instant)
    }

    /// `self - d`, or `None` before the clock's range.
    pub fn checked_sub(self, d: Duration) -> Option<Instant> {
        self.0.checked_sub(d).map(Instant)
    }

    /// The `std::time::Instant` this is.
    pub fn into_std(self) -> std::time::Instant {
        self.0
    }

    /// The instant on the current runtime's clock that is as far from its now as `deadline`
    /// is from the real now: `deadline` itself unless some runtime's clock is paused (then two
    /// clock reads map it). For deadlines computed by code that only knows std's clock
    /// (hyper's timeouts, through `weft::hyper::Timer`).
    pub fn from_real_deadline(deadline: std::time::Instant) -> Instant {
        if !crate::clock::any_virtual() {
            return Instant(deadline);
        }
        let remaining = deadline.saturating_duration_since(std::time::Instant::now());
        Instant::now().saturating_add(remaining)
    }
}

impl From<std::time::Instant> for Instant {
    fn from(i: std::time::Instant) -> Instant {
        Instant(i)
    }
}

impl From<Instant> for std::time::Instant {
    fn from(i: Instant) -> std::time::Instant {
        i.0
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, d: Duration) -> Instant {
        Instant(self.0 + d)
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, d: Duration) {
        self.0 += d;
    }
}

impl Sub<Duration> for Instant {
    type Output = Instant;
    fn sub(self, d: Duration) -> Instant {
        Instant(self.0 - d)
    }
}

impl SubAssign<Duration> for Instant {
    fn sub_assign(&mut self, d: Duration) {
        self.0 -= d;
    }
}

impl Sub<Instant> for Instant {
    type Output = Duration;
    fn sub(self, earlier: Instant) -> Duration {
        self.saturating_duration_since(earlier)
    }
}

impl fmt::Debug for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
