//! weft-timer: timers for weft (asyncio: `sleep`, `wait_for`, `call_later`, `loop.time()`).
//!
//! - [`Wheel`-based driver](TimerDriver): a hierarchical timing wheel (6 levels x 64 slots,
//!   1 ms resolution, O(1) insert and cancel, no allocation per reset), a layer of weft-core's
//!   driver stack: the worker that parks in the stack sleeps until the next deadline and fires
//!   due timers.
//! - [`sleep`], [`sleep_until`], [`timeout`], [`timeout_at`], [`interval`].
//! - Virtual time for tests: each runtime's clock can be paused ([`pause`], [`resume`],
//!   [`advance`]); a paused clock jumps to the next deadline when the runtime is quiescent.
//! - Outside a runtime, timers use a wheel on weft-core's fallback driver thread
//!   ([`fallback`]), started on first use and shared with weft-io's fallback reactor.
//!
//! Users reach these through `weft::time`.

mod clock;
mod driver;
pub mod fallback;
mod instant;
mod interval;
mod pause;
mod sleep;
use weft_core::sync;
mod timeout;
mod wheel;

#[cfg(weft_loom)]
#[doc(hidden)]
pub mod loom_internals;

pub use driver::{Quiescent, TimerDriver, TimerHandle};
pub use instant::Instant;
pub use interval::{Interval, MissedTickBehavior, interval};
pub use pause::{Advance, advance, pause, resume};
pub use sleep::{Sleep, sleep, sleep_until};
pub use timeout::{Elapsed, Timeout, timeout, timeout_at};
