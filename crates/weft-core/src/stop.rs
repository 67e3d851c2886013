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
//! All state is under one mutex; blocking waiters sleep on one condvar, async waiters
//! ([`StopSignal::wait_async`], a `LocalRuntime`'s `run_forever`, whose thread must go on
//! running tasks) leave a waker. `generation` counts stops that found waiters: a waiter
//! returns when it changes. `pending` is a stop that found no waiter. Wakers are woken after
//! the lock is released.

use crate::sync::{Condvar, Mutex, MutexGuard};
use crate::unwind;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

/// See the module doc.
pub struct StopSignal {
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    generation: u64,
    waiters: usize,
    /// The wakers of async waiters (one per waiter, replaced when it is polled again).
    wakers: Vec<Waker>,
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
                wakers: Vec::new(),
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
            let wakers = std::mem::take(&mut state.wakers);
            drop(state);
            self.wake.notify_all();
            unwind::wake_all(wakers);
        } else {
            state.pending = true;
        }
    }

    /// Releases every waiter now and every later `wait` at once.
    pub fn close(&self) {
        let mut state = self.lock();
        state.closed = true;
        let wakers = std::mem::take(&mut state.wakers);
        drop(state);
        self.wake.notify_all();
        unwind::wake_all(wakers);
    }

    /// `wait` as a future: completes on `stop` or `close` (at once if a stop is pending or
    /// the signal is closed), without blocking the thread that polls it.
    pub fn wait_async(&self) -> WaitStop<'_> {
        WaitStop {
            signal: self,
            waiting: Waiting::NotYet,
        }
    }
}

/// The future of [`StopSignal::wait_async`].
#[must_use = "futures do nothing unless polled"]
pub struct WaitStop<'a> {
    signal: &'a StopSignal,
    waiting: Waiting,
}

enum Waiting {
    NotYet,
    /// Counted in `waiters` since this generation.
    Since(u64),
    Done,
}

impl Future for WaitStop<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let signal = self.signal;
        let mut state = signal.lock();
        match self.waiting {
            Waiting::Done => {}
            _ if state.closed => {}
            Waiting::NotYet if state.pending => {
                state.pending = false;
            }
            Waiting::NotYet => {
                let generation = state.generation;
                state.waiters += 1;
                state.wakers.push(cx.waker().clone());
                drop(state);
                self.waiting = Waiting::Since(generation);
                return Poll::Pending;
            }
            Waiting::Since(generation) if state.generation != generation => {}
            Waiting::Since(_) => {
                // Polled again before a stop: make sure this waker is the one woken.
                if !state.wakers.iter().any(|w| w.will_wake(cx.waker())) {
                    state.wakers.push(cx.waker().clone());
                }
                return Poll::Pending;
            }
        }
        // Stopped or closed.
        if let Waiting::Since(_) = self.waiting {
            state.waiters -= 1;
        }
        drop(state);
        self.waiting = Waiting::Done;
        Poll::Ready(())
    }
}

impl Drop for WaitStop<'_> {
    fn drop(&mut self) {
        if let Waiting::Since(_) = self.waiting {
            // Gave up before a stop: no longer a waiter (its waker, if still listed, is woken
            // harmlessly by the next stop).
            self.signal.lock().waiters -= 1;
        }
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
