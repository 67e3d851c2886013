//! The typed side of a task: poll, cancel, complete, read the output, free.
//!
//! These functions are the entries of the vtable of a `Cell<F, S>`. Each one states which
//! reference it consumes; each access to the stage or the join waker is justified by the state
//! transition just made (see `raw.rs` and `state.rs` for the ownership rules).

use super::done::{self, DoneRunner, DoneSlot, Outcome};
use super::error::JoinError;
use super::id::{RegistryId, TaskId};
use super::raw::{Cell, Header, Links, RawTask, Stage, Vtable};
use super::state::State;
use super::state::{ToIdle, ToRunning};
use super::trace::{self, TaskMeta, Trace};
use super::{Notified, Schedule, waker};
use crate::sync::UnsafeCell;
use crate::unwind;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{Context, Poll, Waker};

pub(super) fn vtable<F, S>() -> &'static Vtable
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    &Vtable {
        poll: poll::<F, S>,
        schedule: schedule::<F, S>,
        dealloc: dealloc::<F, S>,
        try_read_output: try_read_output::<F, S>,
        drop_join_handle: drop_join_handle::<F, S>,
        shutdown: shutdown::<F, S>,
        spawn_done_runner: spawn_done_runner::<F, S>,
    }
}

/// Allocates a task holding `future`; its state is `State::new()` (three references).
pub(super) fn allocate<F, S>(
    future: F,
    scheduler: S,
    id: TaskId,
    meta: TaskMeta,
    owner: RegistryId,
) -> RawTask
where
    F: Future + 'static,
    F::Output: 'static,
    S: Schedule,
{
    // Everything computed first, so the cell is written straight into its allocation.
    let trace = Trace::new(meta.location);
    // Allocated first and written in place: built on the stack and moved, a cell of this size
    // cost a `memcpy` per spawn (29 instructions, callgrind).
    let mut cell = Box::<Cell<F, S>>::new_uninit();
    cell.write(Cell {
        header: Header {
            state: State::new(),
            vtable: vtable::<F, S>(),
            id,
            name: meta.name,
            owner,
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
            }),
            trace,
            done: DoneSlot::new(),
        },
        scheduler,
        stage: UnsafeCell::new(Stage::Running(future)),
        join_waker: UnsafeCell::new(None),
    });
    // SAFETY: written just above.
    let cell = unsafe { cell.assume_init() };
    let ptr = NonNull::from(Box::leak(cell)).cast::<Header>();
    // SAFETY: `ptr` is the header of the cell just allocated, alive until its references go.
    unsafe { RawTask::from_raw(ptr) }
}

/// # Safety
///
/// `ptr` is the header of a live `Cell<F, S>`.
unsafe fn cell<'a, F: Future, S>(ptr: NonNull<Header>) -> &'a Cell<F, S> {
    // SAFETY: `Cell` is repr(C) with the header first, so the header pointer is the cell
    // pointer; the caller guarantees the types and that the cell is alive.
    unsafe { ptr.cast::<Cell<F, S>>().as_ref() }
}

/// Runs one poll of the task.
///
/// # Safety
///
/// `ptr` is the header of a live `Cell<F, S>` and the caller gives up the reference of the
/// `Notified` being run.
unsafe fn poll<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the vtable of a Cell<F, S> calls this with its own header, kept alive by the
    // Notified's reference.
    let cell = unsafe { cell::<F, S>(ptr) };
    // SAFETY: `ptr` is a live task header.
    let raw = unsafe { RawTask::from_raw(ptr) };
    match cell.header.state.transition_to_running() {
        ToRunning::Poll => {}
        ToRunning::Cancel => {
            let outcome = cancel_future(cell, JoinError::cancelled);
            // SAFETY: we hold RUNNING and the Notified's reference.
            unsafe { complete::<F, S>(ptr, outcome) };
            return;
        }
        ToRunning::Skip => return,
        ToRunning::SkipAndDealloc => {
            // SAFETY: that was the last reference.
            unsafe { raw.dealloc() };
            return;
        }
    }

    // The waker borrows the Notified's reference for the length of the poll.
    // SAFETY: the reference stays alive until this function gives it up below.
    let waker = unsafe { waker::borrowed(ptr) };
    let mut cx = Context::from_waker(&waker);
    let ready = {
        let _current = super::current::enter(ptr);
        poll_future(cell, &mut cx)
    };
    if let Some(outcome) = ready {
        // SAFETY: we hold RUNNING and the Notified's reference.
        unsafe { complete::<F, S>(ptr, outcome) };
        return;
    }
    match cell.header.state.transition_to_idle() {
        ToIdle::Idle => {}
        ToIdle::IdleAndDealloc => {
            // SAFETY: that was the last reference.
            unsafe { raw.dealloc() };
        }
        // SAFETY: NOTIFIED is set and our reference now belongs to the new Notified.
        ToIdle::Requeue => cell.scheduler.yield_now(unsafe { Notified::from_raw(raw) }),
        ToIdle::Cancel => {
            let outcome = cancel_future(cell, JoinError::cancelled);
            // SAFETY: we still hold RUNNING and the reference.
            unsafe { complete::<F, S>(ptr, outcome) };
        }
    }
}

/// Polls the future once, catching a panic. Returns how it finished when the stage now holds
/// an output, `None` when it is pending. The caller holds `RUNNING`.
fn poll_future<F: Future, S>(cell: &Cell<F, S>, cx: &mut Context<'_>) -> Option<Outcome> {
    let id = cell.header.id;
    cell.header.trace.count_poll();
    let mut poll = || {
        catch_unwind(AssertUnwindSafe(|| {
            cell.stage.with_mut(|stage| {
                // SAFETY: RUNNING gives this thread exclusive access to the stage.
                let stage = unsafe { &mut *stage };
                let Stage::Running(future) = stage else {
                    unreachable!("a task was polled after its future was dropped")
                };
                // SAFETY: the future lives in the heap cell and is never moved until dropped.
                let future = unsafe { Pin::new_unchecked(future) };
                future.poll(cx)
            })
        }))
    };
    let result = if trace::timing() {
        // Timed (debug mode, inspection): the cold path.
        let started = std::time::Instant::now();
        let result = poll();
        cell.header.trace.add_busy(started.elapsed());
        result
    } else {
        poll()
    };
    let (output, outcome) = match result {
        Ok(Poll::Pending) => return None,
        Ok(Poll::Ready(output)) => (Ok(output), Outcome::Completed),
        Err(payload) => (Err(JoinError::panic(id, payload)), Outcome::Panicked),
    };
    set_stage(cell, Stage::Finished(output));
    Some(outcome)
}

/// Drops the future (its destructors run) and stores the cancelled error `why` makes, or a
/// panic error if a destructor panicked; returns which. The caller holds `RUNNING`.
fn cancel_future<F: Future, S>(cell: &Cell<F, S>, why: fn(TaskId) -> JoinError) -> Outcome {
    let id = cell.header.id;
    let (error, outcome) = match drop_stage_in_place(cell, Stage::Consumed) {
        Ok(()) => (why(id), Outcome::Cancelled),
        Err(payload) => (JoinError::panic(id, payload), Outcome::Panicked),
    };
    set_stage(cell, Stage::Finished(Err(error)));
    outcome
}

/// Replaces the stage and returns the old value. Only for a stage that holds no future (an
/// output taken by its `JoinHandle`): a future is pinned and must be dropped where it lies.
fn replace_stage<F: Future, S>(cell: &Cell<F, S>, new: Stage<F>) -> Stage<F> {
    cell.stage.with_mut(|stage| {
        // SAFETY: the caller has exclusive access to the stage (RUNNING, or the output's owner),
        // and moves no pinned future out (see above).
        unsafe { std::mem::replace(&mut *stage, new) }
    })
}

/// Drops the stage's value where it lies, then stores `new`. A future in the stage is pinned
/// (it may hold intrusive nodes, e.g. a place in a lock's waiter list, that other threads
/// point at), so it is dropped in place, never moved out first. A panic while dropping is
/// caught and returned; `new` is stored either way.
fn drop_stage_in_place<F: Future, S>(
    cell: &Cell<F, S>,
    new: Stage<F>,
) -> Result<(), Box<dyn std::any::Any + Send>> {
    cell.stage.with_mut(|stage| {
        // SAFETY: the caller has exclusive access to the stage (RUNNING, or the output's
        // owner); the value is valid and is dropped exactly once, here. If its destructor
        // panics, the unwinding drop glue still finishes dropping it.
        let dropped = catch_unwind(AssertUnwindSafe(|| unsafe {
            std::ptr::drop_in_place(stage)
        }));
        // SAFETY: the old value is gone (dropped above), so overwriting it without dropping
        // it again is right; `stage` is valid for writes.
        unsafe { std::ptr::write(stage, new) };
        dropped
    })
}

/// Replaces the stage, dropping the old value in place; a panic while dropping it is caught
/// and the payload discarded (a destructor that panics while dropping a future that already
/// panicked must not unwind into the worker).
fn set_stage<F: Future, S>(cell: &Cell<F, S>, new: Stage<F>) {
    if let Err(payload) = drop_stage_in_place(cell, new) {
        unwind::discard(payload);
    }
}

/// Publishes the output (which ended as `outcome`), wakes the `JoinHandle`, starts the done
/// callbacks if any, leaves the registry and drops the caller's reference.
///
/// # Safety
///
/// The caller holds `RUNNING` and one reference, and the stage holds `Finished`.
#[inline(always)]
unsafe fn complete<F, S>(ptr: NonNull<Header>, outcome: Outcome)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the caller's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    let prev = cell.header.state.transition_to_complete(outcome);
    if !prev.is_join_interested() {
        // Nobody will read the output; COMPLETE without JOIN_INTEREST makes it ours to drop.
        set_stage(cell, Stage::Consumed);
    } else if prev.is_join_waker_set() {
        cell.join_waker.with(|slot| {
            // SAFETY: JOIN_WAKER was set before COMPLETE, so the JoinHandle will not write the
            // slot again; reading it is shared with nobody who writes.
            if let Some(waker) = unsafe { &*slot } {
                // A user waker may panic; the worker must survive it.
                unwind::wake_by_ref(waker);
            }
        });
    }
    // The one branch a task without done callbacks pays for them.
    if prev.has_done_callbacks() {
        // SAFETY: our reference keeps the task alive; it is complete with `outcome`.
        unsafe { start_done_callbacks::<F, S>(ptr, outcome) };
    }
    // SAFETY: `ptr` is a live task header.
    let raw = unsafe { RawTask::from_raw(ptr) };
    // Leaving the registry is the harness's own business: `remove` unlinks the task only from
    // the registry that bound it, whatever registry the scheduler names, so no `Schedule`
    // impl can make us drop a reference a registry still holds.
    let unlinked = cell.scheduler.registry().remove(raw);
    if cell.header.state.ref_dec(1 + usize::from(unlinked)) {
        // SAFETY: those were the last references.
        unsafe { raw.dealloc() };
    }
}

/// Completion found `DONE_CALLBACKS`: starts a runner unless an adder already did.
///
/// # Safety
///
/// `ptr` is the header of a live, complete `Cell<F, S>` whose outcome is `outcome`.
#[cold]
#[inline(never)]
unsafe fn start_done_callbacks<F, S>(ptr: NonNull<Header>, outcome: Outcome)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the caller keeps the task alive.
    let header = unsafe { ptr.as_ref() };
    if done::completed(header) {
        // SAFETY: `completed` set `runner` for us; the list is installed (DONE_CALLBACKS).
        unsafe { spawn_done_runner::<F, S>(ptr, outcome) };
    }
}

/// Binds a runner for the done callbacks into the task's registry and schedules it through
/// the task's scheduler, as a spawn from the task would be. A closed registry cancels it at
/// once, which drops the callbacks unrun (see `done.rs`).
///
/// # Safety
///
/// `ptr` is the header of a live, complete `Cell<F, S>` whose outcome is `outcome`, the
/// caller holds a reference, the done list is installed and the caller set its `runner` flag.
unsafe fn spawn_done_runner<F, S>(ptr: NonNull<Header>, outcome: Outcome)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the caller's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    // The runner's own reference, derived from the caller's.
    cell.header.state.ref_inc();
    // SAFETY: `ptr` is a live task header.
    let raw = unsafe { RawTask::from_raw(ptr) };
    // SAFETY: the reference just added is the runner's; the caller's contract gives the rest.
    let runner = unsafe { DoneRunner::new(raw, outcome) };
    let scheduler = &cell.scheduler;
    let meta = TaskMeta {
        name: None,
        location: cell.header.trace.location,
    };
    let (join, notified) = scheduler.registry().bind(runner, scheduler.clone(), meta);
    drop(join);
    if let Some(task) = notified {
        scheduler.schedule(task);
    }
}

/// # Safety
///
/// `ptr` is the header of a live `Cell<F, S>`; the caller gives its reference to the new
/// `Notified`, and `NOTIFIED` is set for it.
unsafe fn schedule<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the caller owns a reference, which keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    // SAFETY: `ptr` is a live task header.
    let raw = unsafe { RawTask::from_raw(ptr) };
    // SAFETY: the caller hands its reference to the Notified.
    let notified = unsafe { Notified::from_raw(raw) };
    cell.scheduler.schedule(notified);
}

/// # Safety
///
/// `ptr` is the header of a `Cell<F, S>` made by `RawTask::new` whose reference count is zero.
unsafe fn dealloc<F: Future, S>(ptr: NonNull<Header>) {
    // SAFETY: the reference count is zero: nobody else can reach the cell, which was made by
    // `Box::new` in `RawTask::new` with these types.
    let cell = unsafe { Box::from_raw(ptr.cast::<Cell<F, S>>().as_ptr()) };
    // A future or output whose destructor panics must not unwind through a waker drop or the
    // worker loop.
    unwind::drop_guarded(cell);
}

/// # Safety
///
/// Called by the task's `JoinHandle` (which holds a reference); `dst` points at a valid
/// `Poll<Result<F::Output, JoinError>>`.
unsafe fn try_read_output<F, S>(ptr: NonNull<Header>, dst: *mut (), waker: &Waker)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the JoinHandle's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    if !can_read_output(cell, waker) {
        return;
    }
    // COMPLETE with JOIN_INTEREST: the stage belongs to the JoinHandle.
    let stage = replace_stage(cell, Stage::Consumed);
    let Stage::Finished(output) = stage else {
        panic!("JoinHandle polled after it returned its output");
    };
    let dst = dst.cast::<Poll<Result<F::Output, JoinError>>>();
    // SAFETY: the JoinHandle<F::Output> passed a valid, initialized Poll of this type; the old
    // value is Pending and has nothing to drop, and assignment drops it properly anyway.
    unsafe { *dst = Poll::Ready(output) };
}

/// Whether the output is ready; if not, makes sure `waker` is woken on completion.
fn can_read_output<F: Future, S>(cell: &Cell<F, S>, waker: &Waker) -> bool {
    let state = &cell.header.state;
    let snapshot = state.load();
    if snapshot.is_complete() {
        return true;
    }
    if snapshot.is_join_waker_set() {
        let same = cell.join_waker.with(|slot| {
            // SAFETY: JOIN_WAKER is set: the slot is only read, by us and the completer.
            unsafe { &*slot }
                .as_ref()
                .is_some_and(|w| w.will_wake(waker))
        });
        if same {
            return false;
        }
        if state.unset_join_waker().is_err() {
            return true;
        }
    }
    cell.join_waker.with_mut(|slot| {
        // SAFETY: JOIN_WAKER is clear and the task not complete: the slot is the JoinHandle's.
        unsafe { *slot = Some(waker.clone()) };
    });
    state.set_join_waker().is_err()
}

/// # Safety
///
/// Called once, by the task's `JoinHandle`, which gives up its reference.
unsafe fn drop_join_handle<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the JoinHandle's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    match cell.header.state.unset_join_interest() {
        Ok(prev) => {
            if prev.is_join_waker_set() {
                let waker = cell.join_waker.with_mut(|slot| {
                    // SAFETY: we cleared JOIN_WAKER before COMPLETE: the completer will not
                    // read the slot, and it is ours again.
                    unsafe { (*slot).take() }
                });
                drop(waker);
            }
        }
        // COMPLETE with JOIN_INTEREST: the output is ours to drop.
        Err(_) => set_stage(cell, Stage::Consumed),
    }
    // SAFETY: `ptr` is a live task header.
    let raw = unsafe { RawTask::from_raw(ptr) };
    // SAFETY: the JoinHandle owned this reference.
    unsafe { raw.drop_reference() };
}

/// # Safety
///
/// `ptr` is the header of a live `Cell<F, S>`; the caller gives up one reference (the
/// registry's, or a `Notified`'s when a task is cancelled unrun).
unsafe fn shutdown<F, S>(ptr: NonNull<Header>)
where
    F: Future + 'static,
    S: Schedule,
{
    // SAFETY: the registry's reference keeps the cell alive.
    let cell = unsafe { cell::<F, S>(ptr) };
    if cell.header.state.transition_to_shutdown() {
        // Shutdown is the runtime closing (or a pool that can never run the task).
        let outcome = cancel_future(cell, JoinError::closed);
        // SAFETY: we took RUNNING; the registry's reference is the one complete drops.
        unsafe { complete::<F, S>(ptr, outcome) };
    } else {
        // Running elsewhere (it sees CANCELLED when its poll ends) or already complete.
        // SAFETY: `ptr` is a live task header.
        let raw = unsafe { RawTask::from_raw(ptr) };
        // SAFETY: we own the registry's reference.
        unsafe { raw.drop_reference() };
    }
}
