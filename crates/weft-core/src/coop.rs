//! The cooperative budget: a task that keeps finding its resources ready is made to yield after
//! [`BUDGET`] of them in one poll, so one busy task cannot starve the others on its worker.
//!
//! The budget lives in the thread's context (`context.rs`), which the task harness gives a
//! fresh budget before each task poll. Outside a task poll (`block_on`, another executor)
//! there is no budget and resources always proceed.

use crate::context;
use std::task::{Context, Poll};

/// How many resource polls that make progress one task poll may do before it must yield.
pub const BUDGET: u8 = 128;

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
            context::with(|c| {
                if let Some(n) = c.budget.get() {
                    c.budget.set(Some(n.saturating_add(1)));
                }
            });
        }
    }
}

/// Takes one unit of budget, or, when the budget is spent, wakes the task and returns
/// `Pending` so it yields to the others.
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<Coop> {
    let remaining = context::with(|c| c.budget.get()).flatten();
    match remaining {
        None => Poll::Ready(Coop { taken: false }),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            context::with(|c| c.budget.set(Some(n - 1)));
            Poll::Ready(Coop { taken: true })
        }
    }
}
