//! Task and registry identifiers, unique within the process.

use std::fmt;
use std::num::NonZeroU64;

/// The identity of a task, unique within the process for its lifetime.
///
/// Ids are handed out in spawn order from one process-wide counter, so they also say which of
/// two tasks was spawned first (on one thread).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(NonZeroU64);

impl TaskId {
    /// Takes the next id.
    pub(crate) fn next() -> TaskId {
        // A plain std atomic even under loom: the counter only has to hand out distinct
        // numbers, it orders nothing else (Relaxed), and it is no protocol to model.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // 2^64 spawns take centuries at a billion per second; wrapping to zero cannot happen.
        TaskId(NonZeroU64::new(id).expect("task id counter overflowed"))
    }

    /// The id as a number.
    pub fn as_u64(self) -> u64 {
        self.0.get()
    }

    /// The id whose number is `n` (`None` for 0, which no task has).
    pub(crate) fn from_u64(n: u64) -> Option<TaskId> {
        NonZeroU64::new(n).map(TaskId)
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The identity of a registry, unique within the process; each task keeps the id of the
/// registry that bound it, so that no other registry ever follows its links.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RegistryId(NonZeroU64);

impl RegistryId {
    pub(crate) fn next() -> RegistryId {
        // A plain std atomic even under loom, as `TaskId::next`: it only hands out distinct
        // numbers (Relaxed) and orders nothing.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        RegistryId(NonZeroU64::new(id).expect("registry id counter overflowed"))
    }
}
