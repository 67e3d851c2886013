//! `JoinHandle`: the awaitable, abortable handle of a spawned task.

use super::abort::AbortHandle;
use super::done::{self, Outcome};
use super::error::JoinError;
use super::id::TaskId;
use super::raw::RawTask;
use crate::coop;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

/// An owned permission to await a task's output (asyncio: the Task object).
///
/// Awaiting it gives `Ok(output)`, or `Err(JoinError)` when the task was cancelled or panicked.
/// Dropping it detaches the task, which runs on.
///
/// ```
/// let rt = weft::Runtime::new()?;
/// let handle = rt.spawn(async { 6 * 7 });
/// assert_eq!(rt.block_on(handle).unwrap(), 42);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct JoinHandle<T> {
    raw: RawTask,
    _output: PhantomData<T>,
}

// SAFETY: the handle only moves a `T` out of the task, which needs `T: Send`; everything else
// it touches is synchronized by the task's state word.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` gives `abort`, `is_finished`, `id` and `name`, which only touch the
// atomic state word and immutable header fields, and `add_done_callback`, which moves a `Send`
// closure into the task's done list under its lock.
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// # Safety
    ///
    /// `raw` is a task with output `T` whose `JoinHandle` reference the new handle takes over.
    pub(crate) unsafe fn new(raw: RawTask) -> JoinHandle<T> {
        JoinHandle {
            raw,
            _output: PhantomData,
        }
    }

    /// Cancels the task (asyncio: `Task.cancel`): its future is dropped at its next suspension
    /// point, at once if it is idle, so its destructors run; awaiting the handle then gives a
    /// `JoinError` whose `is_cancelled()` is true. Aborting a finished task changes nothing.
    pub fn abort(&self) {
        self.raw.abort();
    }

    /// A handle that can cancel the task from elsewhere (another task, a callback, a thread)
    /// while this one stays with whoever awaits the output.
    pub fn abort_handle(&self) -> AbortHandle {
        AbortHandle::new(self.raw)
    }

    /// Runs `f` once the task has finished, with how it finished (asyncio:
    /// `Task.add_done_callback`).
    ///
    /// `f` runs on a thread of the task's scheduler (a worker of its runtime, the loop's
    /// thread of a `LocalRuntime`, a pool thread for a blocking job), as a step of its own
    /// after the task completed, never inside the completion, as a `Handle::call_soon`
    /// callback does. Added after the task finished, it is scheduled at once. Callbacks of one task
    /// run one at a time, in the order they were added. `f` still runs if this handle is
    /// dropped afterwards. If the runtime closes before `f` ran, `f` never runs: it is
    /// dropped. A panic in `f` is caught and reported on stderr; the runtime and the
    /// task's other callbacks go on.
    ///
    /// ```
    /// use weft::task::Outcome;
    ///
    /// let rt = weft::Runtime::new()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let task = rt.spawn(async { panic!("boom") });
    /// let tx2 = tx.clone();
    /// task.add_done_callback(move |outcome| tx.send((1, outcome)).unwrap());
    /// task.add_done_callback(move |outcome| tx2.send((2, outcome)).unwrap());
    /// drop(task);
    /// assert_eq!(rx.recv().unwrap(), (1, Outcome::Panicked));
    /// assert_eq!(rx.recv().unwrap(), (2, Outcome::Panicked));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn add_done_callback<F>(&self, f: F)
    where
        F: FnOnce(Outcome) + Send + 'static,
    {
        done::add(self.raw, Box::new(f));
    }

    /// Whether the task has finished (completed, panicked or been cancelled and dropped).
    pub fn is_finished(&self) -> bool {
        self.raw.state().load().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.header().id
    }

    /// The task's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.raw.header().name.as_deref()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = std::task::ready!(coop::poll_proceed(cx));
        let mut output = Poll::Pending;
        // SAFETY: we are the task's JoinHandle and `output` has the task's output type.
        unsafe {
            self.raw.try_read_output(
                &mut output as *mut Poll<Result<T, JoinError>> as *mut (),
                cx.waker(),
            )
        };
        if output.is_ready() {
            coop.made_progress();
        }
        output
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        // SAFETY: called once, by the handle, giving up its reference.
        unsafe { self.raw.drop_join_handle() };
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .field("name", &self.name())
            .field("finished", &self.is_finished())
            .finish()
    }
}
