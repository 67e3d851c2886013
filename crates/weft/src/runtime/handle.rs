//! `Handle`: a cloneable reference to a runtime, usable from any thread; and the per-thread
//! "current runtime" that `weft::spawn` and `Handle::current` read.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, OnceLock, Weak};
use weft_core::task::JoinHandle;

/// A reference to a runtime: spawn onto it, block on it, from any thread.
///
/// Cheap to clone (`Clone + Send + Sync`). Get one from [`Runtime::handle`](super::Runtime::handle)
/// or, inside a runtime, from [`Handle::current`].
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<HandleInner>,
}

pub(crate) struct HandleInner {
    pub(crate) scheduler: weft_core::scheduler::Handle,
}

/// Filled with the runtime's handle once it is built; worker threads find their runtime
/// through it. Weak, so that the worker hooks (owned by the scheduler) do not keep the
/// runtime alive.
pub(crate) type HandleSlot = Arc<OnceLock<Weak<HandleInner>>>;

thread_local! {
    /// The runtime this thread is inside: set for the length of `block_on` / `enter`, and on a
    /// worker thread for its whole life (resolved lazily from `WORKER_SLOT`).
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
    static WORKER_SLOT: RefCell<Option<HandleSlot>> = const { RefCell::new(None) };
}

/// Run on each worker thread as it starts: remember which runtime it belongs to.
pub(crate) fn register_worker_thread(slot: &HandleSlot) {
    WORKER_SLOT.with(|s| *s.borrow_mut() = Some(slot.clone()));
}

/// Run on each worker thread as it stops.
pub(crate) fn unregister_worker_thread() {
    let _ = WORKER_SLOT.try_with(|s| s.borrow_mut().take());
    let _ = CURRENT.try_with(|c| c.borrow_mut().take());
}

impl Handle {
    /// The runtime the calling code runs in.
    ///
    /// # Panics
    ///
    /// Panics outside a runtime (not on a worker thread, not inside `block_on`), with a message
    /// that says so. [`Handle::try_current`] returns `None` instead.
    #[track_caller]
    pub fn current() -> Handle {
        match Handle::try_current() {
            Some(handle) => handle,
            None => panic!(
                "Handle::current() called outside a runtime: no weft runtime is running on \
                 this thread. Call it from inside a task or `block_on`, or keep the `Handle` \
                 from `Runtime::handle()` and clone it into other threads."
            ),
        }
    }

    /// The runtime the calling code runs in, or `None` outside one.
    pub fn try_current() -> Option<Handle> {
        if let Ok(Some(handle)) = CURRENT.try_with(|c| c.borrow().clone()) {
            return Some(handle);
        }
        let slot = WORKER_SLOT
            .try_with(|s| s.borrow().clone())
            .ok()
            .flatten()?;
        let inner = slot.get()?.upgrade()?;
        Some(Handle { inner })
    }

    /// Makes this runtime the current one on this thread until the guard drops, so that
    /// `weft::spawn` and `Handle::current` find it (asyncio: `set_event_loop`). Guards nest.
    pub fn enter(&self) -> EnterGuard {
        // try_with: this also runs while thread-locals are being destroyed (a runtime dropped
        // in a thread-local destructor); then there is nothing to set.
        let prev = CURRENT
            .try_with(|c| c.borrow_mut().replace(self.clone()))
            .ok()
            .flatten();
        EnterGuard { prev }
    }

    /// Spawns `future` onto this runtime (asyncio: `loop.create_task`). Works from any thread.
    /// After the runtime closed, the returned handle resolves to a cancelled `JoinError`.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.scheduler.spawn(future)
    }

    pub(crate) fn spawn_named<F>(&self, future: F, name: Option<Box<str>>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.scheduler.spawn_named(future, name)
    }

    /// Runs `future` to completion on the calling thread (asyncio: `run_until_complete`),
    /// with this runtime current, so tasks it spawns run on the workers.
    ///
    /// # Panics
    ///
    /// Panics with a message about nesting when the calling thread already drives a runtime
    /// (a worker thread, or inside another `block_on`): `.await` the future instead.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _driving = weft_core::context::enter_runtime();
        let _current = self.enter();
        weft_core::block_on(future)
    }

    /// Whether the runtime was closed.
    pub fn is_closed(&self) -> bool {
        self.inner.scheduler.is_closed()
    }

    /// The number of worker threads.
    pub fn num_workers(&self) -> usize {
        self.inner.scheduler.num_workers()
    }

    /// The number of tasks spawned and not yet finished (asyncio: `len(all_tasks())`).
    pub fn num_live_tasks(&self) -> usize {
        self.inner.scheduler.num_live_tasks()
    }

    pub(crate) fn close(&self) {
        self.inner.scheduler.close();
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.num_workers())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Returned by [`Handle::enter`]; the previous current runtime comes back when it drops.
#[must_use = "the runtime stays current only while the guard lives"]
pub struct EnterGuard {
    prev: Option<Handle>,
}

impl Drop for EnterGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}
