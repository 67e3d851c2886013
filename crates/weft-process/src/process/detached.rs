//! A detached future polled by its own waker: the background work of an orphaned child, with
//! no runtime and no executor behind it.
//!
//! [`spawn`] polls the future once on the calling thread; after that, whoever wakes it polls
//! it, inline in `wake`. The wakers of an orphan's reaper are held by the fallback reactor
//! (its pidfd, or the signal pipe), so the fallback thread polls it, after it released its
//! locks (weft-io wakes wakers with no lock held). Each poll is a `waitpid(WNOHANG)` and a
//! waker registration: it never blocks the thread it runs on.
//!
//! # Invariants
//!
//! - At most one thread polls the future at a time: `running` is set, under the lock, by the
//!   thread that took the future out of its slot, and cleared by it when it puts it back (or
//!   drops it, done).
//! - No wake-up is lost: a wake that finds `running` sets `notified`, and the polling thread
//!   looks at `notified` under the lock before it puts the future back, polling again if set.
//! - The future is never polled with our lock held, and never dropped with it held (dropping
//!   it deregisters a source, which wakes its stale wakers: this one, which then finds the
//!   slot empty and returns).
//! - A future that keeps waking itself while it returns `Pending` (a signal listener out of
//!   cooperative budget, when the caller is a task that used its budget up) is handed, after
//!   a few tries, to a short-lived thread of its own, where there is no budget.
//!
//! A plain mutex: this is not hot (one poll per child exit), so no lock-free protocol. The
//! mutex and the threads are weft-core's sync shim's, so under `--cfg weft_loom` the
//! model `loom-tests/tests/process_detached.rs` sees every lock; the `Arc` is std's, since a
//! `Waker` is made from it (`Wake`), and its count is no protocol of ours.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use weft_core::sync::{Mutex, MutexGuard, thread};

type BoxFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Polls in a row, on one thread, of a future that woke itself each time, before the rest go
/// to a thread of its own.
const INLINE_REPOLLS: usize = 4;

struct Detached {
    state: Mutex<State>,
}

struct State {
    /// The future; `None` while a thread polls it, and once it finished.
    future: Option<BoxFuture>,
    running: bool,
    notified: bool,
}

/// Runs `future` to completion in the background, polled by whoever wakes it.
pub(crate) fn spawn(future: impl Future<Output = ()> + Send + 'static) {
    let task = Arc::new(Detached {
        state: Mutex::new(State {
            future: Some(Box::pin(future)),
            running: false,
            notified: false,
        }),
    });
    task.run();
}

impl Detached {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics under this lock (polls and drops happen outside it); the shim's mutex
        // does not poison anyway.
        self.state.lock()
    }

    fn run(self: &Arc<Self>) {
        let mut future = {
            let mut state = self.lock();
            if state.running {
                state.notified = true;
                return;
            }
            let Some(future) = state.future.take() else {
                return; // finished: a stale waker
            };
            state.running = true;
            future
        };
        let waker = Waker::from(Arc::clone(self));
        let mut cx = Context::from_waker(&waker);
        let mut repolls = 0;
        loop {
            let poll = poll_catching(&mut future, &mut cx);
            let mut state = self.lock();
            if poll.is_ready() {
                state.running = false;
                drop(state);
                drop(future);
                return;
            }
            if state.notified {
                state.notified = false;
                repolls += 1;
                if repolls < INLINE_REPOLLS {
                    continue;
                }
                // Keep `running` set: the future moves to its own thread, still ours.
                drop(state);
                self.continue_elsewhere(future);
                return;
            }
            state.running = false;
            state.future = Some(future);
            return;
        }
    }

    /// Hands the future to a new thread, which puts it back and polls it there (no context,
    /// no budget). If no thread can be started, it goes back to its slot and waits for its
    /// next wake-up.
    fn continue_elsewhere(self: &Arc<Self>, future: BoxFuture) {
        let put_back = |task: &Arc<Detached>, future: BoxFuture| {
            let mut state = task.lock();
            state.running = false;
            state.future = Some(future);
        };
        let task = Arc::clone(self);
        let slot = Arc::new(Mutex::new(Some(future)));
        let moved = Arc::clone(&slot);
        let started = thread::Builder::new()
            .name("weft-reaper".into())
            .spawn(move || {
                let future = moved.lock().take();
                if let Some(future) = future {
                    put_back(&task, future);
                    task.run();
                }
            });
        if started.is_err() {
            let future = slot.lock().take();
            if let Some(future) = future {
                put_back(self, future);
            }
        }
    }
}

/// Polls the future once; a panic counts as finished (the future is dropped, the thread goes
/// on). Under loom the panic is not caught: loom reports what it finds (a deadlock, a data race)
/// as a panic on the thread that hit it, and a catch here would take that for a finished future.
fn poll_catching(future: &mut BoxFuture, cx: &mut Context<'_>) -> Poll<()> {
    #[cfg(not(weft_loom))]
    {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| future.as_mut().poll(cx)))
            .unwrap_or(Poll::Ready(()))
    }
    #[cfg(weft_loom)]
    {
        future.as_mut().poll(cx)
    }
}

impl Wake for Detached {
    fn wake(self: Arc<Self>) {
        self.run();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.run();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::task::Poll;

    #[test]
    fn a_future_that_keeps_waking_itself_finishes_on_a_thread_of_its_own() {
        let (done, finished) = mpsc::channel();
        let caller = std::thread::current().id();
        let mut polls = 0;
        super::spawn(std::future::poll_fn(move |cx| {
            polls += 1;
            if polls < 20 {
                cx.waker().wake_by_ref(); // as a signal listener out of budget does
                return Poll::Pending;
            }
            done.send(std::thread::current().id()).unwrap();
            Poll::Ready(())
        }));
        let finisher = finished.recv().unwrap();
        assert_ne!(
            finisher, caller,
            "the caller's thread was not held for every poll"
        );
    }

    #[test]
    fn a_wake_after_the_first_poll_polls_again() {
        let (waker_tx, waker_rx) = mpsc::channel();
        let (done, finished) = mpsc::channel();
        let mut first = true;
        super::spawn(std::future::poll_fn(move |cx| {
            if first {
                first = false;
                waker_tx.send(cx.waker().clone()).unwrap();
                return Poll::Pending;
            }
            done.send(()).unwrap();
            Poll::Ready(())
        }));
        assert!(
            finished.try_recv().is_err(),
            "not finished before its wake-up"
        );
        let waker = waker_rx.recv().unwrap();
        std::thread::spawn(move || waker.wake()).join().unwrap();
        finished.recv().unwrap();
    }
}
