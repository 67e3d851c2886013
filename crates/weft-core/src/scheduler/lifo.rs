//! The LIFO slot: the task most recently scheduled by a worker's running task, run next by that
//! worker (hot in its cache: the request/response and spawn-then-await patterns).
//!
//! The slot is an atomic pointer rather than a field of the worker, so that another worker can
//! take the task when the owner is stuck in a long poll (see `README.md`, "stuck owners"). The
//! owner and thieves both take with `swap`, so exactly one of them gets a given task.
//!
//! # Orderings
//!
//! `put` swaps with `AcqRel`: Release publishes the task (written by whoever created or woke
//! it) to the next taker; Acquire makes the displaced task's writes visible to the owner, who
//! moves it into its queue. `take` swaps with `AcqRel` for the same two reasons. The emptiness
//! check before `take` is `Relaxed`: it is only a hint that saves the swap, and a wrong "empty"
//! is harmless (the owner, who alone fills the slot, checks again on its next tick; thieves are
//! only a fallback).

use crate::sync::AtomicPtr;
use crate::task::Notified;
use std::ptr::{self, NonNull};
use std::sync::atomic::Ordering::{AcqRel, Relaxed};

/// One stealable slot holding at most one task.
pub(crate) struct LifoSlot(AtomicPtr<()>);

impl LifoSlot {
    pub(crate) fn new() -> LifoSlot {
        LifoSlot(AtomicPtr::new(ptr::null_mut()))
    }

    /// Puts `task` in the slot; returns the task it displaced.
    pub(crate) fn put(&self, task: Notified) -> Option<Notified> {
        let old = self.0.swap(task.into_raw().as_ptr(), AcqRel);
        // SAFETY: a non-null pointer in the slot came from `into_raw` and the swap made us its
        // only owner.
        NonNull::new(old).map(|p| unsafe { Notified::from_raw_ptr(p) })
    }

    /// Takes the task in the slot, if any.
    pub(crate) fn take(&self) -> Option<Notified> {
        if self.0.load(Relaxed).is_null() {
            return None;
        }
        let old = self.0.swap(ptr::null_mut(), AcqRel);
        // SAFETY: as in `put`.
        NonNull::new(old).map(|p| unsafe { Notified::from_raw_ptr(p) })
    }

    /// Whether a task sits in the slot (a hint).
    pub(crate) fn is_occupied(&self) -> bool {
        !self.0.load(Relaxed).is_null()
    }
}

impl Drop for LifoSlot {
    fn drop(&mut self) {
        drop(self.take());
    }
}
