//! The task state word: flag bits plus a reference count, and its named transitions.
//!
//! # Layout
//!
//! One `AtomicUsize`. The low nine bits are flags, the rest count references:
//!
//! | bit | name | meaning |
//! |---|---|---|
//! | 0 | `RUNNING` | someone holds the right to touch the future (poll it, or drop it) |
//! | 1 | `COMPLETE` | the future is gone; the stage holds the output (or it was consumed) |
//! | 2 | `NOTIFIED` | the task must be polled again; at most one `Notified` exists for it |
//! | 3 | `CANCELLED` | abort or shutdown asked for the future to be dropped |
//! | 4 | `JOIN_INTEREST` | a `JoinHandle` exists and wants the output |
//! | 5 | `JOIN_WAKER` | the join waker slot is filled and belongs to the runtime side |
//! | 6 | `DONE_CALLBACKS` | done callbacks wait in the task's list; completion starts them |
//! | 7 | `OUTCOME_PANICKED` | set with `COMPLETE`: the task panicked (see [`Outcome`]) |
//! | 8 | `OUTCOME_CANCELLED` | set with `COMPLETE`: the task was cancelled |
//! | 9.. | refs | one per `JoinHandle`, `Notified`, `Waker`, registry entry and done runner |
//!
//! # Invariants
//!
//! - `RUNNING` and `COMPLETE` are never both set. `COMPLETE` is never cleared.
//! - Only the thread that set `RUNNING` touches the future or writes the stage, until it clears
//!   `RUNNING` or sets `COMPLETE`.
//! - After `COMPLETE`, the stage belongs to the `JoinHandle` while `JOIN_INTEREST` is set, and
//!   to the completing thread otherwise (it drops the output).
//! - The join waker slot is written only by the `JoinHandle`, only while `JOIN_WAKER` is clear
//!   and `COMPLETE` is clear. While `JOIN_WAKER` is set the completing thread may read it.
//! - A `Notified` (a queue entry) exists only while `NOTIFIED` is set or the task is running
//!   with the reference of the `Notified` it was started from; an idle task with `NOTIFIED`
//!   clear is in no queue, so the next wake enqueues it exactly once.
//! - The outcome bits are clear until `COMPLETE` is set, are set in the same operation, and
//!   never change after it: a completed task's outcome can be read from any later snapshot.
//! - `DONE_CALLBACKS` is set only while `COMPLETE` is clear, by `add_done_callback` under the
//!   task's done-list lock, after it queued its callback (see `done.rs`); it is never cleared.
//!   The completer reads it from the snapshot its own `COMPLETE` transition returns.
//! - The allocation is freed when the reference count drops to zero, by whoever dropped it.
//!
//! # Orderings
//!
//! Every read-modify-write is `AcqRel`: a transition both publishes what its thread wrote
//! (the stage, the join waker) and acquires what the previous owner wrote. Reference
//! increments are `Relaxed` (a new reference is derived from an existing one, as in `Arc`);
//! decrements are `AcqRel` so the thread that frees sees every other thread's last access.

use super::done::Outcome;
use crate::sync::AtomicUsize;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};

/// Someone holds the right to poll or drop the future.
pub(crate) const RUNNING: usize = 1 << 0;
/// The future has been dropped and the output (or the error) stored.
pub(crate) const COMPLETE: usize = 1 << 1;
/// The task must be polled again.
pub(crate) const NOTIFIED: usize = 1 << 2;
/// The task was aborted or its runtime is shutting down.
pub(crate) const CANCELLED: usize = 1 << 3;
/// A `JoinHandle` is alive.
pub(crate) const JOIN_INTEREST: usize = 1 << 4;
/// The join waker slot is filled and readable by the completing thread.
pub(crate) const JOIN_WAKER: usize = 1 << 5;
/// Done callbacks are queued in the task's list; whoever completes the task starts them.
pub(crate) const DONE_CALLBACKS: usize = 1 << 6;
/// Outcome bit, set with `COMPLETE`: the future panicked (or a destructor did).
const OUTCOME_PANICKED: usize = 1 << 7;
/// Outcome bit, set with `COMPLETE`: the future was dropped unfinished (abort, shutdown).
const OUTCOME_CANCELLED: usize = 1 << 8;
/// One reference.
const REF_ONE: usize = 1 << 9;

/// A new task: queued once, a `JoinHandle`, and three references (the `JoinHandle`, the first
/// `Notified`, the registry entry).
const INITIAL: usize = NOTIFIED | JOIN_INTEREST | (3 * REF_ONE);

/// A copy of the state word at one moment.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) struct Snapshot(usize);

impl Snapshot {
    fn has(self, flag: usize) -> bool {
        self.0 & flag != 0
    }
    pub(crate) fn is_running(self) -> bool {
        self.has(RUNNING)
    }
    pub(crate) fn is_complete(self) -> bool {
        self.has(COMPLETE)
    }
    pub(crate) fn is_notified(self) -> bool {
        self.has(NOTIFIED)
    }
    pub(crate) fn is_cancelled(self) -> bool {
        self.has(CANCELLED)
    }
    pub(crate) fn is_join_interested(self) -> bool {
        self.has(JOIN_INTEREST)
    }
    pub(crate) fn is_join_waker_set(self) -> bool {
        self.has(JOIN_WAKER)
    }
    pub(crate) fn has_done_callbacks(self) -> bool {
        self.has(DONE_CALLBACKS)
    }
    /// How the task finished; `None` until it has.
    pub(crate) fn outcome(self) -> Option<Outcome> {
        if !self.is_complete() {
            None
        } else if self.has(OUTCOME_PANICKED) {
            Some(Outcome::Panicked)
        } else if self.has(OUTCOME_CANCELLED) {
            Some(Outcome::Cancelled)
        } else {
            Some(Outcome::Completed)
        }
    }
    pub(crate) fn ref_count(self) -> usize {
        self.0 / REF_ONE
    }
    fn is_idle(self) -> bool {
        self.0 & (RUNNING | COMPLETE) == 0
    }
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot")
            .field("running", &self.is_running())
            .field("complete", &self.is_complete())
            .field("notified", &self.is_notified())
            .field("cancelled", &self.is_cancelled())
            .field("join_interest", &self.is_join_interested())
            .field("join_waker", &self.is_join_waker_set())
            .field("done_callbacks", &self.has_done_callbacks())
            .field("outcome", &self.outcome())
            .field("refs", &self.ref_count())
            .finish()
    }
}

/// What the poller does after trying to start a poll.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToRunning {
    /// Poll the future.
    Poll,
    /// The task was cancelled: drop the future and complete with a cancelled error.
    Cancel,
    /// Someone else runs or finished the task: the `Notified`'s reference was dropped.
    Skip,
    /// As `Skip`, and that was the last reference: free the task.
    SkipAndDealloc,
}

/// What the poller does after a poll returned `Pending`.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToIdle {
    /// The task is idle; the poller's reference was dropped.
    Idle,
    /// As `Idle`, and that was the last reference: free the task.
    IdleAndDealloc,
    /// The task was woken while it ran: enqueue it again, reusing the poller's reference.
    Requeue,
    /// The task was cancelled while it ran: drop the future and complete.
    Cancel,
}

/// What a waker does after marking the task notified.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ToNotified {
    /// Nothing to enqueue (already queued, running or complete).
    Nothing,
    /// Enqueue a `Notified`; it owns one reference.
    Submit,
    /// The waker's reference was the last one: free the task.
    Dealloc,
}

/// The state word of one task.
pub(crate) struct State(AtomicUsize);

impl State {
    /// The state of a freshly spawned task (see [`INITIAL`]).
    pub(crate) fn new() -> State {
        State(AtomicUsize::new(INITIAL))
    }

    /// Reads the state.
    pub(crate) fn load(&self) -> Snapshot {
        // Acquire: pairs with the AcqRel transitions, so a reader that sees COMPLETE sees the
        // stored output.
        Snapshot(self.0.load(Acquire))
    }

    /// Applies `f` until the compare-exchange succeeds; `f` returns the next state and an
    /// outcome, or `None` to leave the word untouched.
    fn update<R>(&self, mut f: impl FnMut(Snapshot) -> (Option<usize>, R)) -> R {
        let mut current = self.0.load(Acquire);
        loop {
            let (next, outcome) = f(Snapshot(current));
            let Some(next) = next else { return outcome };
            // AcqRel: see the module doc; every transition pairs with the previous one.
            match self.0.compare_exchange_weak(current, next, AcqRel, Acquire) {
                Ok(_) => return outcome,
                Err(actual) => current = actual,
            }
        }
    }

    /// A worker popped a `Notified` and wants to poll.
    pub(crate) fn transition_to_running(&self) -> ToRunning {
        self.update(|s| {
            if !s.is_idle() {
                let outcome = if s.ref_count() == 1 {
                    ToRunning::SkipAndDealloc
                } else {
                    ToRunning::Skip
                };
                return (Some(s.0 - REF_ONE), outcome);
            }
            let next = (s.0 | RUNNING) & !NOTIFIED;
            let outcome = if s.is_cancelled() {
                ToRunning::Cancel
            } else {
                ToRunning::Poll
            };
            (Some(next), outcome)
        })
    }

    /// The poll returned `Pending`.
    pub(crate) fn transition_to_idle(&self) -> ToIdle {
        self.update(|s| {
            debug_assert!(s.is_running());
            if s.is_cancelled() {
                // Checked before NOTIFIED: shutdown (`transition_to_shutdown`) sets CANCELLED
                // alone and has already given up the registry's reference, so a task going
                // idle here would never be dropped nor its handle resolved (loom:
                // `registry_close_racing_a_poll_that_returns_pending_cancels_the_task`).
                return (None, ToIdle::Cancel);
            }
            if s.is_notified() {
                return (Some(s.0 & !RUNNING), ToIdle::Requeue);
            }
            let outcome = if s.ref_count() == 1 {
                ToIdle::IdleAndDealloc
            } else {
                ToIdle::Idle
            };
            (Some((s.0 & !RUNNING) - REF_ONE), outcome)
        })
    }

    /// The future is gone and the stage holds the output, which ended as `outcome`. Returns
    /// the state before (its `DONE_CALLBACKS` tells the completer to start the callbacks).
    pub(crate) fn transition_to_complete(&self, outcome: Outcome) -> Snapshot {
        // A match, not a shift of the discriminant: inlined at each call site, where the
        // outcome is a constant, it folds away (callgrind: 3 instructions per task fewer).
        let bits = match outcome {
            Outcome::Completed => 0,
            Outcome::Panicked => OUTCOME_PANICKED,
            Outcome::Cancelled => OUTCOME_CANCELLED,
        };
        // The outcome bits are clear before COMPLETE (invariant), so the xor sets them.
        // AcqRel: Release publishes the stage to the JoinHandle (its Acquire load of COMPLETE);
        // Acquire sees the join waker the JoinHandle wrote before setting JOIN_WAKER, and the
        // done list an adder queued into before setting DONE_CALLBACKS.
        let prev = Snapshot(self.0.fetch_xor(RUNNING | COMPLETE | bits, AcqRel));
        debug_assert!(prev.is_running() && !prev.is_complete());
        debug_assert!(prev.0 & (OUTCOME_PANICKED | OUTCOME_CANCELLED) == 0);
        prev
    }

    /// `add_done_callback` queued a callback (under the done-list lock) and asks completion to
    /// start it. `Ok` when the task has not completed: the bit is set (or was), and the
    /// completer will see it in its snapshot. `Err` with the completed snapshot (its outcome)
    /// when it had: the completer did not look for this callback, so the caller starts it.
    pub(crate) fn set_done_callbacks(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            if s.is_complete() {
                (None, Err(s))
            } else if s.has_done_callbacks() {
                (None, Ok(s))
            } else {
                (Some(s.0 | DONE_CALLBACKS), Ok(s))
            }
        })
    }

    /// A waker is consumed by `wake`.
    pub(crate) fn transition_to_notified_by_val(&self) -> ToNotified {
        self.update(|s| {
            if s.is_running() {
                // The poller will requeue the task; drop the waker's reference (the poller
                // holds another, so this is never the last).
                (Some((s.0 | NOTIFIED) - REF_ONE), ToNotified::Nothing)
            } else if s.is_complete() || s.is_notified() {
                let outcome = if s.ref_count() == 1 {
                    ToNotified::Dealloc
                } else {
                    ToNotified::Nothing
                };
                (Some(s.0 - REF_ONE), outcome)
            } else {
                // The waker's reference becomes the Notified's.
                (Some(s.0 | NOTIFIED), ToNotified::Submit)
            }
        })
    }

    /// A waker is used by `wake_by_ref`.
    pub(crate) fn transition_to_notified_by_ref(&self) -> ToNotified {
        self.update(|s| {
            if s.is_complete() || s.is_notified() {
                (None, ToNotified::Nothing)
            } else if s.is_running() {
                (Some(s.0 | NOTIFIED), ToNotified::Nothing)
            } else {
                (Some((s.0 | NOTIFIED) + REF_ONE), ToNotified::Submit)
            }
        })
    }

    /// `JoinHandle::abort`: returns `true` when the caller must enqueue a `Notified` (which
    /// then owns a new reference) so that a worker drops the idle future.
    pub(crate) fn transition_to_notified_and_cancel(&self) -> bool {
        self.update(|s| {
            if s.is_cancelled() || s.is_complete() {
                (None, false)
            } else if s.is_running() || s.is_notified() {
                // The poller (or the pending poll) sees CANCELLED.
                (Some(s.0 | CANCELLED | NOTIFIED), false)
            } else {
                (Some((s.0 | CANCELLED | NOTIFIED) + REF_ONE), true)
            }
        })
    }

    /// Runtime shutdown: marks the task cancelled and, when it is idle, takes `RUNNING` so the
    /// caller drops the future now. Returns `true` when the caller must do so.
    pub(crate) fn transition_to_shutdown(&self) -> bool {
        self.update(|s| {
            if s.is_idle() {
                (Some(s.0 | CANCELLED | RUNNING), true)
            } else {
                (Some(s.0 | CANCELLED), false)
            }
        })
    }

    /// The `JoinHandle` is dropped. `Ok` when the task had not completed: join interest and the
    /// join waker are given up (the snapshot says whether a waker was set, which the caller now
    /// owns and drops). `Err` when it had completed: the caller owns the output and drops it.
    pub(crate) fn unset_join_interest(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested());
            if s.is_complete() {
                (None, Err(s))
            } else {
                (Some(s.0 & !(JOIN_INTEREST | JOIN_WAKER)), Ok(s))
            }
        })
    }

    /// The `JoinHandle` filled the waker slot and hands it to the runtime side. `Err` when the
    /// task completed first (the output is ready; the slot stays the `JoinHandle`'s).
    pub(crate) fn set_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested() && !s.is_join_waker_set());
            if s.is_complete() {
                (None, Err(s))
            } else {
                (Some(s.0 | JOIN_WAKER), Ok(s))
            }
        })
    }

    /// The `JoinHandle` takes the waker slot back to replace the waker. `Err` when the task
    /// completed first.
    pub(crate) fn unset_join_waker(&self) -> Result<Snapshot, Snapshot> {
        self.update(|s| {
            debug_assert!(s.is_join_interested() && s.is_join_waker_set());
            if s.is_complete() {
                (None, Err(s))
            } else {
                (Some(s.0 & !JOIN_WAKER), Ok(s))
            }
        })
    }

    /// Adds one reference (a cloned waker).
    pub(crate) fn ref_inc(&self) {
        // Relaxed: the new reference is made from an existing one, which keeps the task alive;
        // no data is published (as `Arc::clone`).
        let prev = self.0.fetch_add(REF_ONE, Relaxed);
        if prev > isize::MAX as usize {
            // Billions of leaked wakers: the count would wrap. Same policy as `Arc`.
            std::process::abort();
        }
    }

    /// Drops `n` references; `true` when they were the last ones.
    pub(crate) fn ref_dec(&self, n: usize) -> bool {
        // AcqRel: Release publishes this thread's last access to the task; Acquire, on the
        // last drop, sees every other thread's before the memory is freed.
        let prev = Snapshot(self.0.fetch_sub(n * REF_ONE, AcqRel));
        debug_assert!(prev.ref_count() >= n, "task reference count underflow");
        prev.ref_count() == n
    }

    /// The flag bits alone (for tests of the layout).
    #[cfg(test)]
    fn raw(&self) -> usize {
        self.0.load(Acquire) & (REF_ONE - 1)
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;

    #[test]
    fn new_task_is_notified_with_three_references() {
        let state = State::new();
        let s = state.load();
        assert!(s.is_notified() && s.is_join_interested() && !s.is_running());
        assert_eq!(s.ref_count(), 3);
    }

    #[test]
    fn wake_while_running_requeues_after_the_poll() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        state.ref_inc(); // a waker
        assert_eq!(state.transition_to_notified_by_val(), ToNotified::Nothing);
        assert_eq!(state.transition_to_idle(), ToIdle::Requeue);
        assert!(state.load().is_notified());
    }

    #[test]
    fn idle_task_is_submitted_once() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        assert_eq!(state.transition_to_idle(), ToIdle::Idle);
        assert_eq!(state.transition_to_notified_by_ref(), ToNotified::Submit);
        assert_eq!(state.transition_to_notified_by_ref(), ToNotified::Nothing);
    }

    #[test]
    fn abort_of_idle_task_submits_it_cancelled() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        assert_eq!(state.transition_to_idle(), ToIdle::Idle);
        assert!(state.transition_to_notified_and_cancel());
        assert!(!state.transition_to_notified_and_cancel());
        assert_eq!(state.transition_to_running(), ToRunning::Cancel);
    }

    #[test]
    fn completion_flips_running_to_complete() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        let prev = state.transition_to_complete(Outcome::Completed);
        assert!(prev.is_running());
        assert_eq!(state.raw() & (RUNNING | COMPLETE), COMPLETE);
        assert_eq!(state.load().outcome(), Some(Outcome::Completed));
        assert!(state.unset_join_interest().is_err());
    }

    #[test]
    fn the_outcome_is_set_with_complete_and_read_back() {
        for outcome in [Outcome::Completed, Outcome::Panicked, Outcome::Cancelled] {
            let state = State::new();
            assert_eq!(state.transition_to_running(), ToRunning::Poll);
            assert_eq!(state.load().outcome(), None);
            let _ = state.transition_to_complete(outcome);
            assert_eq!(state.load().outcome(), Some(outcome));
        }
    }

    #[test]
    fn done_callbacks_before_completion_are_seen_by_the_completer() {
        let state = State::new();
        assert_eq!(state.transition_to_running(), ToRunning::Poll);
        assert!(state.set_done_callbacks().is_ok());
        assert!(state.set_done_callbacks().is_ok());
        let prev = state.transition_to_complete(Outcome::Panicked);
        assert!(prev.has_done_callbacks());
        let after = state.set_done_callbacks().expect_err("complete");
        assert_eq!(after.outcome(), Some(Outcome::Panicked));
    }
}
