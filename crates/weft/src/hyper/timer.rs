//! `Timer`: hyper's timeouts on weft's timers.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// hyper's timer (`hyper::rt::Timer`): each sleep is a [`weft::time::Sleep`](crate::time::Sleep)
/// of the runtime it is first polled on, so it follows that runtime's clock, paused or not.
/// Without a timer, hyper panics as soon as a timeout such as `header_read_timeout` is set.
///
/// ```
/// let mut builder = hyper::server::conn::http1::Builder::new();
/// builder
///     .timer(weft::hyper::Timer::new())
///     .header_read_timeout(std::time::Duration::from_secs(5));
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Timer(());

impl Timer {
    /// The timer (it has no state of its own).
    pub fn new() -> Timer {
        Timer(())
    }
}

/// A hyper sleep over weft's.
struct HyperSleep(crate::time::Sleep);

impl Future for HyperSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // `Sleep` is `Unpin`: it holds its timer entry by key, not by address.
        Pin::new(&mut self.get_mut().0).poll(cx)
    }
}

impl hyper::rt::Sleep for HyperSleep {}

impl hyper::rt::Timer for Timer {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn hyper::rt::Sleep>> {
        Box::pin(HyperSleep(crate::time::sleep(duration)))
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn hyper::rt::Sleep>> {
        // hyper's deadlines are on std's clock: the same instant, unless a runtime's clock is
        // paused (then as far from its now). No clock read in the common case: hyper sets a
        // header-read deadline per request.
        let deadline = weft_timer::Instant::from_real_deadline(deadline);
        Box::pin(HyperSleep(crate::time::sleep_until(deadline)))
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn hyper::rt::Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<HyperSleep>() {
            // Moves the timer entry instead of making a new one (a keep-alive timer is reset
            // on every request).
            Some(ours) => {
                let deadline = weft_timer::Instant::from_real_deadline(new_deadline);
                Pin::new(&mut ours.get_mut().0).reset(deadline);
            }
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}
