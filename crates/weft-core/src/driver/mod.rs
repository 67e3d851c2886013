//! The driver vocabulary: what a thread with nothing to do blocks in, and what wakes it.
//!
//! - [`Park`] / [`Unpark`]: a layer a thread can block in (the I/O reactor, a thread parker),
//!   and the handle that makes it return from any thread.
//! - [`ThreadPark`]: the one thread parker (a state word, a mutex and a condvar). Workers
//!   without the driver sleep in one, `block_on` sleeps in one, and it is the innermost layer
//!   where there is no I/O.
//! - [`Stack`] and [`Layer`]: a driver stack is one base (`Park`: the reactor or a thread
//!   parker) under layers that wrap each park (the timer wheel turns its next deadline into the
//!   base's timeout). The same stack type serves a runtime's workers and the fallback thread.
//! - [`fallback`]: the process-wide fallback thread, which drives the timers and I/O of
//!   everything used outside a runtime. Timer and I/O plug into it; weft-core knows neither.
//!
//! Every `Park` may return spuriously; callers look at their own state again and park again.

pub mod fallback;
mod stack;
mod thread_park;

pub use stack::{Below, Layer, Stack};
pub use thread_park::ThreadPark;
pub(crate) use thread_park::ThreadParker;

use std::time::Duration;

/// A driver layer a thread can block in: the I/O reactor, a thread parker, or a [`Stack`] of
/// layers over one of them.
pub trait Park: Send + 'static {
    /// Blocks until unparked, until `timeout` passes (`None`: no limit), or spuriously. Does
    /// the driver's work (fires timers, dispatches readiness) before returning.
    fn park(&mut self, timeout: Option<Duration>);

    /// A handle that makes a `park` in progress (or the next one) return. (std's `Arc` even
    /// under loom: a trait object, and its count is no protocol.)
    fn unparker(&self) -> std::sync::Arc<dyn Unpark>;
}

/// Wakes a parked thread or driver, from any thread.
pub trait Unpark: Send + Sync + 'static {
    /// Makes the current or the next `park` return.
    fn unpark(&self);
}
