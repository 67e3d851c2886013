//! `Scheduler`: what runs a runtime's tasks, the work-stealing workers of a `Runtime` or the
//! one thread of a `LocalRuntime`. The facade's `Handle` is the same type for both.

use std::future::Future;
use weft_core::task::{JoinHandle, TaskName};

/// The scheduler behind a [`Handle`](super::Handle).
#[derive(Clone, Debug)]
pub(crate) enum Scheduler {
    /// A `Runtime`'s worker threads.
    Workers(weft_core::scheduler::Handle),
    /// A `LocalRuntime`'s loop (`Send` futures spawned from anywhere run on its thread).
    Local(weft_core::local::Handle),
}

impl Scheduler {
    pub(crate) fn spawn_named<F>(&self, future: F, name: Option<TaskName>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Scheduler::Workers(s) => s.spawn_named(future, name),
            Scheduler::Local(s) => s.spawn_named(future, name),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Scheduler::Workers(s) => s.is_closed(),
            Scheduler::Local(s) => s.is_closed(),
        }
    }

    /// Threads that run tasks: the workers, or the loop's one thread.
    pub(crate) fn num_workers(&self) -> usize {
        match self {
            Scheduler::Workers(s) => s.num_workers(),
            Scheduler::Local(_) => 1,
        }
    }

    /// Whether the tasks' threads have nothing to do (see `HandleInner::is_quiescent`).
    pub(crate) fn is_quiescent(&self) -> bool {
        match self {
            Scheduler::Workers(s) => s.is_quiescent(),
            Scheduler::Local(s) => s.is_quiescent(),
        }
    }

    pub(crate) fn num_live_tasks(&self) -> usize {
        match self {
            Scheduler::Workers(s) => s.num_live_tasks(),
            Scheduler::Local(s) => s.num_live_tasks(),
        }
    }
}
