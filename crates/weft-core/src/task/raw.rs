//! The task allocation: header, future/output stage, scheduler, join waker; and the type-erased
//! pointer to it.
//!
//! A task is one `Box<Cell<F, S>>`. `Cell` is `repr(C)` with the `Header` first, so a pointer to
//! the cell is a pointer to its header; everything that does not know `F` and `S` works through
//! `NonNull<Header>` and the header's vtable, whose functions know them.
//!
//! # Ownership of the fields
//!
//! - `header.state`: shared, atomic (see `state.rs`).
//! - `header.links`: only under the lock of the shard of `header.owner`, the registry that
//!   bound the task.
//! - `stage`: the thread holding `RUNNING`; after `COMPLETE`, the `JoinHandle` if it has join
//!   interest, else the completing thread.
//! - `join_waker`: the `JoinHandle` while `JOIN_WAKER` is clear and the task not complete;
//!   shared read-only while `JOIN_WAKER` is set; freed with the cell.
//! - `header.done`: null until the first `add_done_callback` installs the done list (atomic
//!   compare-exchange); the list itself is behind its own lock (see `done.rs`); freed with the
//!   cell.

use super::TaskName;
use super::done::{DoneSlot, Outcome};
use super::error::JoinError;
use super::id::{RegistryId, TaskId};
use super::state::State;
use super::trace::Trace;
use crate::sync::UnsafeCell;
use std::future::Future;
use std::ptr::NonNull;
use std::task::Waker;

/// Registry links of one task (an intrusive doubly linked list).
pub(crate) struct Links {
    pub(crate) prev: Option<NonNull<Header>>,
    pub(crate) next: Option<NonNull<Header>>,
}

/// The part of a task every piece of the runtime can see without knowing its types.
#[repr(C)]
pub(crate) struct Header {
    pub(crate) state: State,
    pub(crate) vtable: &'static Vtable,
    pub(crate) id: TaskId,
    pub(crate) name: Option<TaskName>,
    /// The registry that bound the task: the only one that may unlink it. Set at creation,
    /// never changed.
    pub(crate) owner: RegistryId,
    pub(crate) links: UnsafeCell<Links>,
    /// Where, by whom and when it was spawned; polls and busy time (`trace.rs`).
    pub(crate) trace: Trace,
    /// The done callbacks' list, installed by the first `add_done_callback` (see `done.rs`).
    pub(crate) done: DoneSlot,
}

/// The typed functions of one `Cell<F, S>`.
pub(crate) struct Vtable {
    /// Runs one poll; consumes the reference of the `Notified` being run.
    pub(crate) poll: unsafe fn(NonNull<Header>),
    /// Hands a `Notified` (one reference, owned) to the task's scheduler.
    pub(crate) schedule: unsafe fn(NonNull<Header>),
    /// Frees the cell; the reference count is zero.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
    /// Moves the output into `*mut Poll<Result<T, JoinError>>` if complete, else registers
    /// the waker.
    pub(crate) try_read_output: unsafe fn(NonNull<Header>, *mut (), &Waker),
    /// Drops the `JoinHandle`'s interest and reference.
    pub(crate) drop_join_handle: unsafe fn(NonNull<Header>),
    /// Cancels the task for runtime shutdown; consumes one reference (the registry's).
    pub(crate) shutdown: unsafe fn(NonNull<Header>),
    /// Starts a runner for the done callbacks of the completed task through its scheduler.
    pub(crate) spawn_done_runner: unsafe fn(NonNull<Header>, Outcome),
}

/// What the stage cell holds over a task's life.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// The whole allocation of one task.
#[repr(C)]
pub(crate) struct Cell<F: Future, S> {
    pub(crate) header: Header,
    pub(crate) scheduler: S,
    pub(crate) stage: UnsafeCell<Stage<F>>,
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

/// A type-erased pointer to a task. Copying it does not count a reference: each owner of a
/// reference (`Notified`, `JoinHandle`, a waker, the registry) accounts for its own.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct RawTask {
    ptr: NonNull<Header>,
}

// SAFETY: a RawTask is a pointer to a task whose shared fields are synchronized by the state
// word and the registry locks (see the module doc); the future and output it points at are
// `Send` (`Registry::bind`), or only ever touched on their one thread (the contract of
// `Registry::bind_local`), so the pointer itself may travel (a waker, a remote queue).
unsafe impl Send for RawTask {}
// SAFETY: as above; every method through `&RawTask` goes through those protocols.
unsafe impl Sync for RawTask {}

impl RawTask {
    /// # Safety
    ///
    /// `ptr` points at a live task header.
    pub(crate) unsafe fn from_raw(ptr: NonNull<Header>) -> RawTask {
        RawTask { ptr }
    }

    pub(crate) fn header_ptr(self) -> NonNull<Header> {
        self.ptr
    }

    pub(crate) fn header(&self) -> &Header {
        // SAFETY: whoever holds a RawTask holds (or borrows from an owner of) a reference, so
        // the allocation is alive; the header's fields are only read through shared access.
        unsafe { self.ptr.as_ref() }
    }

    pub(crate) fn state(&self) -> &State {
        &self.header().state
    }

    /// # Safety
    ///
    /// The caller owns the reference of a `Notified` for this task and gives it up.
    pub(crate) unsafe fn poll(self) {
        // SAFETY: forwarded contract; the vtable belongs to this cell.
        unsafe { (self.header().vtable.poll)(self.ptr) }
    }

    /// # Safety
    ///
    /// The caller owns one reference and gives it to the scheduler as a `Notified`.
    pub(crate) unsafe fn schedule(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.schedule)(self.ptr) }
    }

    /// # Safety
    ///
    /// The reference count has reached zero; nobody touches the task again.
    pub(crate) unsafe fn dealloc(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.dealloc)(self.ptr) }
    }

    /// # Safety
    ///
    /// Called by the task's `JoinHandle`; `dst` is a `*mut Poll<Result<T, JoinError>>` with
    /// `T` the task's output type.
    pub(crate) unsafe fn try_read_output(self, dst: *mut (), waker: &Waker) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.try_read_output)(self.ptr, dst, waker) }
    }

    /// # Safety
    ///
    /// Called once, by the task's `JoinHandle` as it is dropped.
    pub(crate) unsafe fn drop_join_handle(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.drop_join_handle)(self.ptr) }
    }

    /// # Safety
    ///
    /// The caller owns the registry's reference to the task and gives it up.
    pub(crate) unsafe fn shutdown(self) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.shutdown)(self.ptr) }
    }

    /// Starts a runner task for this completed task's done callbacks (see `done.rs`).
    ///
    /// # Safety
    ///
    /// The caller holds a reference; the task is complete with `outcome`, its done list is
    /// installed, and the caller set the list's `runner` flag.
    pub(crate) unsafe fn spawn_done_runner(self, outcome: Outcome) {
        // SAFETY: forwarded contract.
        unsafe { (self.header().vtable.spawn_done_runner)(self.ptr, outcome) }
    }

    /// Cancels the task (`JoinHandle::abort`, `AbortHandle::abort`): marks it cancelled and,
    /// if it was idle, submits it so its next poll drops the future.
    pub(crate) fn abort(self) {
        if self.state().transition_to_notified_and_cancel() {
            // SAFETY: the transition added a reference for the Notified being submitted.
            unsafe { self.schedule() };
        }
    }

    /// Drops one reference, freeing the task if it was the last.
    ///
    /// # Safety
    ///
    /// The caller owns the reference.
    pub(crate) unsafe fn drop_reference(self) {
        if self.state().ref_dec(1) {
            // SAFETY: that was the last reference.
            unsafe { self.dealloc() }
        }
    }
}
