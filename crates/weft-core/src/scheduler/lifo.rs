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
//!
//! # Stuck owners
//!
//! A thief takes another worker's slot only through [`LifoSlot::steal_if_stuck`]: when two of
//! its looks in a row saw the slot occupied and the owner's poll count unchanged, the owner
//! has not started a task in between, so it is inside one long poll. The loom model
//! `loom-tests/tests/lifo.rs` checks that a stuck owner's task is taken within two looks
//! after it got stuck, whatever the thief saw while the owner was still filling the slot.

use crate::sync::{AtomicPtr, AtomicU64};
use crate::task::Notified;
use std::cell::Cell;
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

    /// A thief's look at another worker's slot: takes its task when the owner looks stuck,
    /// that is, when the thief saw the slot occupied at the same `polls` (the owner's count
    /// of polls started) on its previous look, kept in `seen`. Each look records what it saw;
    /// a look at an empty slot forgets (so a task put later needs two looks of its own).
    ///
    /// Both loads are `Relaxed` hints: a stale `polls` can only make a thief take a task its
    /// owner would have run soon (harmless: the task runs once either way, the `swap` in
    /// `take` decides who), or wait one look more.
    pub(crate) fn steal_if_stuck(&self, polls: &AtomicU64, seen: &Cell<u64>) -> Option<Notified> {
        if !self.is_occupied() {
            seen.set(u64::MAX);
            return None;
        }
        let now = polls.load(Relaxed);
        if seen.replace(now) == now {
            self.take()
        } else {
            None
        }
    }
}

impl Drop for LifoSlot {
    fn drop(&mut self) {
        drop(self.take());
    }
}
