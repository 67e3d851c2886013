//! Per-thread context: which task is being polled, and whether this thread already drives a
//! runtime (a worker, or a thread inside `block_on`), which is what nesting checks read.

use crate::coop;
use crate::sync::const_thread_local;
use std::cell::Cell;
use std::ptr::NonNull;

const_thread_local! {
    static CURRENT_TASK: Cell<Option<NonNull<crate::task::raw::Header>>> = Cell::new(None);
    static DRIVING: Cell<bool> = Cell::new(false);
}

/// Marks the current thread as polling the task at `ptr` (and gives it a fresh budget) until
/// the guard drops.
fn enter_task(ptr: NonNull<crate::task::raw::Header>) -> TaskGuard {
    TaskGuard(CURRENT_TASK.with(|c| c.replace(Some(ptr))))
}

struct TaskGuard(Option<NonNull<crate::task::raw::Header>>);

impl Drop for TaskGuard {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = CURRENT_TASK.try_with(|c| c.set(prev));
    }
}

/// Runs `f` as the poll of a task: sets the current task and a fresh cooperative budget.
pub(crate) fn poll_as_task<R>(ptr: NonNull<crate::task::raw::Header>, f: impl FnOnce() -> R) -> R {
    let _task = enter_task(ptr);
    coop::with_budget(f)
}

/// The header of the task being polled on this thread, if any.
pub(crate) fn current_task_ptr() -> Option<NonNull<crate::task::raw::Header>> {
    CURRENT_TASK.try_with(Cell::get).ok().flatten()
}

/// Marks this thread as driving a runtime until the guard drops.
///
/// # Panics
///
/// Panics, with a message that says "nested" and what to do instead, when the thread already
/// drives one: a worker thread, or a thread inside `block_on`.
#[track_caller]
pub fn enter_runtime() -> RuntimeGuard {
    assert_not_driving();
    DRIVING.with(|d| d.set(true));
    RuntimeGuard(())
}

/// Panics, with a message that says "nested" and what to do instead, when this thread already
/// drives a runtime.
#[track_caller]
pub fn assert_not_driving() {
    if is_driving_runtime() {
        panic!(
            "nested runtime: this thread is already driving a weft runtime (it is a worker, or \
             it is inside `block_on`), and blocking it on another future would stall that \
             runtime. Do not nest `block_on`, `run` or `run_forever`: `.await` the future \
             instead, or `spawn` it and await its JoinHandle, or call `block_on` from a thread \
             that is not driving a runtime (for example inside `spawn_blocking`)."
        );
    }
}

/// Whether this thread drives a runtime (a worker thread, or inside `block_on`).
pub fn is_driving_runtime() -> bool {
    DRIVING.try_with(Cell::get).unwrap_or(false)
}

/// Proof that this thread drives a runtime; dropping it ends that.
#[derive(Debug)]
pub struct RuntimeGuard(());

impl Drop for RuntimeGuard {
    fn drop(&mut self) {
        let _ = DRIVING.try_with(|d| d.set(false));
    }
}

/// A per-thread "current" value set by the runtime (the current timer wheel, the current
/// reactor): a `thread_local!` holding `RefCell<Option<T>>`.
pub type CurrentSlot<T> = std::thread::LocalKey<std::cell::RefCell<Option<T>>>;

/// Makes `value` the current one in `slot` until the guard drops (or for good, with
/// [`CurrentGuard::forever`]). Safe to call while thread-locals are being destroyed and from
/// a destructor that runs inside another access: then it does nothing.
pub fn enter_current<T: Clone + 'static>(
    slot: &'static CurrentSlot<T>,
    value: &T,
) -> CurrentGuard<T> {
    let prev = slot
        .try_with(|c| {
            c.try_borrow_mut()
                .ok()
                .map(|mut c| c.replace(value.clone()))
        })
        .ok()
        .flatten();
    CurrentGuard {
        slot,
        prev,
        restore: true,
    }
}

/// The value current in `slot`, if any.
pub fn current_in<T: Clone + 'static>(slot: &'static CurrentSlot<T>) -> Option<T> {
    slot.try_with(|c| c.try_borrow().ok().and_then(|c| c.clone()))
        .ok()
        .flatten()
}

/// Returned by [`enter_current`]; restores the previous value when dropped.
#[must_use = "the value stays current only while the guard lives"]
pub struct CurrentGuard<T: 'static> {
    slot: &'static CurrentSlot<T>,
    /// `None`: nothing was set (the slot was unavailable), so nothing is restored.
    prev: Option<Option<T>>,
    restore: bool,
}

impl<T: 'static> CurrentGuard<T> {
    /// Keeps the value current for the rest of the thread's life (worker threads).
    pub fn forever(mut self) {
        self.restore = false;
    }
}

impl<T: 'static> Drop for CurrentGuard<T> {
    fn drop(&mut self) {
        if self.restore
            && let Some(prev) = self.prev.take()
        {
            let _ = self.slot.try_with(|c| {
                if let Ok(mut c) = c.try_borrow_mut() {
                    *c = prev;
                }
            });
        }
    }
}

impl<T: 'static> std::fmt::Debug for CurrentGuard<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CurrentGuard")
            .field("restore", &self.restore)
            .finish_non_exhaustive()
    }
}
