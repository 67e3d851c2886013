//! `Barrier`: groups of `n` tasks wait for each other (asyncio.Barrier).
//!
//! One lock holds the count of arrivals in the current group, the group's generation and the
//! waiter list. The `n`-th arrival is the leader: it starts the next generation and pops every
//! waiter of its own (each records the generation it joined in; the list is FIFO, so they are
//! all in front of any waiter of the next group).
//!
//! A waiter's state: `generation << 1 | RELEASED`; `RELEASED` is final (see `list.rs`).

use crate::list::{WaitList, Waiter};
use crate::sync::{Mutex, MutexGuard};
use crate::wake_list::WakeList;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

const RELEASED: usize = 1;

/// Makes tasks wait for each other in groups of `n` (asyncio: `Barrier`).
///
/// Each [`wait`](Barrier::wait) returns once `n` tasks are waiting; exactly one of each group
/// gets a result whose [`is_leader`](BarrierWaitResult::is_leader) is `true`. The barrier is
/// reusable: the next `n` waiters form the next group. A waiter dropped before its group is
/// complete leaves it (the group then needs another arrival). `Barrier::new(0)` behaves as
/// `Barrier::new(1)`.
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::Barrier;
///
/// weft::run(async {
///     let barrier = Arc::new(Barrier::new(3));
///     let tasks: Vec<_> = (0..3)
///         .map(|_| {
///             let barrier = barrier.clone();
///             weft::spawn(async move { barrier.wait().await.is_leader() })
///         })
///         .collect();
///     let leaders = weft::join_all(tasks)
///         .await
///         .into_iter()
///         .filter(|r| *r.as_ref().unwrap())
///         .count();
///     assert_eq!(leaders, 1);
/// });
/// ```
pub struct Barrier {
    n: usize,
    state: Mutex<BarrierState>,
}

struct BarrierState {
    /// Waiters of the current group so far.
    arrived: usize,
    /// The current group's number.
    generation: usize,
    waiters: WaitList,
}

/// What [`Barrier::wait`] returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult {
    leader: bool,
}

impl BarrierWaitResult {
    /// `true` for exactly one waiter of each group (the one whose arrival completed it).
    pub fn is_leader(&self) -> bool {
        self.leader
    }
}

impl Barrier {
    /// A barrier for groups of `n` (`0` counts as `1`).
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n: n.max(1),
            state: Mutex::new(BarrierState {
                arrived: 0,
                generation: 0,
                waiters: WaitList::new(),
            }),
        }
    }

    /// Waits until `n` tasks (this one included) wait on the barrier.
    pub async fn wait(&self) -> BarrierWaitResult {
        BarrierWait {
            barrier: self,
            waiter: Waiter::new(0),
            stage: Stage::Init,
        }
        .await
    }

    /// Pops every waiter of `generation`, in batches, waking each batch outside the lock.
    fn release<'a>(&'a self, mut state: MutexGuard<'a, BarrierState>, generation: usize) {
        loop {
            let mut wakers = WakeList::new();
            let mut done = true;
            while let Some(s) = state.waiters.front_state() {
                if s >> 1 != generation {
                    break; // the next group's first waiters
                }
                if wakers.is_full() {
                    done = false;
                    break;
                }
                if let Some(waker) = state.waiters.pop_front(RELEASED) {
                    wakers.push(waker);
                }
            }
            drop(state);
            wakers.wake_all();
            if done {
                return;
            }
            state = self.state.lock();
        }
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("n", &self.n)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Init,
    Waiting,
    Done,
}

struct BarrierWait<'a> {
    barrier: &'a Barrier,
    waiter: Waiter,
    stage: Stage,
}

impl Future for BarrierWait<'_> {
    type Output = BarrierWaitResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<BarrierWaitResult> {
        // SAFETY: `waiter` is never moved out of the pinned future; the other fields are
        // plain data.
        let this = unsafe { self.get_unchecked_mut() };
        let barrier = this.barrier;
        match this.stage {
            Stage::Init => {
                let mut state = barrier.state.lock();
                state.arrived += 1;
                if state.arrived == barrier.n {
                    let generation = state.generation;
                    state.arrived = 0;
                    state.generation = generation.wrapping_add(1) & (usize::MAX >> 1);
                    this.stage = Stage::Done;
                    barrier.release(state, generation);
                    return Poll::Ready(BarrierWaitResult { leader: true });
                }
                let joined = state.generation << 1;
                // SAFETY: `waiter` is pinned inside this future, whose destructor removes it
                // while it is linked; the list is only used under the barrier's lock, held.
                let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
                // SAFETY: as above.
                unsafe {
                    state
                        .waiters
                        .push_back(waiter, joined, Some(cx.waker().clone()))
                };
                this.stage = Stage::Waiting;
                Poll::Pending
            }
            Stage::Waiting => {
                if this.waiter.state() & RELEASED == 0 {
                    let mut state = barrier.state.lock();
                    if this.waiter.state() & RELEASED == 0 {
                        // SAFETY: not released, so linked here; lock held.
                        let old = unsafe { state.waiters.set_waker(&this.waiter, cx.waker()) };
                        drop(state);
                        drop(old);
                        return Poll::Pending;
                    }
                }
                this.stage = Stage::Done;
                Poll::Ready(BarrierWaitResult { leader: false })
            }
            Stage::Done => panic!("a barrier wait polled after it returned"),
        }
    }
}

impl Drop for BarrierWait<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting || self.waiter.state() & RELEASED != 0 {
            return;
        }
        let mut state = self.barrier.state.lock();
        let joined = self.waiter.state();
        if joined & RELEASED != 0 {
            return;
        }
        // SAFETY: not released, so linked here; lock held.
        let waker = unsafe { state.waiters.remove(&self.waiter) };
        if joined >> 1 == state.generation {
            // The group is not complete: it needs another arrival in this one's place.
            state.arrived -= 1;
        }
        drop(state);
        drop(waker);
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(barrier: &Barrier) {
        send_sync::<Barrier>();
        send(&barrier.wait());
    }
};
