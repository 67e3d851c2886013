//! Tasks (asyncio's `Task`): spawn, name, yield, join, abort.

use crate::runtime::Handle;
use std::future::Future;
use weft_core::task::TaskMeta;

mod join_set;

pub use join_set::{JoinNext, JoinSet, SetBuilder};

pub use weft_core::task::{
    AbortHandle, JoinError, JoinHandle, Outcome, TaskId, TaskInfo, TaskSnapshot, TaskState, current,
};
pub use weft_core::yield_now::{YieldNow, yield_now};

/// Spawns `future` as a task on the current runtime (asyncio: `create_task`).
///
/// ```
/// weft::run(async {
///     let task = weft::spawn(async { "done" });
///     assert_eq!(task.await.unwrap(), "done");
/// });
/// ```
///
/// # Panics
///
/// Panics when called outside a runtime, with a message that says no runtime is running;
/// use [`Runtime::spawn`](crate::Runtime::spawn) or [`Handle::spawn`] from plain threads.
#[track_caller]
pub fn spawn<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let mut future = Some(future);
    let location = std::panic::Location::caller();
    let spawned = Handle::with_current(|handle| {
        // Taken once: `with_current` calls this closure at most once.
        let future = future.take().expect("future taken once");
        handle.spawn_with(
            future,
            TaskMeta {
                name: None,
                location,
            },
        )
    });
    match spawned {
        Some(join) => join,
        None => panic!(
            "weft::spawn called outside a runtime: no weft runtime is running on this thread. \
             Spawn from inside a task or `block_on`, or use `Runtime::spawn` / `Handle::spawn` \
             from other threads."
        ),
    }
}

/// Runs `f` on the current runtime's blocking pool (asyncio: `run_in_executor(None, f)`);
/// see [`Handle::spawn_blocking`].
///
/// # Panics
///
/// Panics when called outside a runtime, with a message that says no runtime is running; use
/// [`Runtime::spawn_blocking`](crate::Runtime::spawn_blocking) or
/// [`blocking::ThreadPool`](crate::blocking::ThreadPool) from plain threads.
#[track_caller]
pub fn spawn_blocking<F, R>(f: F) -> JoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let mut f = Some(f);
    let location = std::panic::Location::caller();
    let spawned = Handle::with_current(|handle| {
        let f = f.take().expect("closure taken once");
        handle.spawn_blocking_with(
            f,
            TaskMeta {
                name: None,
                location,
            },
        )
    });
    match spawned {
        Some(join) => join,
        None => panic!(
            "weft::spawn_blocking called outside a runtime: no weft runtime is running on this \
             thread. Call it from inside a task or `block_on`, or use `Runtime::spawn_blocking` \
             or a `weft::blocking::ThreadPool` from other threads."
        ),
    }
}

/// Spawns a future that need not be `Send` on the [`LocalRuntime`](crate::LocalRuntime)
/// whose loop runs on this thread (asyncio: `create_task` on a one-thread loop). The task
/// runs on this thread only, so it may hold an `Rc<RefCell<_>>` across `.await`.
///
/// ```
/// let rt = weft::LocalRuntime::new()?;
/// let counter = std::rc::Rc::new(std::cell::Cell::new(0));
/// rt.block_on(async {
///     let counter = counter.clone();
///     weft::task::spawn_local(async move { counter.set(counter.get() + 1) })
///         .await
///         .unwrap();
/// });
/// assert_eq!(counter.get(), 1);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Panics
///
/// Anywhere but on the thread of a running `LocalRuntime` (inside its `block_on` or
/// `run_forever`), with a message saying `spawn_local` needs a `LocalRuntime`.
#[track_caller]
pub fn spawn_local<F>(future: F) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    weft_core::local::spawn_local(future, TaskMeta::here(None))
}

/// Every unfinished task of the current runtime (asyncio: `all_tasks()`); see
/// [`Handle::tasks`].
///
/// ```
/// weft::run(async {
///     let me = weft::task::current().map(|t| t.id());
///     let child = weft::task::Builder::new().name("child").spawn(std::future::pending::<()>());
///     let tasks = weft::task::all_tasks();
///     let seen = tasks.iter().find(|t| t.id() == child.id()).unwrap();
///     assert_eq!(seen.name(), Some("child"));
///     assert_eq!(seen.parent(), me); // `None` here: block_on's future is no task
///     child.abort();
/// });
/// ```
///
/// # Panics
///
/// Outside a runtime, with a message that says no runtime is running.
#[track_caller]
pub fn all_tasks() -> Vec<TaskSnapshot> {
    match Handle::try_current() {
        Some(handle) => handle.tasks(),
        None => panic!(
            "weft::task::all_tasks called outside a runtime: no weft runtime is running on \
             this thread. Call it from inside a task or `block_on`, or use `Handle::tasks()`."
        ),
    }
}

/// Spawns tasks with options (asyncio: `create_task(coro, name=...)`).
///
/// ```
/// weft::run(async {
///     let task = weft::task::Builder::new().name("fetch").spawn(async {});
///     assert_eq!(task.name(), Some("fetch"));
/// });
/// ```
#[derive(Debug, Default, Clone)]
pub struct Builder<'a> {
    name: Option<&'a str>,
}

impl<'a> Builder<'a> {
    /// A builder with no options set.
    pub fn new() -> Builder<'a> {
        Builder { name: None }
    }

    /// The task's name, returned by `JoinHandle::name`.
    pub fn name(mut self, name: &'a str) -> Builder<'a> {
        self.name = Some(name);
        self
    }

    /// Spawns on the current runtime.
    ///
    /// # Panics
    ///
    /// Outside a runtime, as [`spawn`].
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let Some(handle) = Handle::try_current() else {
            panic!(
                "task::Builder::spawn called outside a runtime: no weft runtime is running on \
                 this thread. Use `spawn_on(future, &handle)` from other threads."
            );
        };
        self.spawn_on(future, &handle)
    }

    /// Spawns a future that need not be `Send` on the `LocalRuntime` running on this thread;
    /// see [`spawn_local`].
    ///
    /// # Panics
    ///
    /// As [`spawn_local`].
    #[track_caller]
    pub fn spawn_local<F>(self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        weft_core::local::spawn_local(future, TaskMeta::here(self.name.map(Box::from)))
    }

    /// Spawns on the runtime of `handle`, from any thread.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        handle.spawn_named(future, self.name.map(Box::from))
    }
}
