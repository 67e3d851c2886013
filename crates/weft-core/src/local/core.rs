//! `Core`: the loop's thread's part of a one-thread scheduler, and the loop (`block_on`).
//!
//! While [`Core::block_on`] runs, the thread's context points at the core (`local`), so a
//! task woken on this thread is queued in the core's own `VecDeque`, with no lock; wakes from
//! elsewhere go through the remote queue (`shared.rs`).
//!
//! # The loop
//!
//! Poll the main future when it was woken; run queued tasks, at most [`TASKS_PER_TURN`] before
//! looking at the main future again (and at once when it is woken); every
//! [`GLOBAL_INTERVAL`] tasks take what other threads queued and poll the driver without
//! blocking, so remote work, timers and I/O progress while local tasks keep coming; when
//! nothing is queued anywhere, park in the driver (the sleep protocol of `shared.rs`).
//!
//! The loop counts its polls and parks as a worker does, and in debug mode (or under
//! inspection) times its polls in the same `PollClock`; debug mode's watchdog is a thread of
//! its own, stopped and joined by `close`.

use super::handle::Handle;
use super::shared::{Remote, Shared};
use crate::context;
use crate::coop;
use crate::driver::Park;
use crate::scheduler::DebugConfig;
use crate::scheduler::GLOBAL_INTERVAL;
use crate::sync::Arc;
use crate::task::{JoinHandle, Notified, TaskMeta};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::pin;
use std::sync::atomic::Ordering::Relaxed;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Tasks run in a row before the main future gets a look (if it was not woken sooner).
const TASKS_PER_TURN: u32 = GLOBAL_INTERVAL;

/// The loop's side of a one-thread scheduler. `!Send`: the thread that made it is the one that
/// runs it, polls its tasks and drops their futures.
pub struct Core {
    handle: Handle,
    queue: RefCell<VecDeque<Notified>>,
    /// The main future was woken on this thread (remote wakes arrive through `Remote`).
    main_woken: Cell<bool>,
    driver: RefCell<Box<dyn Park>>,
    tick: Cell<u32>,
    /// Whether the loop times its polls (debug mode, or some runtime asked for timing):
    /// looked up every `GLOBAL_INTERVAL` tasks, so a poll reads no global.
    timed: Cell<bool>,
    /// Debug mode's watchdog thread, joined by `close`.
    watchdog: RefCell<Option<std::thread::JoinHandle<()>>>,
    _not_send: PhantomData<*const ()>,
}

impl Core {
    /// A scheduler whose loop parks in `driver` (the timer layer over the I/O reactor, or a
    /// thread parker), in debug mode when `debug` is given: slow polls are reported when they
    /// end, and a watchdog thread reports a poll still running past the threshold.
    ///
    /// # Errors
    ///
    /// The OS error when debug mode's watchdog thread cannot be started.
    pub fn new(driver: Box<dyn Park>, debug: Option<DebugConfig>) -> std::io::Result<Core> {
        let core = Core {
            handle: Handle::new(driver.unparker(), debug),
            queue: RefCell::new(VecDeque::new()),
            main_woken: Cell::new(false),
            driver: RefCell::new(driver),
            tick: Cell::new(0),
            timed: Cell::new(false),
            watchdog: RefCell::new(None),
            _not_send: PhantomData,
        };
        if core.shared().debug.is_some() {
            let shared = core.shared().clone();
            let watchdog = std::thread::Builder::new()
                .name("weft-watchdog".into())
                .spawn(move || {
                    let Some(debug) = &shared.debug else { return };
                    let stop = || shared.registry.is_closed();
                    crate::scheduler::watch(debug, &[&shared.clock], &shared.registry, stop);
                })?;
            *core.watchdog.borrow_mut() = Some(watchdog);
        }
        Ok(core)
    }

    /// The handle other threads spawn through.
    pub fn handle(&self) -> &Handle {
        &self.handle
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.handle.shared
    }

    fn remote(&self) -> &Remote<Notified> {
        &self.handle.shared.remote
    }

    /// Calls `f` with the core whose loop runs on this thread, if any.
    pub(crate) fn with_running<R>(f: impl FnOnce(&Core) -> R) -> Option<R> {
        let ptr = context::with(|c| c.local.get()).unwrap_or(std::ptr::null());
        // SAFETY: the field points at a `Core` for exactly as long as its `block_on` runs on
        // this thread (set and restored by `Running`, which that call holds), the core is
        // borrowed by that call so it outlives it, and the context is only read on this
        // thread; the reference does not leave this call.
        unsafe { ptr.cast::<Core>().as_ref() }.map(f)
    }

    /// Whether nothing is queued on this thread and the main future is not woken.
    pub(crate) fn is_idle_here(&self) -> bool {
        !self.main_woken.get() && self.queue.try_borrow().is_ok_and(|q| q.is_empty())
    }

    /// Queues `task` on this thread's run queue. Only on the loop's thread.
    pub(crate) fn push_local(&self, task: Notified) {
        self.queue.borrow_mut().push_back(task);
    }

    /// Spawns a future that need not be `Send` (asyncio: `loop.create_task`). It runs when
    /// this core's loop runs (at once if it runs now, else at the next `block_on`).
    pub fn spawn_local<F>(&self, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
        F::Output: 'static,
    {
        // SAFETY: a `Core` is `!Send`, so this is the thread that runs its loop. The task's
        // scheduler is this core's handle, whose `schedule` queues on this core when called on
        // this thread during the loop and in the remote queue otherwise, and only this core's
        // loop (on this thread) runs either queue; the registry is closed only by `close`,
        // on this thread; nothing cancels a `Notified` of this scheduler elsewhere (a closed
        // remote queue drops entries, which only releases a reference). See the module doc
        // of `local`.
        let (handle, notified) = unsafe {
            self.shared()
                .registry
                .bind_local(future, self.handle.clone(), meta)
        };
        if let Some(task) = notified {
            self.push_local(task);
        }
        handle
    }

    /// Runs `future` to completion on this thread, running every task of this scheduler
    /// meanwhile (asyncio: `run_until_complete`).
    ///
    /// # Panics
    ///
    /// With a message about nesting when this thread already runs a one-thread loop.
    #[track_caller]
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        let _running = Running::enter(self);
        let mut future = pin!(future);
        let waker = Waker::from(std::sync::Arc::new(MainWaker {
            handle: self.handle.clone(),
        }));
        let mut cx = Context::from_waker(&waker);
        self.main_woken.set(true);
        self.refresh_clocks();
        loop {
            if self.main_woken.replace(false)
                && let Poll::Ready(output) = poll_with_budget(future.as_mut(), &mut cx)
            {
                return output;
            }
            if !self.run_tasks() {
                self.sleep();
            }
        }
    }

    /// Runs queued tasks until the main future is woken or a turn is over; `false` when there
    /// was nothing to run.
    fn run_tasks(&self) -> bool {
        for _ in 0..TASKS_PER_TURN {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if tick.is_multiple_of(GLOBAL_INTERVAL) {
                self.maintenance();
            }
            let next = self.queue.borrow_mut().pop_front();
            let task = match next {
                Some(task) => task,
                None => {
                    let mut queue = self.queue.borrow_mut();
                    if self.take_remote(&mut queue) == 0 {
                        return false;
                    }
                    queue.pop_front().expect("just filled")
                }
            };
            self.run_task(task);
            if self.main_woken.get() {
                break;
            }
        }
        true
    }

    fn run_task(&self, task: Notified) {
        let shared = self.shared();
        // Only the loop writes its count: a load and a store (no read-modify-write).
        shared
            .polls
            .store(shared.polls.load(Relaxed).wrapping_add(1), Relaxed);
        if self.timed.get() {
            let debug = shared.debug.as_ref();
            crate::scheduler::run_timed(task, &shared.clock, &shared.counters, debug);
        } else {
            task.run();
        }
    }

    /// Refreshes the coarse clock spawns are stamped with, and whether the loop times its
    /// polls.
    fn refresh_clocks(&self) {
        crate::task::refresh();
        self.timed
            .set(self.shared().debug.is_some() || crate::task::timing());
    }

    /// Takes what other threads queued, and lets the driver fire what is due without blocking.
    fn maintenance(&self) {
        self.refresh_clocks();
        self.take_remote(&mut self.queue.borrow_mut());
        self.driver.borrow_mut().park(Some(Duration::ZERO));
    }

    /// Moves what other threads queued into `queue`, noting a remote wake of the main
    /// future; returns how many tasks came.
    fn take_remote(&self, queue: &mut VecDeque<Notified>) -> usize {
        let taken = self.remote().take_into(queue);
        if taken.main_woken {
            self.main_woken.set(true);
        }
        taken.tasks
    }

    /// Parks in the driver unless something arrived since the last look.
    fn sleep(&self) {
        if self.main_woken.get() || !self.queue.borrow().is_empty() {
            return;
        }
        if self.remote().prepare_sleep() {
            self.shared().counters.parked();
            self.driver.borrow_mut().park(None);
            self.remote().woke();
            crate::task::refresh();
        }
    }

    /// Closes the scheduler: no more tasks are queued, every unfinished task's future is
    /// dropped here (its destructors run) and its `JoinHandle` resolves cancelled.
    /// Idempotent.
    pub fn close(&self) {
        let remote = self.remote().close();
        drop(remote);
        let local = std::mem::take(&mut *self.queue.borrow_mut());
        drop(local);
        self.shared().registry.close();
        // Futures dropped by the close may have woken tasks queued here.
        let local = std::mem::take(&mut *self.queue.borrow_mut());
        drop(local);
        // The watchdog stops once the registry is closed.
        let watchdog = self.watchdog.borrow_mut().take();
        if let Some(watchdog) = watchdog {
            // It runs no user code but the report handler, whose panics it catches.
            let _ = watchdog.join();
        }
    }

    /// Whether [`Core::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        // The tasks hold this scheduler's handle: without a close they would keep each other
        // (and their futures) alive for ever.
        self.close();
    }
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("local::Core")
            .field("queued", &self.queue.borrow().len())
            .field("handle", &self.handle)
            .finish()
    }
}

/// Polls the main future with a budget, as a task poll has: a main future looping over a
/// ready channel yields to the tasks.
fn poll_with_budget<F: Future>(
    future: std::pin::Pin<&mut F>,
    cx: &mut Context<'_>,
) -> Poll<F::Output> {
    let previous = context::with(|c| c.budget.replace(Some(coop::BUDGET))).flatten();
    let _restore = Restore(previous);
    future.poll(cx)
}

struct Restore(Option<u8>);

impl Drop for Restore {
    fn drop(&mut self) {
        context::with(|c| c.budget.set(self.0));
    }
}

/// Marks `core` as the loop running on this thread until dropped.
struct Running(());

impl Running {
    #[track_caller]
    fn enter(core: &Core) -> Running {
        let previous = context::with(|c| c.local.replace((core as *const Core).cast()));
        if previous.is_some_and(|p| !p.is_null()) {
            context::with(|c| c.local.set(previous.unwrap_or(std::ptr::null())));
            panic!(
                "nested LocalRuntime: this thread already runs a LocalRuntime's loop; `.await` \
                 the future instead, or run the other loop on a thread of its own"
            );
        }
        Running(())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        context::with(|c| {
            c.local.set(std::ptr::null());
            // Nobody refreshes it now: spawns from here read the kernel's coarse clock.
            c.coarse_now.set(0);
        });
    }
}

/// The main future's waker: marks it woken, and unparks the loop when woken from elsewhere.
struct MainWaker {
    handle: Handle,
}

impl Wake for MainWaker {
    fn wake(self: std::sync::Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &std::sync::Arc<Self>) {
        let shared = &self.handle.shared;
        let here = Core::with_running(|core| {
            let mine = Arc::ptr_eq(core.shared(), shared);
            if mine {
                core.main_woken.set(true);
            }
            mine
        })
        .unwrap_or(false);
        if !here && shared.remote.wake_main() == super::shared::Wake::Unpark {
            shared.unpark.unpark();
        }
    }
}

/// Spawns `future` on the `LocalRuntime` whose loop runs on this thread.
///
/// # Panics
///
/// When no `LocalRuntime`'s loop runs on this thread, with a message saying `spawn_local`
/// needs one.
#[track_caller]
pub fn spawn_local<F>(future: F, meta: TaskMeta) -> JoinHandle<F::Output>
where
    F: Future + 'static,
    F::Output: 'static,
{
    let mut args = Some((future, meta));
    let spawned = Core::with_running(|core| {
        let (future, meta) = args.take().expect("taken once");
        core.spawn_local(future, meta)
    });
    match spawned {
        Some(handle) => handle,
        None => panic!(
            "spawn_local called outside a LocalRuntime: `spawn_local` needs a LocalRuntime \
             running on this thread (inside `LocalRuntime::block_on` or `run_forever`). Use \
             `weft::spawn` for `Send` futures on a `Runtime`, or run this code in a \
             `weft::LocalRuntime`."
        ),
    }
}
