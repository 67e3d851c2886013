//! The runtime (asyncio's event loop): worker threads running tasks, and the calls that drive
//! it from synchronous code.
//!
//! | asyncio | weft |
//! |---|---|
//! | `asyncio.run(main())` | [`weft::run(main())`](crate::run) |
//! | `loop = new_event_loop()` | [`Runtime::new()`] or [`Builder`] |
//! | `loop.run_until_complete(f)` | [`Runtime::block_on`] |
//! | `loop.create_task(c)` | [`Runtime::spawn`], [`Handle::spawn`], [`crate::spawn`] |
//! | `loop.close()` / `is_closed()` | [`Runtime::close`] / [`Runtime::is_closed`] |

mod builder;
mod handle;
mod inspect;
mod local;
mod metrics;
mod scheduler;
mod signal_handler;

pub use builder::Builder;
pub use handle::{EnterGuard, Handle};
pub use local::LocalRuntime;
pub use metrics::RuntimeMetrics;
pub use weft_core::scheduler::SlowPoll;
pub use weft_core::task::TaskDump;

use std::fmt;
use std::future::Future;
use std::io;
use weft_core::task::JoinHandle;

/// A multi-threaded, work-stealing runtime.
///
/// ```
/// let rt = weft::Runtime::new()?;
/// let task = rt.spawn(async { 40 + 2 });
/// assert_eq!(rt.block_on(task).unwrap(), 42);
/// rt.close();
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Dropping the runtime closes it.
pub struct Runtime {
    handle: Handle,
}

impl Runtime {
    /// A runtime with one worker thread per available core.
    ///
    /// # Errors
    ///
    /// The OS error when a worker thread cannot be started.
    pub fn new() -> io::Result<Runtime> {
        Builder::new().build()
    }

    pub(crate) fn from_handle(handle: Handle) -> Runtime {
        Runtime { handle }
    }

    /// Runs `future` to completion on the calling thread (asyncio: `run_until_complete`);
    /// tasks it spawns run on the workers.
    ///
    /// # Panics
    ///
    /// Panics with a message about nesting when called on a thread that already drives a
    /// runtime (a worker, or inside another `block_on`), and with a message saying the runtime
    /// is closed after [`Runtime::close`] (asyncio: "Event loop is closed").
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.handle.block_on(future)
    }

    /// Spawns `future` onto the runtime, from any thread (asyncio: `loop.create_task`).
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.handle.spawn(future)
    }

    /// The runtime's handle, to clone into other threads and tasks.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    /// Blocks until [`Handle::stop`] is called; see [`Handle::run_forever`].
    #[track_caller]
    pub fn run_forever(&self) {
        self.handle.run_forever();
    }

    /// Whether a `block_on` or `run_forever` is in progress (asyncio: `loop.is_running()`).
    pub fn is_running(&self) -> bool {
        self.handle.is_running()
    }

    /// Closes the runtime (asyncio: `loop.close()`): stops the workers, drops every unfinished
    /// task's future (its destructors run), resolves every `JoinHandle`, and joins the worker
    /// threads. Idempotent. Afterwards, `spawn` returns a handle that resolves to a cancelled
    /// `JoinError` whose message says the runtime is closed; `block_on` and `run_forever`
    /// panic, saying so.
    pub fn close(&self) {
        // Current while the futures are dropped, so a destructor that spawns gets a cancelled
        // handle rather than a "no runtime" panic.
        let _current = self.handle.enter();
        self.handle.close_within(None);
    }

    /// Closes the runtime like [`Runtime::close`], but waits at most `timeout` for blocking
    /// jobs that are already running (tasks are cancelled at once; queued blocking jobs never
    /// start). A job still running after `timeout` is left on its thread, which exits when the
    /// job ends: a job that never ends cannot hang the shutdown.
    pub fn shutdown_timeout(self, timeout: std::time::Duration) {
        let _current = self.handle.enter();
        self.handle.close_within(Some(timeout));
    }

    /// Runs `f` on the blocking pool; see [`Handle::spawn_blocking`].
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.handle.spawn_blocking(f)
    }

    /// Whether [`Runtime::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }
}

impl Drop for Runtime {
    fn drop(&mut self) {
        // After `shutdown_timeout` the runtime is closed already, and a job it left running
        // must not make the drop wait after all.
        if !self.is_closed() {
            self.close();
        }
    }
}

impl fmt::Debug for Runtime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Runtime")
            .field("handle", &self.handle)
            .finish()
    }
}

/// The panic of `block_on` / `run_forever` on a closed runtime (asyncio: "Event loop is
/// closed").
#[track_caller]
pub(crate) fn closed_panic(call: &str) -> ! {
    panic!(
        "{call} called on a closed runtime: the event loop is closed (`close` was called, or \
         the runtime was shut down). Build a new runtime to run more work."
    )
}

/// Runs `future` on a new default runtime and closes the runtime after (asyncio:
/// `asyncio.run(main())`).
///
/// ```
/// let answer = weft::run(async {
///     let task = weft::spawn(async { 21 * 2 });
///     task.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
///
/// # Panics
///
/// Panics with a message about nesting when called from inside a runtime (use `.await`
/// there), and when the runtime's threads cannot be started.
#[track_caller]
pub fn run<F: Future>(future: F) -> F::Output {
    weft_core::context::assert_not_driving();
    let rt = match Runtime::new() {
        Ok(rt) => rt,
        Err(e) => panic!("weft::run could not start a runtime: {e}"),
    };
    rt.block_on(future)
}
