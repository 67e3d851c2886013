//! weft-io: the I/O reactor over `polling` (epoll on Linux), `Async<T>`, and TCP, UDP and Unix
//! sockets. Users reach these through `weft::io` and `weft::net`.

mod async_io;
pub mod net;
mod reactor;

pub use async_io::Async;
pub use reactor::{EnterGuard, IoDriver, Reactor, enter, fallback};
