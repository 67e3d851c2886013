//! `Handle`: the `Send + Sync` reference to a one-thread scheduler, and the `Schedule` impl of
//! its tasks.

use super::core::Core;
use super::shared::Shared;
use crate::driver::Unpark;
use crate::sync::Arc;
use crate::task::{JoinHandle, Notified, Registry, Schedule, TaskMeta};
use std::fmt;
use std::future::Future;

/// A reference to a one-thread scheduler (a `LocalRuntime`'s): spawn `Send` futures into it
/// from any thread; they run on the loop's thread.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl Handle {
    pub(crate) fn new(
        unpark: std::sync::Arc<dyn Unpark>,
        debug: Option<crate::scheduler::DebugConfig>,
    ) -> Handle {
        Handle {
            shared: Arc::new(Shared::new(unpark, debug)),
        }
    }

    /// Spawns `future` as a task of this scheduler, from any thread. It runs on the loop's
    /// thread the next time the loop runs. After close the handle resolves cancelled.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(future, TaskMeta::here(None))
    }

    /// Spawns `future` as a task with a name and spawn location.
    pub fn spawn_with<F>(&self, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (handle, notified) = self.shared.registry.bind(future, self.clone(), meta);
        if let Some(task) = notified {
            self.schedule(task);
        }
        handle
    }

    /// Whether the scheduler was closed.
    pub fn is_closed(&self) -> bool {
        self.shared.registry.is_closed()
    }

    /// A snapshot of every unfinished task of this loop.
    pub fn tasks(&self) -> Vec<crate::task::TaskSnapshot> {
        self.shared.registry.snapshot()
    }

    /// The loop's counters now (see `Handle::metrics` of the facade).
    pub fn metrics(&self) -> crate::scheduler::SchedulerMetrics {
        self.shared.metrics()
    }

    /// Number of tasks spawned and not yet finished.
    pub fn num_live_tasks(&self) -> usize {
        self.shared.registry.len()
    }

    /// Whether the loop is asleep with nothing queued, locally or remotely (a paused clock may
    /// then jump to the next deadline). Only the loop's own thread, inside its driver, sees its
    /// local queue; elsewhere this is `false`.
    pub fn is_quiescent(&self) -> bool {
        let local_idle = Core::with_running(|core| {
            Arc::ptr_eq(core.shared(), &self.shared) && core.is_idle_here()
        })
        .unwrap_or(false);
        local_idle && self.shared.remote.is_asleep_and_empty()
    }

    /// Whether two handles refer to the same scheduler.
    pub fn ptr_eq(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl Schedule for Handle {
    fn schedule(&self, task: Notified) {
        let mut task = Some(task);
        Core::with_running(|core| {
            if Arc::ptr_eq(core.shared(), &self.shared) {
                core.push_local(task.take().expect("taken once"));
            }
        });
        if let Some(task) = task {
            self.shared.push_remote(task);
        }
    }

    fn registry(&self) -> &Registry {
        &self.shared.registry
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("local::Handle")
            .field("live_tasks", &self.num_live_tasks())
            .field("closed", &self.is_closed())
            .finish()
    }
}
