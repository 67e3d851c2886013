//! `LocalRuntime`: asyncio's event loop, one thread running every task, callback, timer and
//! I/O wake-up, so spawned futures need not be `Send`.
//!
//! The loop runs on the thread that calls [`LocalRuntime::block_on`] or
//! [`LocalRuntime::run_forever`], which is the thread that made it (a `LocalRuntime` is
//! `!Send`). Its [`Handle`] is the same type as a `Runtime`'s and `Send + Sync`: other threads
//! `spawn` `Send` futures, `call_soon`, `call_later` and `stop` through it, and what they send
//! runs on the loop's thread. One per thread, on as many threads as you like
//! (thread-per-core).

use super::handle::{Handle, RunningGuard};
use super::{Builder, closed_panic};
use std::fmt;
use std::future::Future;
use std::io;
use weft_core::task::JoinHandle;

/// An event loop on one thread (asyncio's loop): tasks need not be `Send`.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let rt = weft::LocalRuntime::new()?;
/// let log = Rc::new(RefCell::new(Vec::new()));
/// rt.block_on(async {
///     let mut tasks = Vec::new();
///     for i in 0..3 {
///         let log = log.clone();
///         tasks.push(weft::task::spawn_local(async move {
///             weft::task::yield_now().await;
///             log.borrow_mut().push(i); // an Rc<RefCell<_>> held across an .await
///         }));
///     }
///     for task in tasks {
///         task.await.unwrap();
///     }
/// });
/// assert_eq!(*log.borrow(), [0, 1, 2]);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Dropping it closes it.
pub struct LocalRuntime {
    handle: Handle,
    core: weft_core::local::Core,
}

impl LocalRuntime {
    /// A loop with the default settings (see [`Builder::build_local`]).
    ///
    /// # Errors
    ///
    /// The OS error when the reactor cannot be made.
    pub fn new() -> io::Result<LocalRuntime> {
        Builder::new().build_local()
    }

    pub(crate) fn new_with(handle: Handle, core: weft_core::local::Core) -> LocalRuntime {
        LocalRuntime { handle, core }
    }

    /// Runs `future` to completion on this thread, running the loop's tasks, callbacks,
    /// timers and I/O meanwhile (asyncio: `run_until_complete`).
    ///
    /// # Panics
    ///
    /// With a message about nesting on a thread that already drives a runtime (a worker, or
    /// inside another `block_on`), and with a message saying the runtime is closed after
    /// [`LocalRuntime::close`].
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        if self.is_closed() {
            closed_panic("block_on");
        }
        let _driving = weft_core::context::enter_runtime();
        let _current = self.handle.enter();
        let _running = RunningGuard::new(&self.handle.inner.running);
        self.core.block_on(future)
    }

    /// Runs the loop until [`Handle::stop`] is called (from a task, a callback or another
    /// thread; asyncio: `loop.run_forever()`). Returns at once when a stop came before it.
    ///
    /// # Panics
    ///
    /// As [`LocalRuntime::block_on`].
    #[track_caller]
    pub fn run_forever(&self) {
        if self.is_closed() {
            closed_panic("run_forever");
        }
        let _driving = weft_core::context::enter_runtime();
        let _current = self.handle.enter();
        let _running = RunningGuard::new(&self.handle.inner.running);
        self.core.block_on(self.handle.inner.stop.wait_async());
    }

    /// Spawns a future that need not be `Send` onto this loop (asyncio: `loop.create_task`).
    /// It runs at the loop's next `block_on` or `run_forever` (at once if one is running).
    /// After close the handle resolves cancelled.
    #[track_caller]
    pub fn spawn_local<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        self.core
            .spawn_local(future, weft_core::task::TaskMeta::here(None))
    }

    /// Spawns a `Send` future onto this loop; see [`Handle::spawn`].
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// Runs `f` on the loop's blocking pool; see [`Handle::spawn_blocking`].
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// The loop's handle (`Send + Sync`), for other threads and for `call_soon`, `call_later`,
    /// `stop`.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Closes the loop (asyncio: `loop.close()`): drops every unfinished task's future here
    /// (its destructors run), resolves every `JoinHandle`, cancels pending callbacks and
    /// shuts the blocking pool down. Idempotent.
    pub fn close(&self) {
        let _current = self.handle.enter();
        self.core.close();
        self.handle.close_drivers(None);
    }

    /// Whether [`LocalRuntime::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.core.is_closed()
    }

    /// Whether a `block_on` or `run_forever` is in progress (asyncio: `loop.is_running()`).
    pub fn is_running(&self) -> bool {
        self.handle.is_running()
    }
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        if !self.is_closed() {
            self.close();
        }
    }
}

impl fmt::Debug for LocalRuntime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalRuntime")
            .field("core", &self.core)
            .finish()
    }
}
