//! `AbortHandle`: cancel a task from code that does not own its `JoinHandle`.
//!
//! An abort handle holds one reference on the task (the state word's count), like a waker:
//! the task's memory lives until every handle, waker and the `JoinHandle` are gone, so
//! `abort`, `is_finished` and `id` are always safe to call, before or after the task ends.

use super::id::TaskId;
use super::raw::RawTask;
use std::fmt;

/// Cancels a task without owning its [`JoinHandle`](super::JoinHandle); from
/// `JoinHandle::abort_handle`. Cloneable and usable from any thread.
///
/// ```
/// weft::run(async {
///     let handle = weft::spawn(std::future::pending::<()>());
///     let abort = handle.abort_handle();
///     std::thread::spawn(move || abort.abort()).join().unwrap();
///     assert!(handle.await.unwrap_err().is_cancelled());
/// });
/// ```
pub struct AbortHandle {
    raw: RawTask,
}

// SAFETY: an abort handle only touches the task's atomic state word, its immutable header
// fields, and submits the task to its scheduler, all of which are thread-safe; it never
// touches the future or the output.
unsafe impl Send for AbortHandle {}
// SAFETY: as above; every method takes `&self` and is thread-safe.
unsafe impl Sync for AbortHandle {}

impl AbortHandle {
    /// A new handle on `raw`, taking a reference of its own.
    pub(crate) fn new(raw: RawTask) -> AbortHandle {
        raw.state().ref_inc();
        AbortHandle { raw }
    }

    /// Cancels the task, as [`JoinHandle::abort`](super::JoinHandle::abort): its future is
    /// dropped at its next suspension point (at once if it is idle), and its `JoinHandle`
    /// resolves to a cancelled `JoinError`. Aborting a finished task changes nothing.
    pub fn abort(&self) {
        self.raw.abort();
    }

    /// Whether the task has finished (completed, panicked or been cancelled and dropped).
    pub fn is_finished(&self) -> bool {
        self.raw.state().load().is_complete()
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.raw.header().id
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        AbortHandle::new(self.raw)
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        // SAFETY: this handle owns one reference (taken in `new`), given up once, here.
        unsafe { self.raw.drop_reference() };
    }
}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .field("finished", &self.is_finished())
            .finish()
    }
}
