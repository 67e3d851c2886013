//! The per-thread context: everything weft knows about what the current thread is doing. This
//! file is the only one in weft that declares thread-locals, and it declares two: `CONTEXT`
//! holds the fields read on every poll and wake, none of which needs dropping, and `OWNED`
//! the two that own values (`block_on`, `scope`). A thread-local whose type needs dropping
//! checks its destructor's registration on every access; with everything in one, a spawned
//! and joined task cost 116 more instructions (callgrind, `benches/examples/spawn_join.rs`).
//!
//! | field | set by | read by |
//! |---|---|---|
//! | `task` | the task harness, for the length of one poll | `task::current`, spawn's parent |
//! | `budget` | the harness, a fresh budget per poll | `coop::poll_proceed` |
//! | `driving` | a worker for its life, `block_on` for its length | the nesting checks |
//! | `worker` | a worker for its life (its `WorkerCx`) | the scheduler's local scheduling |
//! | `local` | a one-thread loop (`local::Core::block_on`) for its length | the loop's scheduling, `spawn_local` |
//! | `pool` | a blocking-pool thread for its life | the pool's shutdown (a job closing its own pool) |
//! | `coarse_now` | a worker or a one-thread loop, on waking and every few dozen tasks | a spawn's time stamp |
//! | `block_on` | `block_on`'s cached waker, while no call uses it | `block_on` |
//! | `scope` | [`enter`]: a runtime's workers for their life, `block_on` / `Handle::enter` for their length | whoever needs the current runtime, its drivers or its blocking pool |
//!
//! The [`Scope`] is how the layers above weft-core find what is current without a
//! thread-local of their own: the facade puts its runtime handle in `runtime`, weft-timer its
//! timer wheel in `timer`, weft-io its reactor in `io`, each type-erased; each crate downcasts
//! its own slot back. The one typed slot, `blocking`, is the runtime's blocking pool behind
//! [`SpawnBlocking`]: a crate that must not depend on weft-blocking (weft-io, for its name
//! lookups) runs a job there through [`spawn_blocking`].
//!
//! Every accessor uses `try_with` and `try_borrow`: the context is read from destructors that
//! may run while thread-locals are being torn down, and a scope may be entered from a
//! destructor that runs inside another access; both then see "nothing", never a panic.

use crate::sync::const_thread_local;
use crate::thread_waker::CachedWaker;
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::ptr::NonNull;
use std::sync::Arc;

/// What the runtime a thread is inside provides, type-erased (see the module doc).
#[derive(Clone, Default)]
pub struct Scope {
    /// The runtime's own handle (the facade's).
    pub runtime: Option<Arc<dyn Any + Send + Sync>>,
    /// The timer wheel new timers on this thread register with.
    pub timer: Option<Arc<dyn Any + Send + Sync>>,
    /// The reactor new I/O sources on this thread register with.
    pub io: Option<Arc<dyn Any + Send + Sync>>,
    /// The runtime's blocking pool, for jobs that must not run on a worker.
    pub blocking: Option<Arc<dyn SpawnBlocking>>,
}

/// A job for a blocking pool: it owns whatever it reports back through (a oneshot sender), so
/// a job dropped unrun tells its waiter.
pub type BlockingJob = Box<dyn FnOnce() + Send>;

/// A pool of threads that may block: the `blocking` slot of a [`Scope`]. The facade puts its
/// runtime's pool there; layers that must not depend on weft-blocking reach it through
/// [`spawn_blocking`].
pub trait SpawnBlocking: Send + Sync {
    /// Queues `job` to run on one of the pool's threads. Returns it back when the pool takes
    /// no more jobs (it shut down), so the caller can run it elsewhere. A job the pool took
    /// but cancels unrun (a shutdown while it was queued) is dropped.
    fn spawn_blocking(&self, job: BlockingJob) -> Result<(), BlockingJob>;
}

/// Runs `job` on the blocking pool of the current scope; returns it back outside every scope,
/// in a scope without a pool, or when that pool shut down.
pub fn spawn_blocking(job: BlockingJob) -> Result<(), BlockingJob> {
    // The pool is called outside the scope's borrow: spawning may run code (a thread start)
    // that reads the context.
    match with_scope(|scope| scope.blocking.clone()).flatten() {
        Some(pool) => pool.spawn_blocking(job),
        None => Err(job),
    }
}

impl std::fmt::Debug for Scope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope")
            .field("runtime", &self.runtime.is_some())
            .field("timer", &self.timer.is_some())
            .field("io", &self.io.is_some())
            .field("blocking", &self.blocking.is_some())
            .finish()
    }
}

pub(crate) struct Context {
    /// The header of the task being polled (type-erased: `task/current.rs` owns the cast).
    pub(crate) task: Cell<Option<NonNull<()>>>,
    /// `None`: unconstrained (not inside a task poll).
    pub(crate) budget: Cell<Option<u8>>,
    pub(crate) driving: Cell<bool>,
    /// The scheduler's `WorkerCx` running on this thread (type-erased: `scheduler/worker.rs`
    /// owns the cast), or null.
    pub(crate) worker: Cell<*const ()>,
    /// The one-thread loop (`local::Core`) running on this thread (type-erased:
    /// `local/core.rs` owns the cast), or null.
    pub(crate) local: Cell<*const ()>,
    /// The blocking pool this thread belongs to (an address used as an identity), or null.
    pub(crate) pool: Cell<*const ()>,
    /// This thread's random state (`rand.rs`); 0 until first used.
    pub(crate) rng: Cell<u32>,
    /// This thread's coarse clock (`task/trace.rs`, nanoseconds): set by a worker or a
    /// one-thread loop when it wakes and every few dozen tasks, and back to 0 when the thread
    /// stops running the scheduler, so it is non-zero exactly on a thread that keeps it fresh.
    pub(crate) coarse_now: Cell<u64>,
}

/// The part of the context that owns values with destructors (a waker, a runtime's handles),
/// in a thread-local of its own (see the module doc).
pub(crate) struct Owned {
    pub(crate) block_on: Cell<Option<CachedWaker>>,
    scope: RefCell<Option<Scope>>,
}

impl Context {
    const fn new() -> Context {
        Context {
            task: Cell::new(None),
            budget: Cell::new(None),
            driving: Cell::new(false),
            worker: Cell::new(std::ptr::null()),
            local: Cell::new(std::ptr::null()),
            pool: Cell::new(std::ptr::null()),
            rng: Cell::new(0),
            coarse_now: Cell::new(0),
        }
    }
}

impl Owned {
    const fn new() -> Owned {
        Owned {
            block_on: Cell::new(None),
            scope: RefCell::new(None),
        }
    }
}

const_thread_local! {
    static CONTEXT: Context = Context::new();
    static OWNED: Owned = Owned::new();
}

/// Runs `f` with this thread's context; `None` while thread-locals are being destroyed.
pub(crate) fn with<R>(f: impl FnOnce(&Context) -> R) -> Option<R> {
    CONTEXT.try_with(f).ok()
}

/// Runs `f` with the owning part of this thread's context; `None` while thread-locals are
/// being destroyed.
pub(crate) fn with_owned<R>(f: impl FnOnce(&Owned) -> R) -> Option<R> {
    OWNED.try_with(f).ok()
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
    with(|c| c.driving.set(true));
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

/// What a spawn needs to know about this thread, in one look: the header of the task being
/// polled (the new task's parent), and the thread's coarse clock (0 unless it runs a
/// scheduler's tasks now: a worker, or a one-thread loop inside its `block_on`).
pub(crate) fn spawn_site() -> (Option<NonNull<()>>, u64) {
    with(|c| (c.task.get(), c.coarse_now.get())).unwrap_or((None, 0))
}

/// Sets this thread's coarse clock (0: this thread no longer keeps one).
pub(crate) fn set_coarse_now(nanos: u64) {
    with(|c| c.coarse_now.set(nanos));
}

/// Whether this thread drives a runtime (a worker thread, or inside `block_on`).
pub fn is_driving_runtime() -> bool {
    with(|c| c.driving.get()).unwrap_or(false)
}

/// Proof that this thread drives a runtime; dropping it ends that.
#[derive(Debug)]
pub struct RuntimeGuard(());

impl Drop for RuntimeGuard {
    fn drop(&mut self) {
        with(|c| c.driving.set(false));
    }
}

/// Marks this thread, for the rest of its life, as a thread of the blocking pool whose
/// identity is `pool` (any address unique to the pool).
pub fn enter_pool_thread(pool: *const ()) {
    with(|c| c.pool.set(pool));
}

/// Whether this thread is a thread of the blocking pool `pool` (see [`enter_pool_thread`]).
pub fn is_pool_thread(pool: *const ()) -> bool {
    with(|c| std::ptr::eq(c.pool.get(), pool)).unwrap_or(false)
}

/// Makes `scope` current on this thread until the guard drops (then the previous one comes
/// back). Does nothing, and restores nothing, while thread-locals are being destroyed or when
/// called from inside [`with_scope`].
pub fn enter(scope: Scope) -> ScopeGuard {
    let prev = with_owned(|c| {
        c.scope
            .try_borrow_mut()
            .ok()
            .map(|mut current| current.replace(scope))
    })
    .flatten();
    ScopeGuard { prev }
}

/// Calls `f` with the current scope, without cloning it; `None` outside every scope (or while
/// it cannot be read, see the module doc).
pub fn with_scope<R>(f: impl FnOnce(&Scope) -> R) -> Option<R> {
    with_owned(|c| c.scope.try_borrow().ok().and_then(|s| s.as_ref().map(f))).flatten()
}

/// Returned by [`enter`]; restores the previous scope when dropped.
#[must_use = "the scope stays current only while the guard lives"]
pub struct ScopeGuard {
    /// `None`: nothing was set, so nothing is restored.
    prev: Option<Option<Scope>>,
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        if let Some(prev) = self.prev.take() {
            // The scope being left is dropped after the borrow ends: its drop may release a
            // runtime, whose destructors may read the context.
            let left = with_owned(|c| {
                c.scope
                    .try_borrow_mut()
                    .ok()
                    .map(|mut current| std::mem::replace(&mut *current, prev))
            });
            drop(left);
        }
    }
}

impl std::fmt::Debug for ScopeGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopeGuard").finish_non_exhaustive()
    }
}
