//! `Sleep`: a future that completes at a deadline (asyncio: `await asyncio.sleep(d)`).

use crate::driver::{self, Poll as TimerPoll, TimerHandle};
use crate::instant::Instant;
use crate::wheel::Key;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Waits for `duration` (asyncio: `asyncio.sleep`). Any duration is accepted; one past the
/// clock's range means "never" (about 30 years).
///
/// ```
/// weft::run(async {
///     let start = weft::time::Instant::now();
///     weft::time::sleep(std::time::Duration::from_millis(5)).await;
///     assert!(start.elapsed() >= std::time::Duration::from_millis(5));
/// });
/// ```
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Instant::now().saturating_add(duration))
}

/// Waits until `deadline`.
pub fn sleep_until(deadline: Instant) -> Sleep {
    Sleep {
        deadline,
        timer: None,
    }
}

/// The future returned by [`sleep`] and [`sleep_until`]. Never completes before its deadline;
/// 1 ms resolution. It registers with the current runtime's timer wheel on its first pending
/// poll (or with the fallback driver outside a runtime) and deregisters when dropped.
#[must_use = "futures do nothing unless awaited"]
pub struct Sleep {
    deadline: Instant,
    timer: Option<(TimerHandle, Key)>,
}

impl Sleep {
    /// The instant this sleep completes at.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Whether the deadline has passed.
    pub fn is_elapsed(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// Moves the deadline (earlier or later) without allocating; the sleep can be awaited
    /// again even after it completed.
    pub fn reset(mut self: Pin<&mut Self>, deadline: Instant) {
        self.deadline = deadline;
        // The wheel entry is moved on the next poll (which has a waker), unless it is gone.
        if let Some((timer, key)) = &self.timer
            && !timer.reset(*key, deadline, None)
        {
            self.deregister();
        }
    }

    fn deregister(&mut self) {
        if let Some((timer, key)) = self.timer.take() {
            timer.remove(key);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = std::task::ready!(weft_core::coop::poll_proceed(cx));
        if Instant::now() >= self.deadline {
            coop.made_progress();
            self.deregister();
            return Poll::Ready(());
        }
        let deadline = self.deadline;
        if let Some((timer, key)) = &self.timer {
            match timer.poll(*key, cx.waker()) {
                TimerPoll::Pending => return Poll::Pending,
                // Fired by rounding or a reset raced it: arm it again for the real deadline.
                TimerPoll::Fired => {
                    if timer.reset(*key, deadline, Some(cx.waker())) {
                        return Poll::Pending;
                    }
                    self.deregister();
                }
                TimerPoll::Closed => self.deregister(),
            }
        }
        let mut timer = driver::current();
        let key = loop {
            if let Some(key) = timer.register(deadline, cx.waker()) {
                break key;
            }
            // The current runtime closed; the fallback driver never does.
            timer = crate::fallback::timers().clone();
        };
        self.timer = Some((timer, key));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.deregister();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .field("registered", &self.timer.is_some())
            .finish()
    }
}
