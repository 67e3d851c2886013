//! `block_on` for a runtime that must know whether the threads inside its `block_on` are busy:
//! a paused clock jumps to the next deadline only when none is (virtual time).
//!
//! A thread counts in [`BusyCount`] while it polls its future, and from the moment its future
//! is woken until it has polled it again: the count never says "idle" while a woken future
//! waits for its poll, so the clock cannot jump past what that poll would do.
//!
//! # The protocol
//!
//! The thread holds one count while it polls. A wake adds one count first, then sets the
//! call's `woken` flag; if the flag was set already, it takes its count back. After a
//! `Pending` poll the thread swaps `woken` off: if it was on, the waker's count stands for the
//! next poll and the thread drops its own, then polls again; if not, the thread drops its
//! count and parks; after the park, a set `woken` hands the waker's count to the thread, and a
//! spurious wake makes the thread take one itself. When the call ends, `woken` is set for good
//! (a count a wake left is taken back), so a stale waker never leaves a count behind.
//!
//! Orderings: all `SeqCst`; the count is added before `woken` is set, so a reader that sees a
//! wake has happened (anything the waker did after `wake`) also sees its count. Modelled in
//! `loom-tests/tests/busy.rs`.

use crate::sync::{AtomicBool, AtomicUsize};
use std::future::Future;
use std::pin::pin;
// std's `Arc` even under loom: `Wake` needs it.
use std::sync::Arc;
use std::sync::atomic::Ordering::SeqCst;
use std::task::{Context, Poll, Wake, Waker};

/// How many threads inside a runtime's `block_on` are busy (see the module doc).
#[derive(Debug, Default)]
pub struct BusyCount(AtomicUsize);

impl BusyCount {
    /// A count of zero.
    pub fn new() -> BusyCount {
        BusyCount(AtomicUsize::new(0))
    }

    /// Whether no thread inside `block_on` is busy.
    pub fn is_idle(&self) -> bool {
        self.0.load(SeqCst) == 0
    }

    fn add(&self) {
        self.0.fetch_add(1, SeqCst);
    }

    fn sub(&self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

struct CountedWaker {
    thread: Waker,
    busy: Arc<BusyCount>,
    woken: AtomicBool,
}

impl Wake for CountedWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // Counted before the flag (see the module doc).
        self.busy.add();
        if self.woken.swap(true, SeqCst) {
            self.busy.sub();
        }
        self.thread.wake_by_ref();
    }
}

/// Drops the thread's count when the call ends (a panicking poll included), and seals the
/// call's waker.
struct Exit<'a> {
    waker: &'a CountedWaker,
    held: bool,
}

impl Drop for Exit<'_> {
    fn drop(&mut self) {
        if self.held {
            self.waker.busy.sub();
        }
        if self.waker.woken.swap(true, SeqCst) {
            // A wake's count left over from the last poll.
            self.waker.busy.sub();
        }
    }
}

/// [`block_on`](crate::block_on()) that keeps this thread counted in `busy` while it is busy.
pub fn block_on_counted<F: Future>(future: F, busy: &Arc<BusyCount>) -> F::Output {
    let mut future = pin!(future);
    let call = crate::block_on::CallWaker::take();
    let (parker, thread) = call.waker();
    let counted = Arc::new(CountedWaker {
        thread: thread.clone(),
        busy: busy.clone(),
        woken: AtomicBool::new(false),
    });
    let waker = Waker::from(counted.clone());
    let mut cx = Context::from_waker(&waker);
    busy.add();
    let mut exit = Exit {
        waker: &counted,
        held: true,
    };
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        if counted.woken.swap(false, SeqCst) {
            // Woken during the poll: that wake's count stands for the next poll.
            busy.sub();
            continue;
        }
        busy.sub();
        exit.held = false;
        parker.park();
        if !counted.woken.swap(false, SeqCst) {
            busy.add(); // a spurious wake-up: count ourselves
        }
        exit.held = true;
    }
}
