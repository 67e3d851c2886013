//! Driving one future to completion on the calling thread, sleeping while it is pending.
//!
//! The waker is a `ThreadWaker`: the one thread parker behind a `Waker` (see `thread_waker.rs`
//! for why no wake-up is lost). The waker is cached per thread: no allocation per `block_on`,
//! except for a call nested inside another on the same thread, which gets a parker of its own.

use crate::context;
use crate::thread_waker::{CachedWaker, ThreadWaker};
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll};

/// The waker of one `block_on` call, given back to the thread's context when the call ends.
pub(crate) struct CallWaker(Option<CachedWaker>);

impl CallWaker {
    /// Takes the thread's cached waker, or makes a new one when a `block_on` further up this
    /// thread's stack holds it (a nested call must not share the outer call's parker: it would
    /// consume the outer's wake-up, and the outer would then sleep through it).
    pub(crate) fn take() -> CallWaker {
        let cached = context::with_owned(|c| c.block_on.take()).flatten();
        CallWaker(Some(cached.unwrap_or_else(ThreadWaker::new)))
    }

    /// The call's parker and the waker that unparks it.
    pub(crate) fn waker(&self) -> (&ThreadWaker, &std::task::Waker) {
        let (parker, waker) = self
            .0
            .as_ref()
            .expect("a call holds its waker until it ends");
        (parker, waker)
    }
}

impl Drop for CallWaker {
    fn drop(&mut self) {
        let mine = self.0.take();
        // Outermost first in, last out: whichever call ends last leaves its waker cached. A
        // thread-local already destroyed just means no cache.
        context::with_owned(|c| c.block_on.set(mine));
    }
}

/// Polls `future` on this thread until it is ready, parking the thread in between.
///
/// Calls may nest (a future polled here may call `block_on` again); each call has its own
/// parker. This does not mark the thread as driving a runtime; callers that must forbid
/// nesting (the runtime's `block_on`) check that first.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let call = CallWaker::take();
    let (notify, waker) = call.waker();
    let mut cx = Context::from_waker(waker);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        // Returns at once if the future woke us while it was polled.
        notify.park();
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::block_on;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::mpsc;
    use std::task::{Poll, Waker};
    use std::time::Duration;

    #[test]
    fn a_nested_block_on_does_not_swallow_the_outer_wake_up() {
        // The outer future, inside its first poll, runs a nested block_on on a future that
        // another thread completes. That thread first wakes the outer future (while the nested
        // call still waits), then releases and wakes the inner one. The outer wake-up must
        // survive the nested call.
        let (outer_tx, outer_rx) = mpsc::channel::<Waker>();
        let (inner_tx, inner_rx) = mpsc::channel::<Waker>();
        let released = Arc::new(AtomicBool::new(false));
        let release = released.clone();
        let waker_thread = std::thread::spawn(move || {
            let outer = outer_rx.recv().unwrap();
            let inner = inner_rx.recv().unwrap();
            outer.wake();
            std::thread::sleep(Duration::from_millis(20));
            release.store(true, Ordering::SeqCst);
            inner.wake();
        });
        let (done_tx, done_rx) = mpsc::channel();
        let driver = std::thread::spawn(move || {
            let mut first = true;
            block_on(std::future::poll_fn(move |cx| {
                if !first {
                    return Poll::Ready(());
                }
                first = false;
                outer_tx.send(cx.waker().clone()).unwrap();
                let mut handed = false;
                block_on(std::future::poll_fn(|cx| {
                    if !handed {
                        handed = true;
                        inner_tx.send(cx.waker().clone()).unwrap();
                    }
                    if released.load(Ordering::SeqCst) {
                        Poll::Ready(())
                    } else {
                        Poll::Pending
                    }
                }));
                Poll::Pending
            }));
            done_tx.send(()).unwrap();
        });
        assert!(
            done_rx.recv_timeout(Duration::from_secs(30)).is_ok(),
            "the outer block_on slept through its wake-up"
        );
        driver.join().unwrap();
        waker_thread.join().unwrap();
    }
}
