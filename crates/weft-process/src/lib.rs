//! weft-process: child processes and signals for the `weft` runtime, over weft-io.
//!
//! Users name these as `weft::process::...` and `weft::signal::...`.
//!
//! - [`process`]: `Command`, `Child` and its pipes; every child reaped without blocking a
//!   thread (a pidfd per child on Linux, SIGCHLD elsewhere), orphans in the background.
//! - [`signal`]: `ctrl_c()`, `unix::signal(SignalKind)` and its `Signal::recv`: one
//!   process-wide handler per signal number that only counts the delivery and writes a byte to
//!   a pipe the fallback reactor watches; every listener compares the count with the last one
//!   it saw.

pub mod process;
pub mod signal;

#[cfg(weft_loom)]
#[doc(hidden)]
pub mod loom_internals {
    //! What the loom models drive directly. Compiled only under `--cfg weft_loom`.
    use std::io;
    use std::task::{Context, Poll};

    /// A listener's poll (`signal/unix.rs`), with the count and the pipe given by the model.
    pub fn poll_delivery(
        seen: &mut u64,
        delivered: impl Fn() -> u64,
        cx: &mut Context<'_>,
        wait: impl FnMut(&mut Context<'_>) -> Poll<io::Result<()>>,
    ) -> Poll<Option<()>> {
        crate::signal::unix::poll_delivery(seen, delivered, cx, wait)
    }

    /// Runs `future` in the background, polled by whoever wakes it (`process/detached.rs`,
    /// the orphans' reaper): polled once here, then inline in its waker's `wake`.
    pub fn spawn_detached(future: impl std::future::Future<Output = ()> + Send + 'static) {
        crate::process::detached::spawn(future)
    }
}
