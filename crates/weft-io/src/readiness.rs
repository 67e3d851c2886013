//! Per-source readiness: one atomic word with a `ready` bit per direction and an event tick,
//! plus the waiting reader's and writer's wakers (see `reactor.rs` for how they are used).
//! Kept apart from the poller so loom can model it.
//!
//! # Invariants
//!
//! - The word is `tick << 4 | write_hup << 3 | read_hup << 2 | write_ready << 1 | read_ready`.
//!   Every event sets its directions' ready bits and bumps the tick (one tick shared by both
//!   directions). The hang-up bits are sticky: once an event reported (or could not rule out)
//!   that the peer closed a direction, they stay set.
//! - `clear_ready(dir, tick)` (after `WouldBlock`) clears `dir`'s bit only if the tick is still
//!   the one the operation saw before its syscall: an event that came during the syscall is
//!   never erased. (An event in the *other* direction also keeps the bit; the operation is then
//!   tried once more.)
//! - `clear_drained(dir, tick)` (after a short transfer on a stream) is the same, and also does
//!   nothing once `dir` saw a hang-up: a short read can end just before the peer's FIN, whose
//!   edge already came, and only the next read would report the end of the stream.
//! - No lost wake-up: `fire` updates the word *before* it locks the wakers; `poll_ready`
//!   stores its waker and re-reads the word *under* that lock. Either `fire`'s lock comes
//!   after the waker was stored (it takes and wakes it) or before (then its word update
//!   happened before our lock, and the re-read sees the bit).
//! - The ready path (the common one) is a single atomic load; the wakers' lock is taken only
//!   to wait and by the reactor when it dispatches an event.

// The items are `pub` for the loom models (the module is public only under `weft_loom`).
#![cfg_attr(not(weft_loom), allow(unreachable_pub))]

use crate::sync::{AtomicUsize, Mutex, MutexGuard, Ordering};
use std::task::{Context, Poll, Waker};

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Readable (or: an accept / a recv may succeed).
    Read = 0,
    /// Writable.
    Write = 1,
}

impl Direction {
    const fn bit(self) -> usize {
        1 << self as usize
    }

    const fn hup_bit(self) -> usize {
        1 << (self as usize + 2)
    }
}

/// What one poller event reported for a source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoEvent {
    /// A read may make progress.
    pub readable: bool,
    /// A write may make progress.
    pub writable: bool,
    /// The peer closed its writing side, or the socket errored (or the event cannot say).
    pub read_hup: bool,
    /// The socket hung up or errored (or the event cannot say).
    pub write_hup: bool,
}

impl IoEvent {
    fn bits(self) -> usize {
        let flag = |on: bool, bit: usize| if on { bit } else { 0 };
        flag(self.readable, Direction::Read.bit())
            | flag(self.writable, Direction::Write.bit())
            | flag(self.read_hup, Direction::Read.hup_bit())
            | flag(self.write_hup, Direction::Write.hup_bit())
    }
}

/// The ready and hang-up bits; the tick counts above them.
const FLAG_BITS: usize = 0b1111;
const TICK_ONE: usize = 0b1_0000;

/// The event count a task saw before it tried an operation (see
/// [`Readiness::clear_ready`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick(usize);

/// The readiness of one source.
#[derive(Debug)]
pub struct Readiness {
    state: AtomicUsize,
    wakers: Mutex<[Option<Waker>; 2]>,
}

impl Default for Readiness {
    fn default() -> Readiness {
        Readiness::new()
    }
}

impl Readiness {
    /// Ready in both directions: the first operation is always tried (edge mode reports only
    /// changes).
    pub fn new() -> Readiness {
        Readiness {
            state: AtomicUsize::new(Direction::Read.bit() | Direction::Write.bit()),
            wakers: Mutex::new([None, None]),
        }
    }

    fn wakers(&self) -> MutexGuard<'_, [Option<Waker>; 2]> {
        // No user code runs under this lock (wakers are woken after it is released).
        self.wakers.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ready in `dir` (with the tick to pass to [`clear_ready`](Readiness::clear_ready)), or
    /// registers `cx`'s waker to be woken by the next event.
    pub fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<Tick> {
        // Acquire: pairs with the AcqRel update in `fire` (and keeps this load from moving
        // after the caller's syscall).
        let state = self.state.load(Ordering::Acquire);
        if state & dir.bit() != 0 {
            return Poll::Ready(Tick(state & !FLAG_BITS));
        }
        let mut wakers = self.wakers();
        match &mut wakers[dir as usize] {
            Some(w) => w.clone_from(cx.waker()),
            slot @ None => *slot = Some(cx.waker().clone()),
        }
        // Re-read under the lock: see the module's no-lost-wake-up invariant.
        let state = self.state.load(Ordering::Acquire);
        if state & dir.bit() != 0 {
            // The event came meanwhile; the stored waker may get a spurious wake, harmless.
            return Poll::Ready(Tick(state & !FLAG_BITS));
        }
        Poll::Pending
    }

    /// The operation hit `WouldBlock`: not ready in `dir` any more, unless an event came
    /// since `tick` was read.
    pub fn clear_ready(&self, dir: Direction, tick: Tick) {
        self.clear_if(dir, tick, 0);
    }

    /// A stream transfer in `dir` came back short (the buffer drained or filled): not ready any
    /// more, unless an event came since `tick` was read or `dir` has seen a hang-up.
    pub fn clear_drained(&self, dir: Direction, tick: Tick) {
        self.clear_if(dir, tick, dir.hup_bit());
    }

    /// Clears `dir`'s ready bit if the tick is `tick` and none of `keep_if` is set.
    fn clear_if(&self, dir: Direction, tick: Tick, keep_if: usize) {
        // AcqRel on success / Acquire on failure: the same word `fire` updates; no other data
        // is published through it.
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                (state & !FLAG_BITS == tick.0 && state & keep_if == 0).then_some(state & !dir.bit())
            });
    }

    /// An event: ready again in its directions (hang-ups noted), tick counted; their waiters'
    /// wakers go onto `wakers` (to be woken once the caller holds no locks).
    pub fn fire(&self, event: IoEvent, wakers: &mut Vec<Waker>) {
        let bits = event.bits();
        if bits & (Direction::Read.bit() | Direction::Write.bit()) == 0 {
            return;
        }
        // AcqRel: the Release half pairs with the Acquire loads in `poll_ready`; the update
        // comes before the wakers' lock below (the no-lost-wake-up invariant).
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                Some((state | bits).wrapping_add(TICK_ONE))
            });
        let mut slots = self.wakers();
        for dir in [Direction::Read, Direction::Write] {
            if bits & dir.bit() != 0
                && let Some(w) = slots[dir as usize].take()
            {
                wakers.push(w);
            }
        }
    }

    /// Takes every waiting waker (the source is going away, or its runtime closed).
    pub fn take_wakers(&self) -> Vec<Waker> {
        self.wakers().iter_mut().filter_map(Option::take).collect()
    }
}
