//! Per-source readiness: for each direction, a `ready` flag, an event `tick`, and the waiting
//! task's waker (see `reactor.rs` for the protocol). Kept apart from the poller so loom can
//! model it.

// The items are `pub` for the loom models (the module is public only under `weft_loom`).
#![cfg_attr(not(weft_loom), allow(unreachable_pub))]

use crate::sync::{Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Readable (or: an accept / a recv may succeed).
    Read = 0,
    /// Writable.
    Write = 1,
}

/// The readiness of one source.
#[derive(Debug)]
pub struct Readiness {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    ready: [bool; 2],
    tick: [u64; 2],
    wakers: [Option<Waker>; 2],
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
            state: Mutex::new(State {
                ready: [true, true],
                ..State::default()
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock (wakers are woken after it is released).
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The event count of `dir`, noted before trying an operation.
    pub fn tick(&self, dir: Direction) -> u64 {
        self.lock().tick[dir as usize]
    }

    /// The operation hit `WouldBlock`: not ready any more, unless an event came meanwhile.
    pub fn clear_ready(&self, dir: Direction, tick: u64) {
        let mut state = self.lock();
        if state.tick[dir as usize] == tick {
            state.ready[dir as usize] = false;
        }
    }

    /// Ready in `dir`, or registers `cx`'s waker to be woken by the next event.
    pub fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<()> {
        let mut state = self.lock();
        if state.ready[dir as usize] {
            return Poll::Ready(());
        }
        match &mut state.wakers[dir as usize] {
            Some(w) => w.clone_from(cx.waker()),
            slot @ None => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// An event in `dir`: ready again, tick counted; the waiter's waker goes onto `wakers`.
    pub fn fire(&self, dir: Direction, wakers: &mut Vec<Waker>) {
        let mut state = self.lock();
        state.ready[dir as usize] = true;
        state.tick[dir as usize] = state.tick[dir as usize].wrapping_add(1);
        if let Some(w) = state.wakers[dir as usize].take() {
            wakers.push(w);
        }
    }

    /// Takes every waiting waker (the source is going away, or its runtime closed).
    pub fn take_wakers(&self) -> Vec<Waker> {
        self.lock()
            .wakers
            .iter_mut()
            .filter_map(Option::take)
            .collect()
    }
}
