//! `Executor`: hyper's background tasks, spawned on a weft runtime.

use crate::runtime::Handle;
use std::future::Future;

/// Spawns the futures hyper hands it (an HTTP/2 connection's streams, a pooled client's
/// connections) as tasks of a weft runtime, detached: hyper keeps its own handles to them.
///
/// ```
/// let rt = weft::Runtime::new()?;
/// let executor = weft::hyper::Executor::new(rt.handle().clone());
/// let builder = hyper::server::conn::http2::Builder::new(executor);
/// # drop(builder);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Executor {
    handle: Handle,
}

impl Executor {
    /// Spawns on the runtime of `handle` (from any thread).
    pub fn new(handle: Handle) -> Executor {
        Executor { handle }
    }

    /// Spawns on the current runtime.
    ///
    /// # Panics
    ///
    /// Outside a runtime, with the message of [`Handle::current`].
    #[track_caller]
    pub fn current() -> Executor {
        Executor::new(Handle::current())
    }
}

impl<F> hyper::rt::Executor<F> for Executor
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    fn execute(&self, future: F) {
        // Detached: dropping the handle leaves the task running.
        drop(self.handle.spawn(future));
    }
}
