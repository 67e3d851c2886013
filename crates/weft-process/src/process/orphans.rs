//! Orphans: children whose [`Child`](super::Child) was dropped before they exited.
//!
//! Each orphan is reaped in the background, so it never stays a zombie: its [`Exit`] moves to
//! the fallback reactor (a pidfd re-registered there, or the SIGCHLD listener, whose pipe is
//! already there) and a detached reaper (`detached.rs`) owns it with the child. The fallback
//! thread, which runs in every process that uses weft and outlives every runtime, polls the
//! reaper when the child exits; the reaper's `try_wait` reaps it, and the reaper (with the
//! pidfd it closes) is gone.
//!
//! The orphan list is the set of live reapers; [`pending`] counts it (for tests and
//! diagnostics). An orphan is counted from [`adopt`] until it is reaped.
//!
//! Invariant: an orphan is looked at once more after its waker is registered (the reaper's
//! first poll does it: `try_wait`, then register, as every wait does; `reap.rs` says why an
//! exit in between is not missed), so one that exits while it is adopted is reaped at once.

use super::reap::Exit;
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Orphans not reaped yet. Relaxed: a count for observation, ordered with nothing.
static PENDING: AtomicUsize = AtomicUsize::new(0);

/// Takes over `child` (not yet reaped) and reaps it in the background.
pub(crate) fn adopt(mut child: std::process::Child, exit: Exit) {
    let mut exit = exit.into_fallback();
    PENDING.fetch_add(1, Ordering::Relaxed);
    super::detached::spawn(async move {
        // An error (the SIGCHLD listener could not be made, or someone else reaped the
        // child) leaves nothing more this reaper could do.
        let _ = poll_fn(|cx| exit.poll_exit(&mut child, cx)).await;
        PENDING.fetch_sub(1, Ordering::Relaxed);
    });
}

/// How many orphans still wait to be reaped. Not public API (tests).
#[doc(hidden)]
pub fn pending() -> usize {
    PENDING.load(Ordering::Relaxed)
}
