//! `Interval`: ticks at a fixed period.

use crate::instant::Instant;
use crate::sleep::{Sleep, sleep_until};
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// What an [`Interval`] does when ticks were missed (the task was busy past a tick).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissedTickBehavior {
    /// Fire the missed ticks back to back, then continue on the original schedule.
    #[default]
    Burst,
    /// Restart the schedule from the late tick: the next one is a full period after it.
    Delay,
    /// Drop the missed ticks and continue on the original schedule's next future tick.
    Skip,
}

/// Ticks every `period`, the first tick at once.
///
/// # Panics
///
/// Panics when `period` is zero.
///
/// ```
/// weft::run(async {
///     let mut ticks = weft::time::interval(std::time::Duration::from_millis(2));
///     let first = ticks.tick().await;
///     let second = ticks.tick().await;
///     assert!(second - first >= std::time::Duration::from_millis(2));
/// });
/// ```
#[track_caller]
pub fn interval(period: Duration) -> Interval {
    assert!(
        !period.is_zero(),
        "interval: the period must be greater than zero"
    );
    Interval {
        period,
        next: Instant::now(),
        sleep: None,
        behavior: MissedTickBehavior::default(),
    }
}

/// A stream of ticks; see [`interval`]. Also a [`Stream`](futures_core::Stream) of the
/// ticks' scheduled instants, which never ends.
#[derive(Debug)]
pub struct Interval {
    period: Duration,
    /// When the next tick is due.
    next: Instant,
    sleep: Option<Sleep>,
    behavior: MissedTickBehavior,
}

impl Interval {
    /// Waits for the next tick and returns when it was scheduled.
    pub async fn tick(&mut self) -> Instant {
        poll_fn(|cx| self.poll_tick(cx)).await
    }

    /// Polls for the next tick.
    pub fn poll_tick(&mut self, cx: &mut Context<'_>) -> Poll<Instant> {
        let due = self.next;
        if Instant::now() < due {
            let sleep = self.sleep.get_or_insert_with(|| sleep_until(due));
            if sleep.deadline() != due {
                Pin::new(&mut *sleep).reset(due);
            }
            std::task::ready!(Pin::new(sleep).poll(cx));
        }
        let now = Instant::now();
        self.next = match self.behavior {
            MissedTickBehavior::Burst => due + self.period,
            MissedTickBehavior::Delay if now > due + self.period => now + self.period,
            MissedTickBehavior::Delay => due + self.period,
            MissedTickBehavior::Skip => {
                let mut next = due + self.period;
                if next <= now {
                    let behind = now.saturating_duration_since(due).as_nanos();
                    let periods = behind / self.period.as_nanos() + 1;
                    let periods = u32::try_from(periods).unwrap_or(u32::MAX);
                    next = due.saturating_add(self.period.saturating_mul(periods));
                }
                next
            }
        };
        Poll::Ready(due)
    }

    /// Sets what happens to missed ticks.
    pub fn set_missed_tick_behavior(&mut self, behavior: MissedTickBehavior) {
        self.behavior = behavior;
    }

    /// The current missed-tick behaviour.
    pub fn missed_tick_behavior(&self) -> MissedTickBehavior {
        self.behavior
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.period
    }

    /// Makes the next tick due one period from now.
    pub fn reset(&mut self) {
        self.next = Instant::now() + self.period;
    }
}

impl futures_core::Stream for Interval {
    type Item = Instant;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Instant>> {
        self.get_mut().poll_tick(cx).map(Some)
    }
}
