//! Driving one future to completion on the calling thread, sleeping while it is pending.
//!
//! The waker unparks the thread: a flag (`notified`) plus `std::thread::park`. The flag is what
//! makes it lossless: `wake` sets it (Release) before unparking, and the poller consumes it
//! (Acquire swap) before deciding to sleep, so a wake between the poll and the park makes the
//! park loop return at once. The waker is cached per thread: no allocation per `block_on`.

use crate::sync::{Arc, AtomicBool, thread, thread_local};
use std::future::Future;
use std::pin::pin;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::task::{Context, Poll, Wake, Waker};

struct ThreadNotify {
    thread: thread::Thread,
    notified: AtomicBool,
}

impl Wake for ThreadNotify {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        // Release: pairs with the Acquire swap in `block_on`; the poller sees what the waker's
        // thread did before waking.
        if !self.notified.swap(true, Release) {
            self.thread.unpark();
        }
    }
}

thread_local! {
    static WAKER: (std::sync::Arc<ThreadNotify>, Waker) = {
        let notify = std::sync::Arc::new(ThreadNotify {
            thread: thread::current(),
            notified: AtomicBool::new(false),
        });
        let waker = Waker::from(notify.clone());
        (notify, waker)
    };
}

/// Polls `future` on this thread until it is ready, parking the thread in between.
///
/// This does not mark the thread as driving a runtime; callers that must forbid nesting
/// (the runtime's `block_on`) check that first.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    WAKER.with(|(notify, waker)| {
        let mut cx = Context::from_waker(waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            // Acquire: pairs with the Release swap in `wake_by_ref`.
            while !notify.notified.swap(false, Acquire) {
                thread::park();
            }
        }
    })
}

// `Arc` from the shim is unused here on purpose: `Wake` needs `std::sync::Arc`.
#[allow(unused_imports)]
use Arc as _;
