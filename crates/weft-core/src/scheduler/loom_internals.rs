//! Internals the loom models in `loom-tests/` drive directly. Compiled only under
//! `--cfg weft_loom`; thin wrappers, so the crate's real visibility stays as it is.

use super::idle;
use super::lifo;
use super::park;
use crate::task::Notified;
use std::time::Duration;

/// The idle set (see `idle.rs`).
pub struct Idle(idle::Idle);

impl Idle {
    /// `workers` workers, all unparked.
    pub fn new(workers: usize) -> Idle {
        Idle(idle::Idle::new(workers))
    }
    /// See `Idle::worker_to_notify`.
    pub fn worker_to_notify(&self) -> Option<usize> {
        self.0.worker_to_notify()
    }
    /// See `Idle::transition_worker_to_searching`.
    pub fn transition_worker_to_searching(&self) -> bool {
        self.0.transition_worker_to_searching()
    }
    /// See `Idle::transition_worker_from_searching`.
    pub fn transition_worker_from_searching(&self) -> bool {
        self.0.transition_worker_from_searching()
    }
    /// See `Idle::transition_worker_to_parked`.
    pub fn transition_worker_to_parked(&self, index: usize, searching: bool) -> Parked {
        Parked(self.0.transition_worker_to_parked(index, searching))
    }
    /// The worker's own final look after parking (`Idle::worker_to_notify_after_parking`,
    /// the function `worker.rs` calls): `has_queued_work` stands for its look at the queues.
    pub fn worker_to_notify_after_parking(
        &self,
        parked: Parked,
        has_queued_work: impl FnOnce() -> bool,
    ) -> Option<usize> {
        self.0
            .worker_to_notify_after_parking(parked.0, has_queued_work)
    }
    /// See `Idle::transition_worker_from_parked`.
    pub fn transition_worker_from_parked(&self, index: usize) -> bool {
        self.0.transition_worker_from_parked(index)
    }
    /// See `Idle::rescue_available`.
    pub fn rescue_available(&self) -> bool {
        self.0.rescue_available()
    }
}

/// How a worker went to sleep (see `idle::Parked`).
#[derive(Debug, Clone, Copy)]
pub struct Parked(idle::Parked);

impl Parked {
    /// Nobody searches any more: the worker must look at the queues once more.
    pub fn final_look(&self) -> bool {
        self.0.final_look
    }
    /// It sleeps with a timeout (another worker was unparked).
    pub fn timed(&self) -> bool {
        self.0.timed
    }
}

/// The LIFO slot (see `lifo.rs`).
pub struct LifoSlot(lifo::LifoSlot);

impl Default for LifoSlot {
    fn default() -> LifoSlot {
        LifoSlot(lifo::LifoSlot::new())
    }
}

impl LifoSlot {
    /// Puts a task; returns the one displaced.
    pub fn put(&self, task: Notified) -> Option<Notified> {
        self.0.put(task)
    }
    /// Takes the task, if any.
    pub fn take(&self) -> Option<Notified> {
        self.0.take()
    }
    /// A thief's look (see `LifoSlot::steal_if_stuck`): `polls` is the owner's poll count,
    /// `seen` the thief's memory of its previous look (start it at `u64::MAX`).
    pub fn steal_if_stuck(
        &self,
        polls: &crate::sync::AtomicU64,
        seen: &std::cell::Cell<u64>,
    ) -> Option<Notified> {
        self.0.steal_if_stuck(polls, seen)
    }
}

/// A worker's parker (see `park.rs`), without a driver.
pub struct Parker(park::Parker);

/// Wakes a [`Parker`].
#[derive(Clone)]
pub struct Unparker(park::Unparker);

impl Default for Parker {
    fn default() -> Parker {
        Parker(park::Parker::new(None))
    }
}

impl Parker {
    /// An unparker for this parker.
    pub fn unparker(&self) -> Unparker {
        Unparker(self.0.unparker())
    }
    /// Parks until unparked (or the timeout, or spuriously).
    pub fn park(&self, timeout: Option<Duration>) {
        self.0.park(timeout);
    }
}

impl Unparker {
    /// Unparks.
    pub fn unpark(&self) {
        self.0.unpark();
    }
}
