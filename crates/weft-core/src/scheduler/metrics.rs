//! Each worker's counters (`Handle::metrics`): written by the worker alone, with relaxed loads
//! and stores in its own cache line (its `Remote`), read by anyone with no ordering. They are
//! statistics, not a protocol: std's atomics even under loom.

use crate::task::TaskId;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// One worker's counters.
#[derive(Default)]
pub(crate) struct WorkerCounters {
    steals: AtomicU64,
    parks: AtomicU64,
    busy_nanos: AtomicU64,
}

/// Adds `n` to a counter only its owner writes (no read-modify-write).
#[inline]
fn bump(counter: &AtomicU64, n: u64) {
    if cfg!(weft_untraced) {
        return; // the switch that measures observability's cost (see `task/trace.rs`)
    }
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}

impl WorkerCounters {
    pub(crate) fn stole(&self) {
        bump(&self.steals, 1);
    }
    pub(crate) fn parked(&self) {
        bump(&self.parks, 1);
    }
    pub(crate) fn busy_for(&self, d: Duration) {
        bump(
            &self.busy_nanos,
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX),
        );
    }
}

/// What one worker has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorkerMetrics {
    /// Task polls it ran.
    pub polls: u64,
    /// Tasks it took from other workers' queues (and stuck LIFO slots).
    pub steals: u64,
    /// Times it went to sleep.
    pub parks: u64,
    /// Time spent running tasks (counted while polls are timed: debug mode or inspection).
    pub busy: Duration,
    /// Tasks queued on it now (its local queue).
    pub local_queue_depth: usize,
    /// The task it is polling now and for how long so far, seen while polls are timed (debug
    /// mode, inspection); `None` when it polls nothing or polls are not timed.
    pub polling: Option<(TaskId, Duration)>,
}

impl WorkerCounters {
    /// The counters, with the worker's poll count (kept in its `Remote`, where thieves look
    /// at it too), queue depth and current poll.
    pub(crate) fn read(
        &self,
        polls: u64,
        local_queue_depth: usize,
        polling: Option<(TaskId, Duration)>,
    ) -> WorkerMetrics {
        WorkerMetrics {
            polls,
            steals: self.steals.load(Relaxed),
            parks: self.parks.load(Relaxed),
            busy: Duration::from_nanos(self.busy_nanos.load(Relaxed)),
            local_queue_depth,
            polling,
        }
    }
}

/// A scheduler's counters at one moment.
#[derive(Clone, Debug, Default)]
pub struct SchedulerMetrics {
    /// Per worker.
    pub workers: Vec<WorkerMetrics>,
    /// Tasks spawned since start (counted by the registry as it links them).
    pub spawned: u64,
    /// Tasks in the shared injector queue now.
    pub injector_depth: usize,
    /// Tasks spawned and not finished.
    pub alive: usize,
}
