//! weft-timer: timers for weft.
//!
//! Under construction: the wheel is here; the driver, `Sleep`, `Timeout` and `Interval` follow.

#[allow(dead_code)]
mod wheel;
