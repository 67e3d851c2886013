//! `Scheduler`: what runs a runtime's tasks, the work-stealing workers of a `Runtime` or the
//! one thread of a `LocalRuntime`. The facade's `Handle` is the same type for both.

use std::future::Future;
use weft_core::task::{JoinHandle, TaskMeta};

/// The scheduler behind a [`Handle`](super::Handle).
#[derive(Clone, Debug)]
pub(crate) enum Scheduler {
    /// A `Runtime`'s worker threads.
    Workers(weft_core::scheduler::Handle),
    /// A `LocalRuntime`'s loop (`Send` futures spawned from anywhere run on its thread).
    Local(weft_core::local::Handle),
}

impl Scheduler {
    pub(crate) fn spawn_with<F>(&self, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match self {
            Scheduler::Workers(s) => s.spawn_with(future, meta),
            Scheduler::Local(s) => s.spawn_with(future, meta),
        }
    }

    /// Every unfinished task, taken without stopping the scheduler.
    pub(crate) fn tasks(&self) -> Vec<weft_core::task::TaskSnapshot> {
        match self {
            Scheduler::Workers(s) => s.tasks(),
            Scheduler::Local(s) => s.tasks(),
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

    /// The scheduler's counters (a `LocalRuntime`'s: one worker, its loop's thread).
    pub(crate) fn metrics(&self) -> weft_core::scheduler::SchedulerMetrics {
        match self {
            Scheduler::Workers(s) => s.metrics(),
            Scheduler::Local(s) => s.metrics(),
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
