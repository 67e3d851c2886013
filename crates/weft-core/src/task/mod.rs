//! Tasks: one heap allocation per spawn, a state word, wakers made from the task, `JoinHandle`.
//!
//! # How a task lives
//!
//! `Registry::bind` allocates the task (state: `NOTIFIED | JOIN_INTEREST`, three references:
//! the `JoinHandle`, the first `Notified`, the registry) and links it into the runtime's
//! registry. The scheduler queues the `Notified`; a worker pops it and calls [`Notified::run`],
//! which polls once:
//!
//! - `Ready` or a panic: the output (or the panic as a `JoinError`) goes into the stage, the
//!   state flips to `COMPLETE`, the `JoinHandle`'s waker is woken, the task leaves the registry.
//! - `Pending`: the task goes idle and the `Notified`'s reference is dropped; a waker that fired
//!   during the poll makes it requeue instead (that is how `yield_now` works).
//! - cancelled (by `JoinHandle::abort` or by shutdown): the future is dropped in place and the
//!   handle resolves to a cancelled `JoinError`.
//!
//! Completion records the [`Outcome`] in the state word; done callbacks
//! (`JoinHandle::add_done_callback`) then run in a tiny task of their own, bound into the same
//! registry and scheduled through the same scheduler (see `done.rs`).
//!
//! The allocation is freed when the last reference goes, whoever holds it.
//!
//! # Invariants
//!
//! See `state.rs` for the state word and `raw.rs` for who owns which field when.

mod abort;
mod current;
mod done;
mod error;
mod harness;
mod id;
mod info;
mod join;
pub(crate) mod raw;
mod registry;
mod snapshot;
mod state;
mod trace;
mod waker;

pub use abort::AbortHandle;
pub use done::Outcome;
pub use error::JoinError;
pub use id::TaskId;
pub use info::{TaskInfo, current};
pub use join::JoinHandle;
pub use registry::Registry;
pub use snapshot::{TaskDump, TaskSnapshot, TaskState};
pub use trace::{TaskMeta, TimingGuard, enable_timing, refresh, timing};

use raw::RawTask;
use std::fmt;

/// A task's name, shared by its `JoinHandle` and its `TaskInfo`s. Only named tasks pay for it.
pub type TaskName = Box<str>;

/// Where a task goes when it is woken, and which registry it lives in.
///
/// Implemented by the work-stealing scheduler, the local scheduler and the blocking pool. It
/// is `Clone` because a finished task's done callbacks run in a task of their own, bound with
/// a clone of the finished task's scheduler (a handle: cloning it is an `Arc` increment, paid
/// only by tasks that have done callbacks). The trait is safe to
/// implement: nothing it returns is trusted for memory safety. When a task completes, the
/// harness unlinks it from [`Schedule::registry`] itself, and a registry only unlinks the tasks
/// it bound (each task remembers the registry that linked it), so a registry returned by
/// mistake leaves the task linked where it was; that registry's `close` releases it.
pub trait Schedule: Clone + Send + Sync + Sized + 'static {
    /// A waker fired for an idle task: enqueue it.
    fn schedule(&self, task: Notified);

    /// The task woke itself while it ran (it yielded): enqueue it behind the others.
    fn yield_now(&self, task: Notified) {
        self.schedule(task);
    }

    /// The registry the scheduler's tasks are bound into (see [`Registry::bind`]).
    fn registry(&self) -> &Registry;
}

/// A task that must be polled: what run queues hold. Owns one reference.
pub struct Notified {
    raw: RawTask,
}

// `Notified` is `Send` through `RawTask`.

impl Notified {
    /// # Safety
    ///
    /// The caller gives the new `Notified` one reference to `raw` and `raw`'s `NOTIFIED`
    /// bit stands for it (or it is the first `Notified` of a new task).
    pub(crate) unsafe fn from_raw(raw: RawTask) -> Notified {
        Notified { raw }
    }

    /// Polls the task once (or cancels it, or skips it if it already finished).
    pub fn run(self) {
        let raw = self.raw;
        std::mem::forget(self);
        // SAFETY: we give up the Notified's reference to the poll.
        unsafe { raw.poll() };
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.header().id
    }

    /// The task's identity (id, name, spawn location), holding a reference of its own, so it
    /// outlives the run (debug mode reports a slow poll after it).
    pub fn info(&self) -> TaskInfo {
        TaskInfo::of(self.raw)
    }

    /// Cancels the task without running it (when it can never run, e.g. no thread could be
    /// started for it): its future is dropped and its `JoinHandle` resolves cancelled. A task
    /// that is running elsewhere is only marked cancelled.
    pub fn cancel(self) {
        let raw = self.raw;
        std::mem::forget(self);
        // SAFETY: the Notified's reference is handed to shutdown, which uses it as the
        // poller's reference; the task stays linked in its registry, whose reference
        // `complete` releases when it unlinks the task.
        unsafe { raw.shutdown() };
    }

    /// Turns the entry into a raw pointer, for intrusive queues and atomic slots.
    pub fn into_raw(self) -> std::ptr::NonNull<()> {
        let ptr = self.raw.header_ptr().cast();
        std::mem::forget(self);
        ptr
    }

    /// # Safety
    ///
    /// `ptr` came from [`Notified::into_raw`] and is used once.
    pub unsafe fn from_raw_ptr(ptr: std::ptr::NonNull<()>) -> Notified {
        // SAFETY: the caller returns a pointer made by `into_raw`, with its reference.
        let raw = unsafe { RawTask::from_raw(ptr.cast()) };
        Notified { raw }
    }
}

impl Drop for Notified {
    fn drop(&mut self) {
        // A Notified dropped without running (a queue drained at shutdown). The task stays in
        // the registry, which cancels it.
        // SAFETY: the Notified owns one reference.
        unsafe { self.raw.drop_reference() };
    }
}

impl fmt::Debug for Notified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified").field("id", &self.id()).finish()
    }
}
