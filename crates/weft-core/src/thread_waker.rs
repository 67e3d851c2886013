//! A waker that unparks one thread: a [`ThreadParker`], for code that blocks a plain thread on
//! a future (`block_on`).
//!
//! No wake-up is lost: the parker keeps an unpark that comes before its sleeper parks (see
//! `driver/thread_park.rs`), so a wake between the sleeper's poll and its park makes the park
//! return at once, and a wake during the park ends it.

use crate::driver::ThreadParker;
// std's `Arc` even under loom: `Wake` needs it, and its count is no protocol.
use std::sync::Arc;
use std::task::{Wake, Waker};

/// Wakes the thread that parks in it.
pub(crate) struct ThreadWaker {
    parker: ThreadParker,
}

/// A thread's waker and its parker, cached in the thread's context while no `block_on` uses
/// it.
pub(crate) type CachedWaker = (Arc<ThreadWaker>, Waker);

impl ThreadWaker {
    /// A waker with a parker of its own.
    pub(crate) fn new() -> CachedWaker {
        let notify = Arc::new(ThreadWaker {
            parker: ThreadParker::new(),
        });
        let waker = Waker::from(notify.clone());
        (notify, waker)
    }

    /// Blocks the calling thread until the waker is woken (at once if it was woken since the
    /// last park), or spuriously.
    pub(crate) fn park(&self) {
        self.parker.park(None);
    }
}

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.parker.unpark();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.parker.unpark();
    }
}
