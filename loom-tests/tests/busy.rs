//! loom model of the `block_on` busy count (`weft-core/src/busy.rs`), what a paused clock
//! consults before it jumps ahead: once a wake of the `block_on` future has been made, the
//! count never reads zero until the woken future has been polled again. An observer reading
//! "idle" while a delivered wake waits for its poll would let the clock jump past what that
//! poll does.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::sync::Mutex;
use loom::sync::atomic::AtomicBool;
use loom::thread;
use std::sync::Arc as StdArc;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Poll, Waker};
use weft_core::busy::{BusyCount, block_on_counted};

#[test]
fn a_delivered_wake_keeps_the_thread_counted_until_its_poll() {
    loom::model(|| {
        let busy = StdArc::new(BusyCount::new());
        let slot: Arc<Mutex<Option<Waker>>> = Arc::new(Mutex::new(None));
        // Set by the waker thread after its `wake` returned; set by the future when the poll
        // that follows the wake ran.
        let sent = Arc::new(AtomicBool::new(false));
        let ready = Arc::new(AtomicBool::new(false));
        let polled_after = Arc::new(AtomicBool::new(false));

        let waker_thread = {
            let (slot, sent, ready) = (slot.clone(), sent.clone(), ready.clone());
            thread::spawn(move || {
                let waker = loop {
                    if let Some(w) = slot.lock().unwrap().take() {
                        break w;
                    }
                    thread::yield_now();
                };
                ready.store(true, SeqCst);
                waker.wake();
                sent.store(true, SeqCst);
            })
        };
        let observer = {
            let (busy, sent, polled_after) = (busy.clone(), sent.clone(), polled_after.clone());
            thread::spawn(move || {
                let delivered = sent.load(SeqCst);
                let idle = busy.is_idle();
                let polled = polled_after.load(SeqCst);
                assert!(
                    !(delivered && idle && !polled),
                    "the count read idle while a delivered wake waited for its poll"
                );
            })
        };
        block_on_counted(
            std::future::poll_fn(|cx| {
                if ready.load(SeqCst) {
                    polled_after.store(true, SeqCst);
                    return Poll::Ready(());
                }
                *slot.lock().unwrap() = Some(cx.waker().clone());
                Poll::Pending
            }),
            &busy,
        );
        waker_thread.join().unwrap();
        observer.join().unwrap();
        assert!(busy.is_idle(), "every count was given back");
    });
}
