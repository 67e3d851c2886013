//! The state all workers of one runtime share: the injector, each worker's stealable parts,
//! idle tracking, the live-task registry, and shutdown.

use super::debug::{DebugConfig, PollClock};
use super::idle::Idle;
use super::lifo::LifoSlot;
use super::metrics::{SchedulerMetrics, WorkerCounters};
use super::park::Unparker;
use super::queue::{Injector, Stealer};
use crate::sync::{AtomicBool, AtomicU64, Mutex, fence, thread};
use crate::task::{Notified, Registry};
use crossbeam_utils::CachePadded;
use std::sync::atomic::Ordering::{Relaxed, SeqCst};

/// What another thread may touch of one worker.
pub(crate) struct Remote {
    /// The thief's end of the worker's local queue.
    pub(crate) stealer: Stealer<Notified>,
    /// The task the worker runs next; stolen only when the worker is stuck.
    pub(crate) lifo: LifoSlot,
    /// Bumped by the worker before each task it runs: its poll count (`Handle::metrics`) and,
    /// to a thief that sees it unchanged across a search round, the sign that the worker is
    /// stuck in one poll. Relaxed: a hint and a statistic, not a guard.
    pub(crate) polls: AtomicU64,
    /// Wakes the worker.
    pub(crate) unparker: Unparker,
    /// The worker's counters (written by the worker alone).
    pub(crate) counters: WorkerCounters,
    /// The worker's current poll, while polls are timed (see `debug.rs`).
    pub(crate) clock: PollClock,
}

pub(crate) struct Shared {
    pub(crate) remotes: Box<[CachePadded<Remote>]>,
    pub(crate) injector: Injector<Notified>,
    pub(crate) idle: Idle,
    pub(crate) registry: Registry,
    /// Set once, by `close`.
    pub(crate) shutdown: AtomicBool,
    /// Debug mode's settings, when it is on.
    pub(crate) debug: Option<DebugConfig>,
    /// Keeps polls timed while debug mode is on.
    _timing: Option<crate::task::TimingGuard>,
    pub(crate) threads: Mutex<Vec<thread::JoinHandle<()>>>,
    /// Serializes `close`, so a second caller returns only when the first is done.
    close_lock: Mutex<()>,
}

impl Shared {
    pub(crate) fn new(remotes: Box<[CachePadded<Remote>]>, debug: Option<DebugConfig>) -> Shared {
        let workers = remotes.len();
        Shared {
            _timing: debug.as_ref().map(|_| crate::task::enable_timing()),
            debug,
            idle: Idle::new(workers),
            remotes,
            injector: Injector::new(),
            registry: Registry::new(workers * 4),
            shutdown: AtomicBool::new(false),
            threads: Mutex::new(Vec::with_capacity(workers)),
            close_lock: Mutex::new(()),
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        // Acquire: a worker that sees shutdown also sees what the closer did before.
        self.shutdown.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Queues `task` from a thread that is not one of the workers: in the injector, waking a
    /// sleeping worker if nobody searches.
    pub(crate) fn push_remote(&self, task: Notified) {
        self.injector.push(task);
        // SeqCst fence: pairs with the one in `close`. Either close's final drain sees this
        // push, or this thread sees `shutdown` and drains the injector itself; a task queued
        // after close is never left holding its runtime alive.
        fence(SeqCst);
        if self.shutdown.load(Relaxed) {
            self.drain_injector();
            return;
        }
        self.notify_parked();
    }

    /// Wakes a sleeping worker if work was queued and nobody is searching for it.
    pub(crate) fn notify_parked(&self) {
        if let Some(index) = self.idle.worker_to_notify() {
            self.remotes[index].unparker.unpark();
        }
    }

    /// Whether any queue a sleeping worker could take from holds a task.
    pub(crate) fn has_queued_work(&self) -> bool {
        !self.injector.is_empty() || self.remotes.iter().any(|r| !r.stealer.is_empty())
    }

    /// Whether the workers have nothing to do: every one parked, nothing queued anywhere
    /// (virtual time's auto-advance). The parked count is read first: a worker queues its work
    /// before it parks, so once its park is seen, so is that work.
    pub(crate) fn is_quiescent(&self) -> bool {
        self.idle.all_parked()
            && !self.has_queued_work()
            && self.remotes.iter().all(|r| !r.lifo.is_occupied())
    }

    /// The counters now (see `metrics.rs`).
    pub(crate) fn metrics(&self) -> SchedulerMetrics {
        let workers: Vec<_> = self
            .remotes
            .iter()
            .map(|r| {
                r.counters
                    .read(r.polls.load(Relaxed), r.stealer.len(), r.clock.polling())
            })
            .collect();
        SchedulerMetrics {
            spawned: self.registry.spawned(),
            workers,
            injector_depth: self.injector.len(),
            alive: self.registry.len(),
        }
    }

    /// The watchdog's life (debug mode only; see `debug::watch`): ends at close.
    pub(crate) fn watch(&self) {
        let Some(debug) = &self.debug else { return };
        let clocks: Vec<&PollClock> = self.remotes.iter().map(|r| &r.clock).collect();
        super::debug::watch(debug, &clocks, &self.registry, || self.is_shutdown());
    }

    fn drain_injector(&self) {
        while let Some(task) = self.injector.pop() {
            drop(task);
        }
    }

    /// Stops the workers, joins their threads (all but worker `me`, the caller's own thread
    /// when a worker closes its runtime: it cannot join itself, and stops after this poll),
    /// and cancels every unfinished task.
    pub(crate) fn close(&self, me: Option<usize>) {
        let _serial = self.close_lock.lock();
        self.shutdown.store(true, SeqCst);
        // SeqCst fence: pairs with the one in `push_remote` (see there).
        fence(SeqCst);
        for remote in self.remotes.iter() {
            remote.unparker.unpark();
        }
        let threads = std::mem::take(&mut *self.threads.lock());
        for (index, t) in threads.into_iter().enumerate() {
            if Some(index) != me {
                // Tasks' panics are caught, so a worker only ends by returning.
                let _ = t.join();
            }
        }
        // Workers drained their own queues as they stopped; what is left was scheduled from
        // outside. Dropping those entries leaves the tasks in the registry, which cancels them:
        // every future is dropped here, every JoinHandle resolves.
        self.drain_injector();
        self.registry.close();
        // Dropping futures may have woken others; they are complete now, drop their entries.
        self.drain_injector();
    }
}
