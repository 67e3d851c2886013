//! `JoinSet`: a set of spawned tasks, awaited in completion order (asyncio: `TaskGroup`,
//! `as_completed`).

use super::Builder as TaskBuilder;
use crate::ready::ReadySet;
use crate::runtime::Handle;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use weft_core::task::{AbortHandle, JoinError, JoinHandle};

/// A set of tasks spawned together; `join_next` returns them as they finish.
///
/// Dropping the set aborts every task still in it (asyncio's `TaskGroup` cancels its tasks when
/// the group fails), so no task outlives its set by accident.
///
/// ```
/// weft::run(async {
///     let mut set = weft::task::JoinSet::new();
///     for i in 0..3u64 {
///         set.spawn(async move { i });
///     }
///     let mut sum = 0;
///     while let Some(result) = set.join_next().await {
///         sum += result.unwrap();
///     }
///     assert_eq!(sum, 3);
/// });
/// ```
pub struct JoinSet<T> {
    tasks: Vec<Option<JoinHandle<T>>>,
    free: Vec<usize>,
    ready: ReadySet,
    /// Woken slots not polled yet.
    pending: Vec<usize>,
    scratch: Vec<usize>,
    len: usize,
}

impl<T> Default for JoinSet<T> {
    fn default() -> JoinSet<T> {
        JoinSet::new()
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    pub fn new() -> JoinSet<T> {
        JoinSet {
            tasks: Vec::new(),
            free: Vec::new(),
            ready: ReadySet::new(),
            pending: Vec::new(),
            scratch: Vec::new(),
            len: 0,
        }
    }

    /// Tasks not yet returned by `join_next` (aborted ones included until they are returned).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether every task was returned by `join_next`.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Aborts every task in the set; each is still returned by `join_next` (as cancelled, or
    /// with its output if it finished first).
    pub fn abort_all(&mut self) {
        for handle in self.tasks.iter().flatten() {
            handle.abort();
        }
    }

    /// Aborts every task and waits until all of them are gone.
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for the next task to finish and returns its result, or `None` when the set is
    /// empty.
    pub fn join_next(&mut self) -> JoinNext<'_, T> {
        JoinNext { set: self }
    }

    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let slot = self.free.pop();
        let index = self.ready.insert(slot);
        if index == self.tasks.len() {
            self.tasks.push(Some(handle));
        } else {
            self.tasks[index] = Some(handle);
        }
        self.len += 1;
        abort
    }

    fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        loop {
            if self.pending.is_empty() {
                self.ready.take_ready(cx, &mut self.scratch);
                if self.scratch.is_empty() {
                    return Poll::Pending;
                }
                self.pending.append(&mut self.scratch);
            }
            while let Some(index) = self.pending.pop() {
                let Some(handle) = self.tasks[index].as_mut() else {
                    continue; // a stale wake of a slot already returned
                };
                let mut child_cx = Context::from_waker(self.ready.waker(index));
                if let Poll::Ready(result) = Pin::new(handle).poll(&mut child_cx) {
                    self.tasks[index] = None;
                    self.free.push(index);
                    self.len -= 1;
                    return Poll::Ready(Some(result));
                }
            }
        }
    }
}

impl<T: Send + 'static> JoinSet<T> {
    /// Spawns `future` on the current runtime and adds it to the set; the handle cancels that
    /// one task.
    ///
    /// # Panics
    ///
    /// Outside a runtime, as [`weft::spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(crate::spawn(future))
    }

    /// Spawns `future` on the runtime of `handle` and adds it to the set.
    #[track_caller]
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs `f` on the current runtime's blocking pool (as [`weft::spawn_blocking`]) and adds
    /// the job to the set. Aborting it only stops a job that has not started.
    ///
    /// # Panics
    ///
    /// Outside a runtime, as [`weft::spawn_blocking`].
    ///
    /// [`weft::spawn_blocking`]: crate::spawn_blocking
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, f: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
    {
        self.insert(crate::spawn_blocking(f))
    }

    /// A builder for a task with options (a name) that goes into this set.
    ///
    /// ```
    /// weft::run(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.build_task().name("fetch").spawn(async {
    ///         weft::task::current().and_then(|t| t.name().map(String::from))
    ///     });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap().as_deref(), Some("fetch"));
    /// });
    /// ```
    pub fn build_task(&mut self) -> SetBuilder<'_, T> {
        SetBuilder {
            set: self,
            task: TaskBuilder::new(),
        }
    }
}

/// A task builder whose task goes into a [`JoinSet`]; from [`JoinSet::build_task`].
#[must_use = "a builder does nothing until `spawn` is called"]
pub struct SetBuilder<'a, T> {
    set: &'a mut JoinSet<T>,
    task: TaskBuilder<'a>,
}

impl<'a, T: Send + 'static> SetBuilder<'a, T> {
    /// The task's name (`JoinHandle::name`, `weft::task::current().name()`).
    pub fn name(mut self, name: &'a str) -> SetBuilder<'a, T> {
        self.task = self.task.name(name);
        self
    }

    /// Spawns the task on the current runtime and adds it to the set.
    ///
    /// # Panics
    ///
    /// Outside a runtime, as [`weft::spawn`](crate::spawn).
    #[track_caller]
    pub fn spawn<F>(self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        let handle = self.task.spawn(future);
        self.set.insert(handle)
    }

    /// Spawns the task on the runtime of `handle` and adds it to the set.
    #[track_caller]
    pub fn spawn_on<F>(self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
    {
        let handle = self.task.spawn_on(future, handle);
        self.set.insert(handle)
    }
}

impl<T> fmt::Debug for SetBuilder<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetBuilder")
            .field("task", &self.task)
            .finish()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

/// The future returned by [`JoinSet::join_next`].
#[must_use = "futures do nothing unless awaited"]
pub struct JoinNext<'a, T> {
    set: &'a mut JoinSet<T>,
}

impl<T> Future for JoinNext<'_, T> {
    type Output = Option<Result<T, JoinError>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.set.poll_join_next(cx)
    }
}

impl<T> fmt::Debug for JoinNext<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinNext")
            .field("len", &self.set.len)
            .finish()
    }
}
