//! `TaskInfo`: what a task can learn about itself (asyncio: `current_task()`).

use super::TaskId;
use super::raw::RawTask;
use std::fmt;

/// The identity of a running task: its id and name. Holds a reference to the task, so the
/// name is borrowed from the task itself (no allocation); cheap to clone.
pub struct TaskInfo {
    raw: RawTask,
}

impl TaskInfo {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.header().id
    }

    /// The task's name, if it was spawned with one.
    pub fn name(&self) -> Option<&str> {
        self.raw.header().name.as_deref()
    }

    /// The source line that spawned the task.
    pub fn spawned_at(&self) -> &'static std::panic::Location<'static> {
        self.raw.header().trace.location
    }

    /// A new `TaskInfo` for `raw`, taking a reference of its own.
    pub(crate) fn of(raw: RawTask) -> TaskInfo {
        raw.state().ref_inc();
        TaskInfo { raw }
    }
}

/// The task being polled on this thread, or `None` outside a task (in `block_on`, on a plain
/// thread, or in a callback).
pub fn current() -> Option<TaskInfo> {
    let ptr = super::current::ptr()?;
    // SAFETY: the pointer is set only for the length of a poll, during which the poller's
    // reference keeps the task alive.
    let raw = unsafe { RawTask::from_raw(ptr) };
    raw.state().ref_inc();
    Some(TaskInfo { raw })
}

impl Clone for TaskInfo {
    fn clone(&self) -> TaskInfo {
        self.raw.state().ref_inc();
        TaskInfo { raw: self.raw }
    }
}

impl Drop for TaskInfo {
    fn drop(&mut self) {
        // SAFETY: the TaskInfo owns one reference (taken in `current` or `clone`).
        unsafe { self.raw.drop_reference() };
    }
}

impl fmt::Debug for TaskInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskInfo")
            .field("id", &self.id())
            .field("name", &self.name())
            .finish()
    }
}
