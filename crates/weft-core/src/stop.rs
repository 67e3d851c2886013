//! `StopSignal`: what `run_forever` blocks on and `stop` releases (asyncio: `loop.stop()`).
//!
//! # Semantics
//!
//! - `stop` releases every `run_forever` in progress. If none is in progress, the *next*
//!   `run_forever` returns at once (asyncio's "stop before run_forever" behaviour: the request
//!   is remembered, once).
//! - `close` releases every `run_forever` in progress, and every later one returns at once.
//!
//! # Invariants
//!
//! All state is under one mutex; waiters sleep on one condvar. `generation` counts stops that
//! found waiters: a waiter returns when it changes. `pending` is a stop that found no waiter.

use crate::sync::{Condvar, Mutex, MutexGuard};

/// See the module doc.
pub struct StopSignal {
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    generation: u64,
    waiters: usize,
    pending: bool,
    closed: bool,
}

impl Default for StopSignal {
    fn default() -> StopSignal {
        StopSignal::new()
    }
}

impl StopSignal {
    /// A signal with no stop requested.
    pub fn new() -> StopSignal {
        StopSignal {
            state: Mutex::new(State {
                generation: 0,
                waiters: 0,
                pending: false,
                closed: false,
            }),
            wake: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock.
        self.state.lock()
    }

    /// Blocks until `stop` or `close` (returns at once if a stop is pending or it is closed).
    pub fn wait(&self) {
        let mut state = self.lock();
        if state.closed {
            return;
        }
        if state.pending {
            state.pending = false;
            return;
        }
        let generation = state.generation;
        state.waiters += 1;
        while state.generation == generation && !state.closed {
            state = self.wake.wait(state);
        }
        state.waiters -= 1;
    }

    /// Releases every waiter, or, when nobody waits, the next `wait`.
    pub fn stop(&self) {
        let mut state = self.lock();
        if state.waiters > 0 {
            state.generation = state.generation.wrapping_add(1);
            drop(state);
            self.wake.notify_all();
        } else {
            state.pending = true;
        }
    }

    /// Releases every waiter now and every later `wait` at once.
    pub fn close(&self) {
        self.lock().closed = true;
        self.wake.notify_all();
    }
}

impl std::fmt::Debug for StopSignal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("StopSignal")
            .field("waiters", &state.waiters)
            .field("pending", &state.pending)
            .field("closed", &state.closed)
            .finish()
    }
}
