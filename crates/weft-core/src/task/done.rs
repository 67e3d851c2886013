//! Done callbacks (asyncio: `Task.add_done_callback`): closures that run once a task finished,
//! with its [`Outcome`], on the task's own scheduler.
//!
//! # Where the callbacks live
//!
//! A task without callbacks pays one pointer-sized header field (`Header::done`, null) and
//! one branch at completion (a bit of the snapshot its `COMPLETE` transition returns). The
//! first `add_done_callback` allocates the task's [`DoneList`] and installs it in that field
//! by compare-exchange; it stays there until the task is freed, which frees it. The list is a
//! small lock around a FIFO of boxed closures and one flag, `runner`.
//!
//! # Who runs them
//!
//! A *runner*: a tiny task ([`DoneRunner`]) bound into the finished task's registry and
//! scheduled through its scheduler, like a spawn from the task's own code. It holds one
//! reference to the finished task (to reach the list), pops callbacks one at a time, and calls
//! each with the outcome, outside the lock, under `catch_unwind`. At most one runner exists per
//! task (`runner` is set while one is scheduled or running), so callbacks run one at a time, in
//! the order they were added, also those added while earlier ones run. A runner is a fresh
//! scheduling step: never inline in the harness of the task that completed.
//!
//! # The protocol
//!
//! - `add`: under the list lock, push the callback; if `runner` is set, stop (that runner
//!   pops until the queue is empty, under this lock). Otherwise, still under the lock,
//!   `State::set_done_callbacks`: before `COMPLETE` it sets `DONE_CALLBACKS` and stops (the
//!   completer starts the runner); after `COMPLETE` it fails with the outcome, and the adder
//!   sets `runner` and starts the runner itself.
//! - completion: `transition_to_complete` returns the snapshot before; only when it has
//!   `DONE_CALLBACKS` does the completer take the list lock, and it starts a runner unless
//!   `runner` is already set (an adder that came after `COMPLETE` got there first).
//! - a runner that pops nothing clears `runner` under the lock and finishes.
//!
//! No callback is lost: `DONE_CALLBACKS` and `COMPLETE` are changed by read-modify-writes of
//! the one state word, so an adder's `set_done_callbacks` is ordered before the completion (the
//! completer sees the bit and looks) or after it (the adder sees `COMPLETE` and starts the
//! runner); the list lock orders either with the pushes. None runs twice: starting a runner
//! and popping both happen under the lock with `runner` deciding who may.
//!
//! # Close
//!
//! The runner is a task of the runtime's registry, so close cancels it like any other task:
//! a runner bound after close is cancelled by `bind` at once (the shard lock orders it with
//! `close`), one bound before is dropped by `close` unless a worker is running it (close joins
//! the workers before it closes the registry, so that run ends before close returns). A
//! cancelled runner's drop empties the queue and drops the closures, never calling them, and
//! clears `runner`, so a callback added later starts a runner that is cancelled in turn.
//!
//! # Panics
//!
//! A panicking callback is caught and reported on stderr; the runner goes on with the next
//! callback, and the worker is untouched. A closure whose destructor panics is contained the
//! same way (`unwind`).
//!
//! # Orderings
//!
//! The list pointer is installed with an `AcqRel` compare-exchange and read with `Acquire`:
//! pairs with the installer, so whoever sees the pointer sees the initialized list. The state
//! word's `AcqRel` transitions carry the rest (a completer that sees `DONE_CALLBACKS` sees
//! the installed pointer); the callbacks themselves are published by the list's mutex.

use super::raw::{Header, RawTask};
use crate::sync::{AtomicPtr, Mutex};
use crate::unwind;
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::task::{Context, Poll};

/// How a task finished, as its done callbacks see it (asyncio: `Task.cancelled()`,
/// `Task.exception()`).
///
/// It matches what awaiting the `JoinHandle` gives: `Ok` is [`Completed`](Outcome::Completed),
/// a `JoinError` with `is_panic()` is [`Panicked`](Outcome::Panicked), one with
/// `is_cancelled()` is [`Cancelled`](Outcome::Cancelled).
///
/// ```
/// use weft::task::Outcome;
///
/// let rt = weft::Runtime::new()?;
/// let (tx, rx) = std::sync::mpsc::channel();
/// let task = rt.spawn(async { 7 });
/// task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
/// assert_eq!(rx.recv().unwrap(), Outcome::Completed);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Outcome {
    /// The future returned its output.
    Completed,
    /// The future panicked (or, while it was being cancelled, one of its destructors did).
    Panicked,
    /// The future was dropped unfinished: aborted, or its runtime closed.
    Cancelled,
}

/// A queued done callback.
pub(crate) type DoneCallback = Box<dyn FnOnce(Outcome) + Send + 'static>;

/// The done callbacks of one task (see the module doc). Reached from `Header::done`.
pub(crate) struct DoneList {
    inner: Mutex<DoneInner>,
}

struct DoneInner {
    queue: VecDeque<DoneCallback>,
    /// A runner is scheduled or running: it will pop what is queued.
    runner: bool,
}

impl DoneList {
    fn new() -> DoneList {
        DoneList {
            inner: Mutex::new(DoneInner {
                queue: VecDeque::new(),
                runner: false,
            }),
        }
    }
}

impl Drop for DoneList {
    fn drop(&mut self) {
        // Callbacks still queued when the task is freed never ran (their runner was cancelled
        // and drained, so this is only a safety net); their destructors may panic.
        let queue = std::mem::take(&mut self.inner.lock().queue);
        queue.into_iter().for_each(unwind::drop_guarded);
    }
}

/// The header's pointer to the task's done list: null until the first `add_done_callback`.
pub(crate) struct DoneSlot(AtomicPtr<DoneList>);

impl DoneSlot {
    pub(crate) fn new() -> DoneSlot {
        DoneSlot(AtomicPtr::new(ptr::null_mut()))
    }

    /// The installed list, if any.
    fn get(&self) -> Option<&DoneList> {
        // Acquire: pairs with the AcqRel compare-exchange in `get_or_install`, so the list we
        // see is initialized.
        let list = self.0.load(Acquire);
        // SAFETY: a non-null pointer is a list installed by `get_or_install` from
        // `Box::into_raw`, freed only when the slot is dropped with the task; the caller holds
        // a reference to the task, so the slot (and list) outlive the borrow.
        unsafe { list.as_ref() }
    }

    /// The list, allocated and installed on first use.
    fn get_or_install(&self) -> &DoneList {
        if let Some(list) = self.get() {
            return list;
        }
        let new = Box::into_raw(Box::new(DoneList::new()));
        // AcqRel: Release publishes the new list to every later `get`; Acquire (also on
        // failure) sees the list another adder installed first.
        match self
            .0
            .compare_exchange(ptr::null_mut(), new, AcqRel, Acquire)
        {
            // SAFETY: installed: it lives as long as the slot, which outlives `&self`.
            Ok(_) => unsafe { &*new },
            Err(installed) => {
                // SAFETY: `new` was never shared (the exchange failed); we free our own box.
                drop(unsafe { Box::from_raw(new) });
                // SAFETY: `installed` is non-null (the exchange only fails on a non-null value)
                // and was installed by `get_or_install`; it lives as long as the slot.
                unsafe { &*installed }
            }
        }
    }
}

impl Drop for DoneSlot {
    fn drop(&mut self) {
        // Acquire: the task is being freed, after the last reference's AcqRel decrement, so any
        // load sees the installed list; Acquire keeps that obvious.
        let list = self.0.load(Acquire);
        if !list.is_null() {
            // SAFETY: the task is being freed (reference count zero): nobody else can reach
            // the list, which `get_or_install` made with `Box::into_raw`.
            drop(unsafe { Box::from_raw(list) });
        }
    }
}

/// `JoinHandle::add_done_callback`: queues `f` and starts a runner if nobody else will.
pub(crate) fn add(raw: RawTask, f: DoneCallback) {
    let header = raw.header();
    let list = header.done.get_or_install();
    let mut inner = list.inner.lock();
    inner.queue.push_back(f);
    if inner.runner {
        // The runner pops until the queue is empty (under this lock): it will get to `f`.
        return;
    }
    // Under the list lock: a completer that saw DONE_CALLBACKS before us locks after us and
    // finds `runner` set (see the module doc).
    match header.state.set_done_callbacks() {
        // Not complete: the completer sees DONE_CALLBACKS and starts the runner.
        Ok(_) => {}
        Err(done) => {
            inner.runner = true;
            drop(inner);
            let outcome = done.outcome().expect("complete snapshot has an outcome");
            // SAFETY: the caller (a JoinHandle) holds a reference, keeping the task alive.
            unsafe { raw.spawn_done_runner(outcome) };
        }
    }
}

/// Completion saw `DONE_CALLBACKS`: whether the completer must start a runner (it then holds
/// the `runner` flag).
pub(crate) fn completed(header: &Header) -> bool {
    let Some(list) = header.done.get() else {
        // DONE_CALLBACKS is set only after the list was installed (`add`), and the
        // completer's AcqRel transition saw the bit.
        debug_assert!(false, "DONE_CALLBACKS without a done list");
        return false;
    };
    let mut inner = list.inner.lock();
    if inner.runner || inner.queue.is_empty() {
        return false;
    }
    inner.runner = true;
    true
}

/// Callbacks run in one poll of a runner before it yields to the other tasks.
const BATCH: usize = crate::callback::BATCH;

/// The future of a task that runs one finished task's done callbacks, in order.
pub(crate) struct DoneRunner {
    /// The finished task; this runner owns one reference to it.
    task: RawTask,
    outcome: Outcome,
    /// The queue was found empty and `runner` cleared: nothing to abandon on drop.
    finished: bool,
}

// SAFETY: the runner only touches the finished task's header (its state word and the done
// list, both synchronized) and drops its reference, which is what `RawTask: Send` permits.
// Dropping the last reference may free the finished task's output: the runner runs on that
// task's own scheduler (for a local task, the loop's thread), where the task could be freed
// anyway, and it is cancelled only by that scheduler's registry close.
unsafe impl Send for DoneRunner {}

impl DoneRunner {
    /// # Safety
    ///
    /// The caller gives the runner one reference to `task`, a completed task whose done list
    /// is installed and whose `runner` flag the caller set.
    pub(crate) unsafe fn new(task: RawTask, outcome: Outcome) -> DoneRunner {
        DoneRunner {
            task,
            outcome,
            finished: false,
        }
    }

    fn list(&self) -> &DoneList {
        self.task
            .header()
            .done
            .get()
            .expect("a runner's task has a done list")
    }
}

impl Future for DoneRunner {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut ran = 0;
        loop {
            if ran == BATCH {
                // Stay the runner (`runner` stays set); let the worker's other tasks run.
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            let next = {
                let mut inner = self.list().inner.lock();
                match inner.queue.pop_front() {
                    Some(f) => f,
                    None => {
                        inner.runner = false;
                        drop(inner);
                        self.finished = true;
                        return Poll::Ready(());
                    }
                }
            };
            let outcome = self.outcome;
            if let Err(payload) = catch_unwind(AssertUnwindSafe(move || next(outcome))) {
                let msg = unwind::payload_message(&*payload).unwrap_or("(non-string payload)");
                eprintln!("weft: a done callback panicked: {msg}; the runtime keeps running");
                unwind::discard(payload);
            }
            ran += 1;
        }
    }
}

impl Drop for DoneRunner {
    fn drop(&mut self) {
        if !self.finished {
            // Cancelled (the runtime closed): the callbacks left never run. Drop them outside
            // the lock and give up the runner role, so a later add starts (and, the registry
            // being closed, cancels) a runner of its own.
            let queue = {
                let mut inner = self.list().inner.lock();
                inner.runner = false;
                std::mem::take(&mut inner.queue)
            };
            queue.into_iter().for_each(unwind::drop_guarded);
        }
        // SAFETY: the runner owns this reference (`DoneRunner::new`).
        unsafe { self.task.drop_reference() };
    }
}
