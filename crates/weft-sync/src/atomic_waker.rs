//! `AtomicWaker`: one task's waker, registered by that task and taken by whoever wakes it,
//! without a lock. The `mpsc` receivers keep their waker in one.
//!
//! One thread registers at a time (the owner of the receiving end: `register` is reached only
//! through the receiver's `&mut`), any number wake. The waker cell is guarded by a small state
//! word of three bits:
//!
//! | bit | meaning | set by | cleared by |
//! |---|---|---|---|
//! | `REGISTERING` | the owner is writing its waker: the cell is the owner's | `register`'s first exchange | `register`'s last exchange (or store) |
//! | `WAKING` | a waker is taking the waker out: the cell is that waker's | `wake`'s `fetch_or` | that same `wake` |
//! | `WAITING` | a waker is stored and nobody took it yet | `register`'s last exchange | the `wake` that takes it |
//!
//! # The fast path of `wake`
//!
//! Every push calls `wake`, and nearly always nobody waits: the receiver is busy taking
//! values. So `wake` first only *reads* the word, after a `SeqCst` fence, and returns when
//! neither `WAITING` nor `REGISTERING` is set; a read keeps the word's cache line shared
//! between the senders, where a read-modify-write by each would move it from core to core on
//! every value. `register` ends with a `SeqCst` fence too, after setting `WAITING` and before
//! the owner looks again for what it waits for. The two fences are ordered one way or the other
//! in the single order of `SeqCst` operations:
//!
//! - the waker's fence comes first: the owner's look, after its own fence, sees what the waker
//!   published before its fence (a value's ready flag, the last sender's drop);
//! - the owner's fence comes first: the waker's read, after its fence, sees `WAITING` (or a
//!   later value: another waker took the waker out, and that one wakes the owner), so it takes
//!   the slow path.
//!
//! # The slow path: who owns the cell
//!
//! A `wake` that saw a waker sets `WAKING` with `fetch_or` (`AcqRel`). If the old word had
//! neither `REGISTERING` nor `WAKING`, the cell is its own: it takes the waker, clears the word
//! (`Release`) and wakes it. If `REGISTERING` was set, the owner's last exchange fails on
//! `WAKING`, and the owner takes the waker back and wakes itself. If `WAKING` was set, another
//! `wake` owns the cell and wakes the owner. A `register` that finds `WAKING` set does not
//! store anything: what that waker announces is published already, so it wakes its own task,
//! which looks again when polled.
//!
//! Either the owner's look succeeds or its waker is woken: never neither.

use crate::sync::{AtomicUsize, UnsafeCell, fence};
use std::fmt;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release, SeqCst};
use std::task::Waker;

const IDLE: usize = 0;
const REGISTERING: usize = 1;
const WAKING: usize = 2;
const WAITING: usize = 4;

/// A slot for one task's waker; see the module doc.
pub(crate) struct AtomicWaker {
    state: AtomicUsize,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the waker cell is touched only by the one thread that holds `REGISTERING` or the
// `WAKING` it set itself (module doc), so sharing the slot races with nothing; `Waker` is
// `Send + Sync`.
unsafe impl Send for AtomicWaker {}
// SAFETY: as above.
unsafe impl Sync for AtomicWaker {}

impl AtomicWaker {
    pub(crate) fn new() -> AtomicWaker {
        AtomicWaker {
            state: AtomicUsize::new(IDLE),
            waker: UnsafeCell::new(None),
        }
    }

    /// Stores `waker` (keeping the stored one if it wakes the same task) for the next
    /// [`wake`](AtomicWaker::wake), then fences: the caller's next look at what it waits for is
    /// ordered after the registration (module doc). If a wake runs at the same moment, wakes
    /// `waker` instead of storing it.
    ///
    /// # Safety
    ///
    /// No other thread calls `register` at the same time (the receiver's `&mut` guarantees it).
    pub(crate) unsafe fn register(&self, waker: &Waker) {
        let mut curr = self.state.load(Relaxed);
        loop {
            if curr & WAKING != 0 {
                // A waker owns the cell right now: what it announces is published already, so
                // being polled again is enough. The hint lets that waker finish first (under
                // loom it yields: we cannot make progress until it does).
                waker.wake_by_ref();
                crate::sync::spin_hint();
                return;
            }
            debug_assert_eq!(curr & REGISTERING, 0, "two registrations at once");
            // Acquire: pairs with the Release that ended the last `wake` (its clearing store),
            // so the cell is seen as that waker left it.
            match self
                .state
                .compare_exchange(curr, curr | REGISTERING, Acquire, Relaxed)
            {
                Ok(_) => break,
                Err(actual) => curr = actual,
            }
        }
        let old = self.waker.with_mut(|slot| {
            // SAFETY: REGISTERING is ours: nobody else touches the cell until we clear it.
            let slot = unsafe { &mut *slot };
            match slot {
                Some(stored) if stored.will_wake(waker) => None,
                _ => slot.replace(waker.clone()),
            }
        });
        // AcqRel: Release publishes the stored waker to the `fetch_or` of the `wake` that
        // takes it (Acquire); Acquire, on failure, pairs with the AcqRel `fetch_or` of the
        // `wake` that came in meanwhile.
        match self
            .state
            .compare_exchange(curr | REGISTERING, WAITING, AcqRel, Acquire)
        {
            Ok(_) => {
                // SeqCst: pairs with the fence in `wake` (module doc): the caller's next look
                // comes after it.
                fence(SeqCst);
                drop(old);
            }
            Err(actual) => {
                // A wake came while we registered: it left the cell to us. Take the waker
                // back, give the word back, and wake the waker ourselves.
                debug_assert_ne!(actual & WAKING, 0);
                // SAFETY: still ours: the `wake` that set WAKING saw REGISTERING and left.
                let waker = self.waker.with_mut(|slot| unsafe { (*slot).take() });
                // Release: pairs with the Acquire exchange of the next `register`, or the
                // `fetch_or` of the next `wake`. Clears every bit: while WAKING is set only other
                // wakes change the word, by setting WAKING again. (A read-modify-write rather
                // than a store of IDLE: loom 0.7 let a later `fetch_or` read past such a store,
                // see docs/loom.md.)
                self.state.fetch_and(IDLE, Release);
                drop(old);
                if let Some(waker) = waker {
                    weft_core::unwind::wake(waker);
                }
            }
        }
    }

    /// Takes the stored waker, if any, and wakes it. Callable from any thread, at any time,
    /// after publishing what the owner waits for.
    pub(crate) fn wake(&self) {
        // SeqCst: pairs with the fence at the end of `register` (module doc): either the
        // owner's next look sees what we published, or this read sees WAITING.
        fence(SeqCst);
        if self.state.load(Relaxed) & (WAITING | REGISTERING) == 0 {
            return;
        }
        // AcqRel: Acquire sees the waker the owner stored before its Release exchange; Release
        // orders what we published before a `register` that reads this word.
        let prev = self.state.fetch_or(WAKING, AcqRel);
        if prev & (REGISTERING | WAKING) != 0 {
            // REGISTERING: the owner sees WAKING in its last exchange and wakes itself.
            // WAKING: another `wake` owns the cell, and wakes the owner.
            return;
        }
        // SAFETY: we set WAKING on a word that had neither REGISTERING nor WAKING: the cell
        // is ours until we clear the word.
        let waker = self.waker.with_mut(|slot| unsafe { (*slot).take() });
        // Release: pairs with the Acquire exchange of the next `register`. Clears every bit:
        // while WAKING is set, only other wakes change the word, by setting WAKING again. (A
        // read-modify-write, not a store: see the same clearing in `register`.)
        self.state.fetch_and(IDLE, Release);
        if let Some(waker) = waker {
            weft_core::unwind::wake(waker);
        }
    }
}

impl fmt::Debug for AtomicWaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AtomicWaker").finish_non_exhaustive()
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize as Count, Ordering::SeqCst};
    use std::task::Wake;

    struct Counter(Count);

    impl Wake for Counter {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn counting() -> (Arc<Counter>, Waker) {
        let c = Arc::new(Counter(Count::new(0)));
        (c.clone(), Waker::from(c))
    }

    #[test]
    fn a_registered_waker_is_woken_once() {
        let slot = AtomicWaker::new();
        let (count, waker) = counting();
        // SAFETY: one thread.
        unsafe { slot.register(&waker) };
        slot.wake();
        slot.wake();
        assert_eq!(count.0.load(SeqCst), 1);
    }

    #[test]
    fn a_newer_waker_replaces_the_older() {
        let slot = AtomicWaker::new();
        let (old, old_waker) = counting();
        let (new, new_waker) = counting();
        // SAFETY: one thread.
        unsafe { slot.register(&old_waker) };
        // SAFETY: one thread.
        unsafe { slot.register(&new_waker) };
        slot.wake();
        assert_eq!(old.0.load(SeqCst), 0);
        assert_eq!(new.0.load(SeqCst), 1);
    }

    #[test]
    fn a_wake_with_nothing_registered_stores_nothing() {
        let slot = AtomicWaker::new();
        slot.wake();
        let (count, waker) = counting();
        // SAFETY: one thread.
        unsafe { slot.register(&waker) };
        assert_eq!(count.0.load(SeqCst), 0);
        slot.wake();
        assert_eq!(count.0.load(SeqCst), 1);
    }
}
