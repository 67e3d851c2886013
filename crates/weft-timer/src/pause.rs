//! Virtual time for tests: [`pause`], [`resume`], [`advance`] (the clock itself is `clock.rs`).
//!
//! While a runtime's clock is paused, time moves only when told to ([`advance`]) or when the
//! runtime has nothing else to do: every worker idle (or the local loop asleep), no blocking
//! job queued or running, no thread inside the runtime's `block_on` busy, and no I/O ready;
//! then the driver jumps the clock to the next timer's deadline (auto-advance). So a test of
//! a one-hour timeout finishes at once, and timers fire in deadline order.

use crate::driver::{TimerHandle, runtime_current};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

#[track_caller]
fn current(call: &str) -> TimerHandle {
    match runtime_current() {
        Some(timer) => timer,
        None => panic!(
            "weft::time::{call} called outside a runtime: virtual time belongs to a runtime's \
             clock. Call it inside `block_on`, a task, or a `#[weft::test(start_paused = true)]` \
             test, or build the runtime with `Builder::start_paused(true)`."
        ),
    }
}

/// Stops the current runtime's clock (for tests): `Instant::now()` on its threads and
/// `Handle::time()` stand still, and timers fire only when the clock is moved, by [`advance`]
/// or automatically when the runtime has nothing else to do (see the module doc).
///
/// ```
/// use std::time::Duration;
///
/// weft::run(async {
///     weft::time::pause();
///     let start = weft::time::Instant::now();
///     weft::time::sleep(Duration::from_secs(3600)).await; // returns at once
///     assert!(start.elapsed() >= Duration::from_secs(3600));
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime, with a message that says so.
#[track_caller]
pub fn pause() {
    current("pause").pause();
}

/// Lets the current runtime's clock run again, from where it stands (it never goes back).
///
/// # Panics
///
/// Outside a runtime, with a message that says so.
#[track_caller]
pub fn resume() {
    current("resume").resume();
}

/// Moves the current runtime's paused clock forward by `d`, firing the timers that fall due,
/// in deadline order, then yields once so the tasks they woke can run. `Handle::time()`
/// moves by exactly `d`.
///
/// ```
/// use std::time::Duration;
///
/// weft::run(async {
///     weft::time::pause();
///     let start = weft::time::Instant::now();
///     weft::time::advance(Duration::from_secs(90)).await;
///     assert_eq!(weft::time::Instant::now() - start, Duration::from_secs(90));
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime, and when the clock is not paused, with a message that says so.
#[track_caller]
pub fn advance(d: Duration) -> Advance {
    let timer = current("advance");
    if !timer.advance(d) {
        panic!(
            "weft::time::advance called while the clock runs: pause it first \
             (weft::time::pause(), or start the runtime paused)"
        );
    }
    Advance {
        yielded: weft_core::yield_now(),
    }
}

/// The future of [`advance`]: the clock has moved already; awaiting it yields once (as
/// `yield_now`) so the tasks the due timers woke get to run.
#[must_use = "await it to let the woken tasks run"]
#[derive(Debug)]
pub struct Advance {
    yielded: weft_core::yield_now::YieldNow,
}

impl Future for Advance {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.yielded).poll(cx)
    }
}
