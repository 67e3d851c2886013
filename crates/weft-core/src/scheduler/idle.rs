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
//! - A worker parks *timed* (it wakes on its own after a while to look for stuck work) when
//!   another worker was unparked as it parked, and *indefinitely* only when it was the last
//!   unparked worker. `timed` counts the timed sleepers; it changes under the sleepers lock.

use crate::sync::{AtomicUsize, Mutex, MutexGuard, fence};
use std::sync::atomic::Ordering::SeqCst;

const SEARCH_BITS: usize = 16;
const SEARCH_MASK: usize = (1 << SEARCH_BITS) - 1;
const UNPARKED_ONE: usize = 1 << SEARCH_BITS;

/// Which workers sleep and which search.
pub(crate) struct Idle {
    state: AtomicUsize,
    /// Sleeping workers, each with whether it sleeps timed.
    sleepers: Mutex<Vec<(usize, bool)>>,
    timed: AtomicUsize,
    workers: usize,
}

/// How a worker went to sleep.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Parked {
    /// Nobody searches any more: the worker was the last searcher, or its search was refused
    /// and the searchers it saw have all stopped since. It must look at every queue once more
    /// ([`Idle::worker_to_notify_after_parking`]), or work queued meanwhile could wait.
    pub(crate) final_look: bool,
    /// Another worker is unparked: sleep with a timeout, to look for work stuck behind it.
    pub(crate) timed: bool,
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
            timed: AtomicUsize::new(0),
            workers,
        }
    }

    fn sleepers(&self) -> MutexGuard<'_, Vec<(usize, bool)>> {
        // No code that can panic runs under this lock.
        self.sleepers.lock()
    }

    /// New work was queued: returns the worker to wake, if one must be woken. The chosen
    /// worker is counted as unparked and searching before this returns.
    pub(crate) fn worker_to_notify(&self) -> Option<usize> {
        if !self.notify_should_wake() {
            return None;
        }
        let mut sleepers = self.sleepers();
        // Re-check under the lock: another notifier may have woken a worker meanwhile. An RMW:
        // it reads the newest value (this path is rare: a wake is likely).
        let state = self.state.fetch_add(0, SeqCst);
        if !(searching(state) == 0 && unparked(state) < self.workers) {
            return None;
        }
        let (index, timed) = sleepers.pop()?;
        if timed {
            self.timed.fetch_sub(1, SeqCst);
        }
        // SeqCst RMW: ordered with the searchers' decrements (see the module doc).
        self.state.fetch_add(UNPARKED_ONE | 1, SeqCst);
        Some(index)
    }

    /// Nobody is searching and some worker sleeps.
    fn notify_should_wake(&self) -> bool {
        // A fence and a load, not an RMW: this runs after every push (each yield of a busy
        // worker), and an RMW moved the idle word's cache line between the cores every time
        // (perf: a tenth of a yield loop's time). The store-buffer pattern with the fence in
        // `worker_to_notify_after_parking`: either this load sees a parker's decrement, or
        // that parker's look at the queues sees the work the caller queued before this fence
        // (README.md, "Why no wake-up is lost").
        fence(SeqCst);
        let state = self.state.load(SeqCst);
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

    /// The worker goes to sleep; see [`Parked`] for what it must do.
    pub(crate) fn transition_worker_to_parked(&self, index: usize, is_searching: bool) -> Parked {
        let mut sleepers = self.sleepers();
        let dec = UNPARKED_ONE + usize::from(is_searching);
        // SeqCst RMW: pairs with notify_should_wake and with `rescue_available`.
        let prev = self.state.fetch_sub(dec, SeqCst);
        let timed = unparked(prev) > 1;
        if timed {
            self.timed.fetch_add(1, SeqCst);
        }
        sleepers.push((index, timed));
        Parked {
            // No searcher is left after this decrement. For a searcher: it was the last one.
            // For a worker whose search was refused: the searchers that refused it stopped
            // before it parked, and a notifier in between saw it unparked and woke nobody
            // (see README.md, "Why no wake-up is lost").
            final_look: searching(prev) == usize::from(is_searching),
            timed,
        }
    }

    /// The final look of a worker that just parked: when nobody searches any more
    /// (`parked.final_look`) and `has_queued_work` (it looks at every queue a sleeping worker
    /// could take from) finds work, returns the worker to wake, as [`Idle::worker_to_notify`]
    /// (it may be the caller itself: it then searches instead of sleeping).
    pub(crate) fn worker_to_notify_after_parking(
        &self,
        parked: Parked,
        has_queued_work: impl FnOnce() -> bool,
    ) -> Option<usize> {
        if !parked.final_look {
            return None;
        }
        // Pairs with the fence in `notify_should_wake`: a notifier whose load did not see our
        // decrement queued its work before its fence, and this look, after ours, sees it.
        fence(SeqCst);
        if has_queued_work() {
            self.worker_to_notify()
        } else {
            None
        }
    }

    /// Whether, besides the caller (an unparked worker), some worker is unparked or sleeps
    /// timed, and so will look at the caller's LIFO slot if the caller gets stuck.
    pub(crate) fn rescue_available(&self) -> bool {
        // A load, not an RMW: coherence on the idle word is all this needs. The caller's own
        // unpark was an RMW on the word, so this load sees that or a later value. A worker
        // whose park RMW came before the caller's unpark saw the caller parked and may sleep
        // untimed, but then this load comes after both and counts the caller alone: no
        // rescuer, the caller notifies. One whose park RMW came after saw the caller unparked
        // and sleeps timed (checked by the loom model `a_lifo_push_always_has_a_rescuer_or_
        // wakes_one`). An RMW here moved the word's cache line between the cores on every LIFO
        // push.
        let state = self.state.load(SeqCst);
        unparked(state) > 1 || self.timed.load(SeqCst) > 0
    }

    /// The worker woke up. Returns `true` when a notifier woke it (it is now counted as
    /// searching); `false` when it woke on its own (timeout, spurious): it is then counted as
    /// unparked, not searching.
    pub(crate) fn transition_worker_from_parked(&self, index: usize) -> bool {
        let mut sleepers = self.sleepers();
        match sleepers.iter().position(|&(i, _)| i == index) {
            None => true,
            Some(pos) => {
                let (_, timed) = sleepers.swap_remove(pos);
                if timed {
                    self.timed.fetch_sub(1, SeqCst);
                }
                self.state.fetch_add(UNPARKED_ONE, SeqCst);
                false
            }
        }
    }

    /// Whether every worker is parked (an RMW: it reads the newest value, and a worker's
    /// park, which came after whatever it queued, is a release this acquires).
    pub(crate) fn all_parked(&self) -> bool {
        unparked(self.state.fetch_add(0, SeqCst)) == 0
    }

    /// How many workers are searching now (a hint).
    #[cfg(test)]
    pub(crate) fn num_searching(&self) -> usize {
        searching(self.state.load(SeqCst))
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::{Idle, Parked};

    #[test]
    fn a_sleeping_worker_is_woken_when_nobody_searches() {
        let idle = Idle::new(2);
        let _ = idle.transition_worker_to_parked(1, false);
        assert_eq!(idle.worker_to_notify(), Some(1));
        assert!(idle.transition_worker_from_parked(1));
        assert_eq!(idle.num_searching(), 1);
    }

    #[test]
    fn nobody_is_woken_while_someone_searches() {
        let idle = Idle::new(2);
        let _ = idle.transition_worker_to_parked(1, false);
        assert!(idle.transition_worker_to_searching());
        assert_eq!(idle.worker_to_notify(), None);
        assert!(idle.transition_worker_to_parked(0, true).final_look);
    }

    #[test]
    fn only_the_last_unparked_worker_sleeps_without_a_timeout() {
        let idle = Idle::new(2);
        assert!(idle.rescue_available());
        let first = idle.transition_worker_to_parked(0, false);
        assert!(first.timed, "worker 1 is still unparked");
        assert!(idle.rescue_available(), "worker 0 sleeps timed");
        let last = idle.transition_worker_to_parked(1, false);
        assert!(!last.timed, "nobody is left to get stuck");
        assert!(!idle.transition_worker_from_parked(0));
        assert!(
            !idle.rescue_available(),
            "worker 0 is alone, worker 1 sleeps for good"
        );
    }

    #[test]
    fn only_a_parker_that_leaves_nobody_searching_looks_again() {
        let idle = Idle::new(4);
        assert!(idle.transition_worker_to_searching());
        assert!(idle.transition_worker_to_searching());
        assert!(
            !idle.transition_worker_to_searching(),
            "refused: half search"
        );
        assert!(!idle.transition_worker_to_parked(3, false).final_look);
        assert!(!idle.transition_worker_to_parked(2, true).final_look);
        assert!(
            idle.transition_worker_to_parked(1, true).final_look,
            "last searcher"
        );
        assert!(
            idle.transition_worker_to_parked(0, false).final_look,
            "refused earlier, but nobody searches now"
        );
    }

    #[test]
    fn the_final_look_wakes_a_sleeper_only_when_it_finds_work() {
        let idle = Idle::new(2);
        assert!(idle.transition_worker_to_searching());
        let parked = idle.transition_worker_to_parked(1, true);
        assert_eq!(idle.worker_to_notify_after_parking(parked, || false), None);
        assert_eq!(
            idle.worker_to_notify_after_parking(parked, || true),
            Some(1)
        );
        let mut looked = false;
        let not_last = Parked {
            final_look: false,
            timed: false,
        };
        let _ = idle.worker_to_notify_after_parking(not_last, || {
            looked = true;
            true
        });
        assert!(
            !looked,
            "a parker that leaves a searcher behind does not look"
        );
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
        let _ = idle.transition_worker_to_parked(0, false);
        assert!(!idle.transition_worker_from_parked(0));
        assert_eq!(idle.num_searching(), 0);
        assert_eq!(idle.worker_to_notify(), None);
    }
}
