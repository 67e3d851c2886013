//! Wakers made from the task itself: the waker's data pointer is the task header, and each
//! waker owns one reference. Waking an idle task never allocates.

use super::raw::{Header, RawTask};
use super::state::ToNotified;
use std::mem::ManuallyDrop;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A waker that borrows a reference its caller owns (no count is added).
///
/// # Safety
///
/// The caller keeps a reference to the task alive for as long as the waker is used.
pub(super) unsafe fn borrowed(ptr: NonNull<Header>) -> ManuallyDrop<Waker> {
    let raw = RawWaker::new(ptr.as_ptr() as *const (), &VTABLE);
    // SAFETY: VTABLE's functions uphold the RawWaker contract for task headers; ManuallyDrop
    // keeps this waker from dropping the reference it only borrows.
    ManuallyDrop::new(unsafe { Waker::from_raw(raw) })
}

/// # Safety
///
/// `data` is the header pointer of a live task, kept alive by the waker being operated on.
unsafe fn task(data: *const ()) -> RawTask {
    // SAFETY: wakers are only built from non-null header pointers (see `borrowed`).
    let ptr = unsafe { NonNull::new_unchecked(data as *mut Header) };
    // SAFETY: the caller guarantees the task is alive.
    unsafe { RawTask::from_raw(ptr) }
}

/// # Safety
///
/// `data` is the header pointer of a live task and the waker owns (or, for `wake_by_ref`,
/// borrows) one of its references (the `RawWaker` contract for wakers made in this module).
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned holds a reference.
    let task = unsafe { task(data) };
    task.state().ref_inc();
    RawWaker::new(data, &VTABLE)
}

/// # Safety
///
/// `data` is the header pointer of a live task and the waker owns (or, for `wake_by_ref`,
/// borrows) one of its references (the `RawWaker` contract for wakers made in this module).
unsafe fn wake(data: *const ()) {
    // SAFETY: the waker being consumed holds a reference.
    let task = unsafe { task(data) };
    match task.state().transition_to_notified_by_val() {
        // SAFETY: the waker's reference now belongs to the Notified.
        ToNotified::Submit => unsafe { task.schedule() },
        // SAFETY: the waker's reference was the last.
        ToNotified::Dealloc => unsafe { task.dealloc() },
        ToNotified::Nothing => {}
    }
}

/// # Safety
///
/// `data` is the header pointer of a live task and the waker owns (or, for `wake_by_ref`,
/// borrows) one of its references (the `RawWaker` contract for wakers made in this module).
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the waker holds a reference.
    let task = unsafe { task(data) };
    if task.state().transition_to_notified_by_ref() == ToNotified::Submit {
        // SAFETY: the transition added a reference for the Notified.
        unsafe { task.schedule() };
    }
}

/// # Safety
///
/// `data` is the header pointer of a live task and the waker owns (or, for `wake_by_ref`,
/// borrows) one of its references (the `RawWaker` contract for wakers made in this module).
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the waker being dropped holds a reference.
    let task = unsafe { task(data) };
    // SAFETY: that reference is given up here.
    unsafe { task.drop_reference() };
}
