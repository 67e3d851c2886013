//! Callbacks (asyncio: `loop.call_soon`, `call_soon_threadsafe`): plain closures run on a worker,
//! in the order they were given, cancellable until they start.
//!
//! # How it works
//!
//! A runtime has one `CallbackQueue`: a mutex-guarded FIFO of callbacks and one *runner*, a task
//! that drains the queue in order. One runner means callbacks never run concurrently with each
//! other and always in submission order. `push` appends; if the runner is idle it is woken (or,
//! the first time, the caller is told to spawn it). The runner swaps the whole queue out under
//! the lock (no allocation: it swaps with a spare buffer it keeps), runs the batch, and goes idle
//! when the queue is empty. After [`BATCH`] callbacks in one poll it yields, so a flood of
//! callbacks cannot starve the other tasks on its worker; what is left of the batch stays in
//! the spare buffer and runs first on the next poll (each callback is moved once).
//!
//! # A callback's state
//!
//! `PENDING -> RUNNING -> DONE`, or `PENDING -> CANCELLED`. Both `run` and `cancel` leave
//! `PENDING` by compare-exchange, so exactly one of them wins; the winner alone touches the
//! closure. A cancelled callback never runs; a started one cannot be cancelled. `cancel` drops
//! the closure at once (what it captured is released then, not when the last handle goes;
//! asyncio's `Handle.cancel()` likewise drops its callback), on the cancelling thread.
//!
//! Orderings: the compare-exchanges are `AcqRel`: the runner that wins acquires the closure
//! written before the callback was queued (also published by the queue's mutex); `is_cancelled`
//! loads with `Acquire`.

use crate::sync::{AtomicUsize, Mutex, MutexGuard, UnsafeCell};
use crate::unwind;
// std's Arc even under loom: the cells are `Arc<dyn Callback>` (loom's Arc cannot hold unsized
// values), and their reference count is no part of the protocol modelled here.
use std::any::Any;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::task::{Context, Poll, Waker};

/// Callbacks run in one poll of the runner before it yields to other tasks.
pub const BATCH: usize = 128;

const PENDING: usize = 0;
const RUNNING: usize = 1;
const DONE: usize = 2;
const CANCELLED: usize = 3;

/// What a panicking callback's payload is handed to.
pub type PanicHandler = Arc<dyn Fn(Box<dyn Any + Send>) + Send + Sync>;

trait Callback: Send + Sync {
    /// Runs the closure if still pending; a panic is returned, not propagated.
    fn run(&self) -> Result<(), Box<dyn Any + Send>>;
    /// Cancels the callback if still pending, dropping its closure.
    fn cancel(&self);
    fn state(&self) -> &AtomicUsize;
}

struct CallbackCell<F> {
    state: AtomicUsize,
    f: UnsafeCell<Option<F>>,
}

// SAFETY: the closure is only touched by the thread that moved the state out of PENDING (see
// the module doc), and it is `Send`; everything else is atomic.
unsafe impl<F: Send> Sync for CallbackCell<F> {}

impl<F: FnOnce() + Send> Callback for CallbackCell<F> {
    fn run(&self) -> Result<(), Box<dyn Any + Send>> {
        if self
            .state
            .compare_exchange(PENDING, RUNNING, AcqRel, Acquire)
            .is_err()
        {
            return Ok(()); // cancelled
        }
        // SAFETY: we moved the state out of PENDING, so nobody else touches the closure.
        let f = self.f.with_mut(|f| unsafe { (*f).take() });
        let result = match f {
            Some(f) => catch_unwind(AssertUnwindSafe(f)),
            None => Ok(()),
        };
        // Release (via AcqRel store-like swap): a reader that sees DONE sees the callback's
        // effects. A plain store would do; the swap keeps the orderings in one style.
        self.state.swap(DONE, AcqRel);
        result
    }

    fn cancel(&self) {
        if self
            .state
            .compare_exchange(PENDING, CANCELLED, AcqRel, Acquire)
            .is_ok()
        {
            // SAFETY: we moved the state out of PENDING, so nobody else touches the closure
            // (`run` gives up on a state that is not PENDING).
            drop(self.f.with_mut(|f| unsafe { (*f).take() }));
        }
    }

    fn state(&self) -> &AtomicUsize {
        &self.state
    }
}

/// A queued callback: cancel it, or ask whether it was cancelled (asyncio: `Handle`).
#[derive(Clone)]
pub struct CallbackHandle {
    cell: Arc<dyn Callback>,
}

impl CallbackHandle {
    /// Makes sure the callback never runs, if it has not started yet, and drops its closure
    /// (with whatever it captured) right away. Cancelling a callback that is running or done
    /// changes nothing.
    pub fn cancel(&self) {
        self.cell.cancel();
    }

    /// Whether the callback was cancelled (and so never runs).
    pub fn is_cancelled(&self) -> bool {
        self.cell.state().load(Acquire) == CANCELLED
    }

    /// Whether the callback has run to its end (or panicked).
    pub fn is_done(&self) -> bool {
        self.cell.state().load(Acquire) == DONE
    }
}

impl fmt::Debug for CallbackHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.cell.state().load(Acquire) {
            PENDING => "pending",
            RUNNING => "running",
            DONE => "done",
            _ => "cancelled",
        };
        f.debug_struct("CallbackHandle")
            .field("state", &state)
            .finish()
    }
}

/// A callback made but not queued yet (see [`deferred`]). If it is dropped without being
/// queued, it never runs and its handle reports cancelled.
pub struct Deferred {
    cell: Option<Arc<dyn Callback>>,
}

/// Makes a callback for `f` to be queued later with [`CallbackQueue::push_deferred`].
pub fn deferred<F: FnOnce() + Send + 'static>(f: F) -> (CallbackHandle, Deferred) {
    let cell: Arc<dyn Callback> = Arc::new(CallbackCell {
        state: AtomicUsize::new(PENDING),
        f: UnsafeCell::new(Some(f)),
    });
    let handle = CallbackHandle { cell: cell.clone() };
    (handle, Deferred { cell: Some(cell) })
}

impl Deferred {
    fn take(mut self) -> Arc<dyn Callback> {
        self.cell
            .take()
            .expect("a deferred callback is queued once")
    }
}

impl Drop for Deferred {
    fn drop(&mut self) {
        if let Some(cell) = self.cell.take() {
            // Never queued: it will never run.
            abandon(cell);
        }
    }
}

impl fmt::Debug for Deferred {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Deferred").finish_non_exhaustive()
    }
}

/// What the caller of [`CallbackQueue::push`] must do next.
#[must_use]
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// Nothing: the runner will get to it.
    Queued,
    /// The runner does not exist yet: spawn [`CallbackQueue::runner`] as a task.
    SpawnRunner,
    /// The queue is closed; the callback was dropped unrun (its handle says cancelled).
    Closed,
}

struct Inner {
    queue: VecDeque<Arc<dyn Callback>>,
    /// The idle runner's waker; `None` while it runs (or before it exists).
    runner: Option<Waker>,
    /// Whether a runner task exists.
    spawned: bool,
    closed: bool,
}

/// One runtime's callbacks, in order.
pub struct CallbackQueue {
    inner: Mutex<Inner>,
    on_panic: Option<PanicHandler>,
}

impl CallbackQueue {
    /// An empty queue; `on_panic` receives the payload of a panicking callback (default: a
    /// line on stderr).
    pub fn new(on_panic: Option<PanicHandler>) -> CallbackQueue {
        CallbackQueue {
            inner: Mutex::new(Inner {
                queue: VecDeque::new(),
                runner: None,
                spawned: false,
                closed: false,
            }),
            on_panic,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // No user code runs under this lock.
        self.inner.lock()
    }

    /// Queues `f`. See [`Pushed`] for what the caller must do.
    pub fn push<F: FnOnce() + Send + 'static>(&self, f: F) -> (CallbackHandle, Pushed) {
        let (handle, deferred) = deferred(f);
        (handle, self.push_deferred(deferred))
    }

    /// Queues a callback made earlier by [`deferred`] (`call_later` queues it when its timer
    /// fires). See [`Pushed`] for what the caller must do.
    pub fn push_deferred(&self, deferred: Deferred) -> Pushed {
        let cell = deferred.take();
        let mut inner = self.lock();
        if inner.closed {
            drop(inner);
            abandon(cell);
            return Pushed::Closed;
        }
        inner.queue.push_back(cell);
        let waker = inner.runner.take();
        let pushed = if inner.spawned {
            Pushed::Queued
        } else {
            inner.spawned = true;
            Pushed::SpawnRunner
        };
        drop(inner);
        if let Some(waker) = waker {
            waker.wake();
        }
        pushed
    }

    /// Closes the queue: later pushes are dropped unrun, and queued callbacks are cancelled
    /// (their closures dropped, each handle reports cancelled). Call after the runtime stopped
    /// its workers. Callbacks the runner had taken but not run yet are cancelled when the
    /// runtime's close drops the runner.
    pub fn close(&self) {
        let (queue, runner) = {
            let mut inner = self.lock();
            inner.closed = true;
            (std::mem::take(&mut inner.queue), inner.runner.take())
        };
        queue.into_iter().for_each(abandon);
        drop(runner);
    }

    /// The runner task's future: drains the queue in order, forever.
    pub fn runner(self: Arc<Self>) -> Runner {
        Runner {
            queue: self,
            spare: VecDeque::new(),
        }
    }

    fn report(&self, payload: Box<dyn Any + Send>) {
        match &self.on_panic {
            Some(handler) => {
                // A panicking handler must not take the runner down either.
                unwind::guard(|| handler(payload));
            }
            None => {
                let msg = unwind::payload_message(&*payload).unwrap_or("(non-string payload)");
                eprintln!("weft: a callback panicked: {msg}; the runtime keeps running");
            }
        }
    }
}

impl fmt::Debug for CallbackQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackQueue")
            .field("queued", &self.lock().queue.len())
            .finish()
    }
}

/// The future of the task that runs a runtime's callbacks.
pub struct Runner {
    queue: Arc<CallbackQueue>,
    /// Swapped with the queue's buffer, so draining allocates nothing in steady state. Between
    /// polls it holds what is left of a batch after a yield: taken out of the queue, not run.
    spare: VecDeque<Arc<dyn Callback>>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        // Dropped by the runtime's close (the registry drops every unfinished future): the rest
        // of a batch that `CallbackQueue::close` cannot see is cancelled here, so every handle
        // ends cancelled or done.
        self.spare.drain(..).for_each(abandon);
    }
}

/// Cancels a callback the runtime will never run (its handle reports cancelled) and drops its
/// closure; a closure whose destructor panics does not unwind into the runtime.
fn abandon(cell: Arc<dyn Callback>) {
    unwind::guard(|| cell.cancel());
}

impl Future for Runner {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let mut ran = 0;
        loop {
            // First what is left from the last batch: it was queued before anything now in the
            // queue, so order holds, and each callback is moved only once (requeueing the
            // rest of a large batch made a flood quadratic).
            while let Some(cb) = this.spare.pop_front() {
                if ran >= BATCH {
                    this.spare.push_front(cb);
                    // Yield with work left: stay awake (no waker parked), requeue ourselves.
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                if let Err(payload) = cb.run() {
                    this.queue.report(payload);
                }
                ran += 1;
            }
            let mut inner = this.queue.lock();
            if inner.closed {
                return Poll::Ready(());
            }
            if inner.queue.is_empty() {
                match &mut inner.runner {
                    Some(w) => w.clone_from(cx.waker()),
                    None => inner.runner = Some(cx.waker().clone()),
                }
                return Poll::Pending;
            }
            std::mem::swap(&mut inner.queue, &mut this.spare);
        }
    }
}
