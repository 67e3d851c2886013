//! weft-blocking: the thread pool behind `spawn_blocking` (asyncio: `run_in_executor`).
//!
//! Blocking work (file I/O, CPU-heavy computation, a blocking library call) must not run on the
//! runtime's workers, where it would stall every task queued behind it. [`ThreadPool`] runs it
//! on threads of its own: started on demand up to `max_threads`, exiting after `keep_alive`
//! idle, fed by a channel. Each job is a weft-core task, so it returns the same `JoinHandle` as
//! `spawn`, can be aborted before it starts, and turns a panic into a `JoinError`.
//!
//! See `pool.rs` for the accounting that decides when to start a thread and the shutdown
//! protocol.

mod channel;
mod job;
mod pool;

pub use pool::{Builder, ThreadPool};
