//! `RuntimeMetrics`: a runtime's counters at one moment (`Handle::metrics`).

use std::time::Duration;
use weft_core::scheduler::SchedulerMetrics;
use weft_core::task::TaskId;

/// A runtime's counters, read without stopping it. Counts only grow; depths and counts of
/// things alive now go up and down.
///
/// ```
/// let rt = weft::runtime::Builder::new().worker_threads(2).build()?;
/// rt.block_on(async {
///     for _ in 0..10 {
///         weft::spawn(async {}).await.unwrap();
///     }
/// });
/// let m = rt.handle().metrics();
/// assert_eq!(m.num_workers(), 2);
/// assert!(m.spawned_tasks() >= 10);
/// assert!((0..2).map(|i| m.worker_polls(i)).sum::<u64>() >= 10);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RuntimeMetrics {
    scheduler: SchedulerMetrics,
    blocking_threads: usize,
    idle_blocking_threads: usize,
    blocking_queue_depth: usize,
}

impl RuntimeMetrics {
    pub(crate) fn new(scheduler: SchedulerMetrics, pool: &weft_blocking::ThreadPool) -> Self {
        RuntimeMetrics {
            scheduler,
            blocking_threads: pool.num_threads(),
            idle_blocking_threads: pool.num_idle(),
            blocking_queue_depth: pool.num_queued(),
        }
    }

    /// Worker threads (1 for a `LocalRuntime`: its loop's thread).
    pub fn num_workers(&self) -> usize {
        self.scheduler.workers.len()
    }

    /// Tasks spawned and not finished.
    pub fn num_alive_tasks(&self) -> usize {
        self.scheduler.alive
    }

    /// Tasks spawned since the runtime started.
    pub fn spawned_tasks(&self) -> u64 {
        self.scheduler.spawned
    }

    /// Tasks waiting in the shared queue (spawned or woken from outside the workers).
    pub fn injector_depth(&self) -> usize {
        self.scheduler.injector_depth
    }

    /// Threads of the blocking pool now.
    pub fn blocking_threads(&self) -> usize {
        self.blocking_threads
    }

    /// Blocking threads waiting for a job.
    pub fn idle_blocking_threads(&self) -> usize {
        self.idle_blocking_threads
    }

    /// Blocking jobs queued, not started.
    pub fn blocking_queue_depth(&self) -> usize {
        self.blocking_queue_depth
    }

    fn worker(&self, i: usize) -> weft_core::scheduler::WorkerMetrics {
        self.scheduler.workers.get(i).copied().unwrap_or_else(|| {
            panic!(
                "worker index {i} out of range: the runtime has {} workers",
                self.num_workers()
            )
        })
    }

    /// Task polls worker `i` ran.
    ///
    /// # Panics
    ///
    /// When `i` is not below [`RuntimeMetrics::num_workers`] (so for the `worker_*` below).
    pub fn worker_polls(&self, i: usize) -> u64 {
        self.worker(i).polls
    }

    /// Tasks worker `i` took from other workers.
    pub fn worker_steals(&self, i: usize) -> u64 {
        self.worker(i).steals
    }

    /// Times worker `i` went to sleep.
    pub fn worker_parks(&self, i: usize) -> u64 {
        self.worker(i).parks
    }

    /// Time worker `i` spent running tasks, counted while polls are timed (debug mode or
    /// inspection); zero otherwise.
    pub fn worker_busy(&self, i: usize) -> Duration {
        self.worker(i).busy
    }

    /// Tasks queued on worker `i` now.
    pub fn worker_local_queue_depth(&self, i: usize) -> usize {
        self.worker(i).local_queue_depth
    }

    /// The task worker `i` is polling now and how long that poll has run so far: a worker
    /// stuck in one poll shows here with a growing duration. Seen while polls are timed (debug
    /// mode or inspection); `None` otherwise, and when the worker polls nothing.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = weft::runtime::Builder::new()
    ///     .worker_threads(2)
    ///     .slow_poll_threshold(Duration::from_secs(60))
    ///     .build()?;
    /// let (started_tx, started_rx) = std::sync::mpsc::channel();
    /// let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    /// let blocker = rt.spawn(async move {
    ///     started_tx.send(weft::task::current().unwrap().id()).unwrap();
    ///     release_rx.recv().unwrap(); // blocks its worker, as a blocking call in a task would
    /// });
    /// let id = started_rx.recv().unwrap();
    /// let m = rt.handle().metrics();
    /// let polling: Vec<_> = (0..2).filter_map(|i| m.worker_current_poll(i)).collect();
    /// assert_eq!(polling.len(), 1);
    /// assert_eq!(polling[0].0, id);
    /// release_tx.send(()).unwrap();
    /// rt.block_on(blocker).unwrap();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn worker_current_poll(&self, i: usize) -> Option<(TaskId, Duration)> {
        self.worker(i).polling
    }
}
