//! The cooperative budget: a task that keeps finding its resources ready is made to yield after
//! [`BUDGET`] of them in one poll, so one busy task cannot starve the others on its worker.
//!
//! The budget lives in a thread-local that the worker sets before each task poll. Outside a
//! task poll (`block_on`, another executor) there is no budget and resources always proceed.

use crate::sync::const_thread_local;
use std::cell::Cell;
use std::task::{Context, Poll};

/// How many resource polls that make progress one task poll may do before it must yield.
pub const BUDGET: u8 = 128;

const_thread_local! {
    /// `None`: unconstrained (not inside a task poll).
    static REMAINING: Cell<Option<u8>> = Cell::new(None);
}

/// Runs `f` with a fresh budget, restoring the previous one after.
pub(crate) fn with_budget<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(Option<u8>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0;
            let _ = REMAINING.try_with(|r| r.set(prev));
        }
    }
    let _restore = Restore(REMAINING.with(|r| r.replace(Some(BUDGET))));
    f()
}

/// A unit of budget taken by a resource poll; given back unless the poll made progress.
#[must_use = "call made_progress() when the resource was ready"]
pub struct Coop {
    taken: bool,
}

impl Coop {
    /// The resource was ready: the unit stays spent.
    pub fn made_progress(mut self) {
        self.taken = false;
    }
}

impl Drop for Coop {
    fn drop(&mut self) {
        if self.taken {
            let _ = REMAINING.try_with(|r| {
                if let Some(n) = r.get() {
                    r.set(Some(n.saturating_add(1)));
                }
            });
        }
    }
}

/// Takes one unit of budget, or, when the budget is spent, wakes the task and returns
/// `Pending` so it yields to the others.
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<Coop> {
    let remaining = REMAINING.try_with(Cell::get).ok().flatten();
    match remaining {
        None => Poll::Ready(Coop { taken: false }),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            REMAINING.with(|r| r.set(Some(n - 1)));
            Poll::Ready(Coop { taken: true })
        }
    }
}
