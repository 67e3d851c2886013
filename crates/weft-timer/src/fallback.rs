//! The timers of everything outside a runtime: one wheel, pushed as a layer onto weft-core's
//! fallback driver thread (`weft-fallback`) the first time a timer outside a runtime is armed.
//! The thread and its I/O base belong to weft-core; this crate only plugs its layer in.

use crate::{TimerDriver, TimerHandle};
use std::sync::OnceLock;

/// The fallback driver's timer wheel, for timers outside any weft runtime.
pub fn timers() -> &'static TimerHandle {
    static TIMERS: OnceLock<TimerHandle> = OnceLock::new();
    TIMERS.get_or_init(|| {
        weft_core::driver::fallback::add_layer(|unpark| {
            let (layer, timers) = TimerDriver::new(unpark, 1);
            (Box::new(layer), timers)
        })
    })
}
