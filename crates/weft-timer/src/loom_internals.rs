//! Internals the loom models in `loom-tests/` drive directly. Compiled only under
//! `--cfg weft_loom`.

use crate::driver::{Poll, TimerHandle};
use crate::instant::Instant;
use crate::wheel::Key;
use std::task::Waker;

/// An armed timer, for the models.
#[derive(Clone, Copy, Debug)]
pub struct Timer(Key);

/// Arms a timer on `handle`'s wheel.
pub fn register(handle: &TimerHandle, deadline: Instant, waker: &Waker) -> Option<Timer> {
    handle.register(deadline, waker).map(Timer)
}

/// Whether the timer fired.
pub fn is_fired(handle: &TimerHandle, timer: Timer) -> bool {
    matches!(handle.poll(timer.0, Waker::noop()), Poll::Fired)
}

/// Moves the timer.
pub fn reset(handle: &TimerHandle, timer: Timer, deadline: Instant) -> bool {
    handle.reset(timer.0, deadline, None)
}

/// Disarms the timer.
pub fn remove(handle: &TimerHandle, timer: Timer) {
    handle.remove(timer.0);
}
