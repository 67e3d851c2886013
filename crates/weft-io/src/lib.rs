//! weft-io: the I/O reactor (over epoll on Linux, the `polling` crate elsewhere; see `sys/`),
//! `Async<T>`, and TCP, UDP and Unix sockets. Users reach these through `weft::io` and
//! `weft::net`.

mod async_io;
pub mod net;
mod reactor;
#[cfg(not(weft_loom))]
mod readiness;
/// Per-source readiness, reachable by the loom models only.
#[cfg(weft_loom)]
#[doc(hidden)]
pub mod readiness;
mod sys;
use weft_core::sync;

pub use async_io::Async;
pub use reactor::{IoDriver, Reactor, fallback};
