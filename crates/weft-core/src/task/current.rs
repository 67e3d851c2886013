//! Which task this thread is polling: set by the harness for the length of one poll (with a
//! fresh cooperative budget), read by `task::current` and, through it, by whatever needs the
//! running task. The values live in the thread's context (`context.rs`).

use super::raw::Header;
use crate::{context, coop};
use std::ptr::NonNull;

/// Marks this thread as polling the task at `ptr`, with a fresh cooperative budget, until the
/// guard drops (then the previous task and budget come back: polls may nest, e.g. a
/// `block_on` inside a blocking job's task).
pub(super) fn enter(ptr: NonNull<Header>) -> PollGuard {
    PollGuard(context::with(|c| {
        (
            c.task.replace(Some(ptr.cast())),
            c.budget.replace(Some(coop::BUDGET)),
        )
    }))
}

pub(super) struct PollGuard(Option<(Option<NonNull<()>>, Option<u8>)>);

impl Drop for PollGuard {
    fn drop(&mut self) {
        if let Some((task, budget)) = self.0 {
            context::with(|c| {
                c.task.set(task);
                c.budget.set(budget);
            });
        }
    }
}

/// The header of the task being polled on this thread, if any.
pub(super) fn ptr() -> Option<NonNull<Header>> {
    context::with(|c| c.task.get()).flatten().map(NonNull::cast)
}
