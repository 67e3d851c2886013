//! `Handle`: a cloneable reference to a runtime, usable from any thread; and the "current
//! runtime" that `weft::spawn` and `Handle::current` read: the `runtime` of the thread's scope
//! in weft-core's context (set on the workers for their life, and by `enter` / `block_on`).

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use weft_core::callback::{CallbackHandle, CallbackQueue, PanicHandler, Pushed};
use weft_core::context::{self, BlockingJob, Scope, ScopeGuard, SpawnBlocking};
use weft_core::stop::StopSignal;
use weft_core::task::{JoinHandle, TaskMeta};

use super::scheduler::Scheduler;

/// A reference to a runtime: spawn onto it, block on it, from any thread.
///
/// Cheap to clone (`Clone + Send + Sync`). Get one from [`Runtime::handle`](super::Runtime::handle)
/// or, inside a runtime, from [`Handle::current`].
#[derive(Clone)]
pub struct Handle {
    pub(crate) inner: Arc<HandleInner>,
}

pub(crate) struct HandleInner {
    pub(crate) scheduler: Scheduler,
    pub(crate) blocking: weft_blocking::ThreadPool,
    pub(crate) timer: weft_timer::TimerHandle,
    pub(crate) reactor: Arc<weft_io::Reactor>,
    pub(crate) callbacks: Arc<CallbackQueue>,
    pub(crate) stop: StopSignal,
    /// `block_on` and `run_forever` calls in progress.
    pub(crate) running: AtomicUsize,
    /// Threads inside `block_on` that are busy (polling, or woken): a paused clock waits for
    /// them before it jumps ahead.
    pub(crate) busy: Arc<weft_core::busy::BusyCount>,
    /// The timer handle threads that are not workers register with, type-erased for the scope.
    timer_scope: Arc<dyn Any + Send + Sync>,
    /// The inspection server, when inspection is on (see `inspect.rs`).
    pub(crate) inspector: super::inspect::Slot,
}

impl HandleInner {
    pub(crate) fn new(
        scheduler: Scheduler,
        blocking: weft_blocking::ThreadPool,
        timer: weft_timer::TimerHandle,
        reactor: Arc<weft_io::Reactor>,
        on_panic: Option<PanicHandler>,
    ) -> HandleInner {
        HandleInner {
            scheduler,
            blocking,
            timer_scope: Arc::new(timer.clone()),
            timer,
            reactor,
            callbacks: Arc::new(CallbackQueue::new(on_panic)),
            stop: StopSignal::new(),
            running: AtomicUsize::new(0),
            busy: Arc::new(weft_core::busy::BusyCount::new()),
            inspector: Default::default(),
        }
    }

    /// Whether this runtime has nothing to do but wait for timers: no blocking job, no busy
    /// `block_on` thread, idle workers (or an idle loop), in that order: each source queues
    /// what it wakes before it stops counting as busy, so once it is seen idle, its work is
    /// seen by the next look.
    pub(crate) fn is_quiescent(&self) -> bool {
        self.blocking.is_idle() && self.busy.is_idle() && self.scheduler.is_quiescent()
    }

    /// Hands the timer driver the probe that lets a paused clock jump ahead (a weak reference:
    /// the runtime owns the driver).
    pub(crate) fn install_quiescence(self: &Arc<Self>) {
        let weak = Arc::downgrade(self);
        self.timer.set_quiescent(Arc::new(move || {
            weak.upgrade().is_some_and(|inner| inner.is_quiescent())
        }));
    }

    /// What a thread inside this runtime has current: this runtime, `timer` for new timers,
    /// its reactor for new I/O sources, and its blocking pool (weft-io's name lookups).
    pub(crate) fn scope(self: &Arc<Self>, timer: Arc<dyn Any + Send + Sync>) -> Scope {
        Scope {
            runtime: Some(self.clone()),
            timer: Some(timer),
            io: Some(self.reactor.clone()),
            blocking: Some(self.clone()),
        }
    }

    pub(crate) fn spawn_with<F>(&self, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.scheduler.spawn_with(future, meta)
    }

    pub(crate) fn spawn_blocking_with<F, R>(&self, f: F, meta: TaskMeta) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.blocking.spawn_with(f, meta)
    }
}

/// The blocking slot of this runtime's scope: jobs go to its pool, as `spawn_blocking`'s do.
impl SpawnBlocking for HandleInner {
    fn spawn_blocking(&self, job: BlockingJob) -> Result<(), BlockingJob> {
        if self.blocking.is_shutdown() {
            return Err(job);
        }
        // Detached: the job reports through what it owns. A shutdown racing this spawn
        // cancels it unrun, which drops it, and that tells its waiter.
        drop(
            self.blocking
                .spawn_with(job, TaskMeta::here(Some("weft-lookup".into()))),
        );
        Ok(())
    }
}

/// Counts a `block_on` / `run_forever` in progress for `is_running`.
pub(crate) struct RunningGuard<'a>(&'a AtomicUsize);

impl<'a> RunningGuard<'a> {
    pub(crate) fn new(count: &'a AtomicUsize) -> RunningGuard<'a> {
        // Relaxed: a counter read by `is_running` as a hint; it orders nothing.
        count.fetch_add(1, Relaxed);
        RunningGuard(count)
    }
}

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Relaxed);
    }
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
        context::with_scope(|scope| {
            let inner = Arc::downcast::<HandleInner>(scope.runtime.clone()?).ok()?;
            Some(Handle { inner })
        })
        .flatten()
    }

    /// Calls `f` with the current runtime without cloning its handle (the spawn path), or
    /// returns `None` outside a runtime.
    pub(crate) fn with_current<R>(f: impl FnOnce(&HandleInner) -> R) -> Option<R> {
        context::with_scope(|scope| scope.runtime.as_ref()?.downcast_ref::<HandleInner>().map(f))
            .flatten()
    }

    /// Makes this runtime the current one on this thread until the guard drops, so that
    /// `weft::spawn` and `Handle::current` find it (asyncio: `set_event_loop`), and its timers
    /// and sockets are the ones new ones register with. Guards nest.
    pub fn enter(&self) -> EnterGuard {
        EnterGuard {
            _scope: context::enter(self.inner.scope(self.inner.timer_scope.clone())),
        }
    }

    /// Spawns `future` onto this runtime (asyncio: `loop.create_task`). Works from any thread.
    /// After the runtime closed, the returned handle resolves to a cancelled `JoinError`.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn_with(future, TaskMeta::here(None))
    }

    /// Runs `f` on the runtime's blocking pool (asyncio: `run_in_executor(None, f)`): the
    /// workers never block on it, and at most `max_blocking_threads` jobs run at once (the
    /// rest wait in a queue). Aborting the handle before the job starts means it never runs.
    /// After close, the handle resolves cancelled.
    ///
    /// ```
    /// let rt = weft::Runtime::new()?;
    /// let len = rt.block_on(async {
    ///     weft::spawn_blocking(|| std::fs::read("/proc/self/stat").map(|b| b.len()))
    ///         .await
    ///         .unwrap()
    /// })?;
    /// assert!(len > 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.inner.spawn_blocking_with(f, TaskMeta::here(None))
    }

    /// Spawns with a name, recording the caller as the spawn location.
    #[track_caller]
    pub(crate) fn spawn_named<F>(&self, future: F, name: Option<Box<str>>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.inner.spawn_with(future, TaskMeta::here(name))
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
        if self.is_closed() {
            super::closed_panic("block_on");
        }
        let _driving = weft_core::context::enter_runtime();
        let _current = self.enter();
        let _running = RunningGuard::new(&self.inner.running);
        weft_core::busy::block_on_counted(future, &self.inner.busy)
    }

    /// Blocks the calling thread until [`Handle::stop`] is called (from a task, a callback, or
    /// any thread) or the runtime closes (asyncio: `loop.run_forever()`). Tasks and callbacks
    /// keep running on the workers meanwhile. Returns at once when a `stop` came before it
    /// (the request is remembered, once) or the runtime is closed.
    ///
    /// # Panics
    ///
    /// Panics with a message about nesting on a thread that already drives a runtime.
    #[track_caller]
    pub fn run_forever(&self) {
        if self.is_closed() {
            super::closed_panic("run_forever");
        }
        let _driving = weft_core::context::enter_runtime();
        let _current = self.enter();
        let _running = RunningGuard::new(&self.inner.running);
        self.inner.stop.wait();
    }

    /// Makes every `run_forever` in progress return; when none is in progress, the next one
    /// returns at once (asyncio: `loop.stop()`). Callable from anywhere.
    pub fn stop(&self) {
        self.inner.stop.stop();
    }

    /// Whether a `block_on` or `run_forever` is in progress on this runtime.
    pub fn is_running(&self) -> bool {
        self.inner.running.load(Relaxed) > 0
    }

    /// Schedules `f` to run on a worker soon (asyncio: `loop.call_soon` and
    /// `call_soon_threadsafe`: this works from any thread, a task or a callback). Callbacks run
    /// one at a time, in the order they were given. A callback that panics is reported (to the
    /// handler set with `Builder::on_callback_panic`, or on stderr) and the runtime keeps
    /// running. After close, `f` never runs and the handle reports it cancelled.
    ///
    /// ```
    /// let rt = weft::Runtime::new()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// rt.handle().call_soon(move || tx.send("called").unwrap());
    /// assert_eq!(rx.recv().unwrap(), "called");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn call_soon<F>(&self, f: F) -> CallbackHandle
    where
        F: FnOnce() + Send + 'static,
    {
        let (handle, pushed) = self.inner.callbacks.push(f);
        if pushed == Pushed::SpawnRunner {
            self.spawn_runner();
        }
        handle
    }

    /// Schedules `f` to run on a worker once `delay` has passed (asyncio: `loop.call_later`).
    /// It never runs early; of two callbacks whose deadlines differ by 10 ms or more, the
    /// earlier runs first. Cancel it with the returned handle until it starts.
    ///
    /// ```
    /// let rt = weft::Runtime::new()?;
    /// let (tx, rx) = std::sync::mpsc::channel();
    /// let start = rt.handle().time();
    /// rt.handle().call_later(std::time::Duration::from_millis(5), move || tx.send(()).unwrap());
    /// rx.recv().unwrap();
    /// assert!(start.elapsed() >= std::time::Duration::from_millis(5));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn call_later<F>(&self, delay: std::time::Duration, f: F) -> CallbackHandle
    where
        F: FnOnce() + Send + 'static,
    {
        self.call_at(self.time().saturating_add(delay), f)
    }

    /// Schedules `f` to run on a worker at `deadline` (asyncio: `loop.call_at`); see
    /// [`Handle::call_later`].
    pub fn call_at<F>(&self, deadline: weft_timer::Instant, f: F) -> CallbackHandle
    where
        F: FnOnce() + Send + 'static,
    {
        let (handle, deferred) = weft_core::callback::deferred(f);
        let this = self.clone();
        // A timer task; if the runtime closes first it is cancelled, the deferred callback is
        // dropped unqueued and its handle reports cancelled.
        drop(self.spawn_named(
            async move {
                weft_timer::sleep_until(deadline).await;
                if this.inner.callbacks.push_deferred(deferred) == Pushed::SpawnRunner {
                    this.spawn_runner();
                }
            },
            Some("weft-call-later".into()),
        ));
        handle
    }

    /// The runtime's clock (asyncio: `loop.time()`): a monotonic instant. While the clock is
    /// paused (`weft::time::pause`) it stands still, and moves by exactly what is advanced.
    pub fn time(&self) -> weft_timer::Instant {
        self.inner.timer.now()
    }

    fn spawn_runner(&self) {
        let runner = self.inner.callbacks.clone().runner();
        drop(self.spawn_named(runner, Some("weft-callbacks".into())));
    }

    /// Whether the runtime was closed.
    pub fn is_closed(&self) -> bool {
        self.inner.scheduler.is_closed()
    }

    /// The number of worker threads.
    pub fn num_workers(&self) -> usize {
        self.inner.scheduler.num_workers()
    }

    /// Every unfinished task of this runtime (asyncio: `all_tasks()`), taken without stopping
    /// it: id, name, state, spawn location, parent, polls, busy time, age.
    ///
    /// ```
    /// let rt = weft::Runtime::new()?;
    /// let (tx, rx) = weft::sync::oneshot::channel::<()>();
    /// let waiting = weft::task::Builder::new().name("waiter").spawn_on(rx, rt.handle());
    /// let tasks = rt.handle().tasks();
    /// let waiter = tasks.iter().find(|t| t.id() == waiting.id()).unwrap();
    /// assert_eq!(waiter.name(), Some("waiter"));
    /// assert_eq!(waiter.spawned_at().file(), file!());
    /// # drop(tx);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn tasks(&self) -> Vec<weft_core::task::TaskSnapshot> {
        self.inner.scheduler.tasks()
    }

    /// The unfinished tasks as a readable table (one task a line, children indented under
    /// the task that spawned them): print it to see what a program is waiting on.
    pub fn dump(&self) -> weft_core::task::TaskDump {
        weft_core::task::TaskDump::new(self.tasks())
    }

    /// The runtime's counters now (see [`RuntimeMetrics`](super::RuntimeMetrics)).
    pub fn metrics(&self) -> super::RuntimeMetrics {
        super::RuntimeMetrics::new(self.inner.scheduler.metrics(), &self.inner.blocking)
    }

    /// The number of tasks spawned and not yet finished (asyncio: `len(all_tasks())`).
    pub fn num_live_tasks(&self) -> usize {
        self.inner.scheduler.num_live_tasks()
    }

    /// Closes the runtime; waits at most `timeout` (`None`: as long as it takes) for running
    /// blocking jobs. Returns whether every blocking thread ended.
    pub(crate) fn close_within(&self, timeout: Option<std::time::Duration>) -> bool {
        if let Scheduler::Workers(workers) = &self.inner.scheduler {
            workers.close();
        }
        self.close_drivers(timeout)
    }

    /// Closes everything but the scheduler (closed first by the caller): the inspection
    /// server, timers, I/O, callbacks, `run_forever`, the blocking pool. Returns whether every
    /// blocking thread ended.
    pub(crate) fn close_drivers(&self, timeout: Option<std::time::Duration>) -> bool {
        self.inner.inspector.stop();
        self.inner.timer.close();
        self.inner.reactor.close();
        self.inner.callbacks.close();
        self.inner.stop.close();
        match timeout {
            None => {
                self.inner.blocking.shutdown();
                true
            }
            Some(t) => self.inner.blocking.shutdown_timeout(t),
        }
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
    _scope: ScopeGuard,
}

impl fmt::Debug for EnterGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnterGuard").finish_non_exhaustive()
    }
}
