//! Idle tracking: how many workers are unparked, how many of those are searching for work, and
//! which workers sleep. See `README.md` beside this file for the protocol and why it loses no
//! wake-up.
//!
//! # The state word
//!
//! `state` packs two counters: the low [`SEARCH_BITS`] bits count searching workers, the rest
//! count unparked workers (searching ones included). It changes only by read-modify-write,
//! which always reads the newest value; that is what the no-lost-wake-up argument rests on
//! (every RMW here is `SeqCst`, and the argument only needs them to be totally ordered on this
//! one word and to be release/acquire, which RMWs on one location are).
//!
//! # Invariants
//!
//! - `searching <= unparked <= workers`.
//! - A worker index is in `sleepers` exactly while that worker counts as parked.
//! - At most half the workers (rounded up) search at once.

use crate::sync::{AtomicUsize, Mutex, MutexGuard};
use std::sync::atomic::Ordering::SeqCst;

const SEARCH_BITS: usize = 16;
const SEARCH_MASK: usize = (1 << SEARCH_BITS) - 1;
const UNPARKED_ONE: usize = 1 << SEARCH_BITS;

/// Which workers sleep and which search.
pub(crate) struct Idle {
    state: AtomicUsize,
    sleepers: Mutex<Vec<usize>>,
    workers: usize,
}

fn searching(state: usize) -> usize {
    state & SEARCH_MASK
}

fn unparked(state: usize) -> usize {
    state >> SEARCH_BITS
}

impl Idle {
    /// All `workers` start unparked and not searching.
    pub(crate) fn new(workers: usize) -> Idle {
        assert!(workers < SEARCH_MASK, "too many workers");
        Idle {
            state: AtomicUsize::new(workers * UNPARKED_ONE),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            workers,
        }
    }

    fn sleepers(&self) -> MutexGuard<'_, Vec<usize>> {
        // No code that can panic runs under this lock.
        self.sleepers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// New work was queued: returns the worker to wake, if one must be woken. The chosen
    /// worker is counted as unparked and searching before this returns.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.notify_should_wake() {
            return None;
        }
        let mut sleepers = self.sleepers();
        // Re-check under the lock: another notifier may have woken a worker meanwhile.
        if !self.notify_should_wake() {
            return None;
        }
        let index = sleepers.pop()?;
        // SeqCst RMW: ordered with the searchers' decrements (see the module doc).
        self.state.fetch_add(UNPARKED_ONE | 1, SeqCst);
        Some(index)
    }

    /// Nobody is searching and some worker sleeps.
    fn notify_should_wake(&self) -> bool {
        // An RMW rather than a load: it reads the newest value, and it orders the work the
        // caller just queued before any later decrement of the searching count (a searcher that
        // decrements after this sees the work; see README.md).
        let state = self.state.fetch_add(0, SeqCst);
        searching(state) == 0 && unparked(state) < self.workers
    }

    /// The worker wants to search. Returns `false` (it must not) when half the workers
    /// already search.
    pub(crate) fn transition_worker_to_searching(&self) -> bool {
        let state = self.state.load(SeqCst);
        if 2 * searching(state) >= self.workers {
            return false;
        }
        // The limit is a soft bound: two workers racing past the check both search.
        self.state.fetch_add(1, SeqCst);
        true
    }

    /// A searching worker found work. Returns `true` when it was the last searcher: it must
    /// then wake another worker so that someone keeps looking for the rest of the work.
    #[must_use]
    pub(crate) fn transition_worker_from_searching(&self) -> bool {
        // SeqCst RMW: pairs with notify_should_wake.
        let prev = self.state.fetch_sub(1, SeqCst);
        searching(prev) == 1
    }

    /// The worker goes to sleep. Returns `true` when it was the last searcher: it must then
    /// check every queue once more before it sleeps.
    #[must_use]
    pub(crate) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> bool {
        let mut sleepers = self.sleepers();
        let dec = UNPARKED_ONE + usize::from(is_searching);
        // SeqCst RMW: pairs with notify_should_wake.
        let prev = self.state.fetch_sub(dec, SeqCst);
        sleepers.push(index);
        is_searching && searching(prev) == 1
    }

    /// The worker woke up. Returns `true` when a notifier woke it (it is now counted as
    /// searching); `false` when it woke on its own (timeout, spurious): it is then counted as
    /// unparked, not searching.
    pub(crate) fn transition_worker_from_parked(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers();
        match sleepers.iter().position(|&i| i == index) {
            None => true,
            Some(pos) => {
                sleepers.swap_remove(pos);
                self.state.fetch_add(UNPARKED_ONE, SeqCst);
                false
            }
        }
    }

    /// How many workers are searching now (a hint).
    #[cfg(test)]
    pub(crate) fn num_searching(&self) -> usize {
        searching(self.state.load(SeqCst))
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::Idle;

    #[test]
    fn a_sleeping_worker_is_woken_when_nobody_searches() {
        let idle = Idle::new(2);
        assert!(!idle.transition_worker_to_parked(1, false));
        assert_eq!(idle.worker_to_notify(), Some(1));
        assert!(idle.transition_worker_from_parked(1));
        assert_eq!(idle.num_searching(), 1);
    }

    #[test]
    fn nobody_is_woken_while_someone_searches() {
        let idle = Idle::new(2);
        assert!(!idle.transition_worker_to_parked(1, false));
        assert!(idle.transition_worker_to_searching());
        assert_eq!(idle.worker_to_notify(), None);
        assert!(idle.transition_worker_to_parked(0, true));
    }

    #[test]
    fn at_most_half_the_workers_search() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
    }

    #[test]
    fn a_worker_that_wakes_on_its_own_is_not_searching() {
        let idle = Idle::new(2);
        assert!(!idle.transition_worker_to_parked(0, false));
        assert!(!idle.transition_worker_from_parked(0));
        assert_eq!(idle.num_searching(), 0);
        assert_eq!(idle.worker_to_notify(), None);
    }
}
