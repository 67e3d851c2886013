//! A waker that unparks one thread: a flag plus `thread::park` / `unpark`, for code that
//! blocks a plain thread on a future (`block_on`).
//!
//! No wake-up is lost: `wake` sets the flag (Release) before it unparks the thread, and the
//! sleeper consumes the flag ([`ThreadWaker::take_notification`], Acquire) before deciding to
//! park, so a wake between its poll and its park makes the park loop return at once (an
//! `unpark` before `park` is remembered by the thread, too).

// std's `Arc` even under loom: `Wake` needs it, and its count is no protocol.
use crate::sync::{AtomicBool, thread};
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::task::{Wake, Waker};

/// Wakes the thread that made it.
pub(crate) struct ThreadWaker {
    thread: thread::Thread,
    notified: AtomicBool,
}

/// A thread's waker and its flag, cached in the thread's context while no `block_on` uses it.
pub(crate) type CachedWaker = (Arc<ThreadWaker>, Waker);

impl ThreadWaker {
    /// A waker for the calling thread, with the flag it sets.
    pub(crate) fn new() -> CachedWaker {
        let notify = Arc::new(ThreadWaker {
            thread: thread::current(),
            notified: AtomicBool::new(false),
        });
        let waker = Waker::from(notify.clone());
        (notify, waker)
    }

    /// Whether a wake came since the last call (and forget it).
    pub(crate) fn take_notification(&self) -> bool {
        // Acquire: pairs with the Release swap in `wake_by_ref`; the sleeper sees what the
        // waking thread did before it woke us.
        self.notified.swap(false, Acquire)
    }
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Release: pairs with the Acquire swap in `take_notification`.
        if !self.notified.swap(true, Release) {
            self.thread.unpark();
        }
    }
}
