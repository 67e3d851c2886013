//! Each worker's counters (`Handle::metrics`): written by the worker alone, with relaxed loads
//! and stores in its own cache line (its `Remote`), read by anyone with no ordering. They are
//! statistics, not a protocol: std's atomics even under loom.

use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// One worker's counters.
#[derive(Default)]
pub(crate) struct WorkerCounters {
    polls: AtomicU64,
    steals: AtomicU64,
    parks: AtomicU64,
    busy_nanos: AtomicU64,
}

/// Adds `n` to a counter only its owner writes (no read-modify-write).
fn bump(counter: &AtomicU64, n: u64) {
    counter.store(counter.load(Relaxed).wrapping_add(n), Relaxed);
}

impl WorkerCounters {
    pub(crate) fn polled(&self) {
        bump(&self.polls, 1);
    }
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
}

impl WorkerCounters {
    pub(crate) fn read(&self, local_queue_depth: usize) -> WorkerMetrics {
        WorkerMetrics {
            polls: self.polls.load(Relaxed),
            steals: self.steals.load(Relaxed),
            parks: self.parks.load(Relaxed),
            busy: Duration::from_nanos(self.busy_nanos.load(Relaxed)),
            local_queue_depth,
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
