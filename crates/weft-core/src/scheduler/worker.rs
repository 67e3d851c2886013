//! The worker loop: find a task (LIFO slot, local queue, injector), else search (steal), else
//! park. See `README.md` for the order of looking and the idle/search protocol.
//!
//! A worker's own state lives in a `WorkerCx` on its thread's stack; a thread-local points at
//! it while the worker runs, so that a task polled on this thread schedules into this worker's
//! queues (`schedule_local`). Everything in `WorkerCx` is a `Cell` or has `&self` methods,
//! because a task being run may schedule while the loop is in the middle of `run_task`.

use super::lifo::LifoSlot;
use super::park::Parker;
use super::queue::LocalQueue;
use super::shared::{Remote, Shared};
use crate::context::{self, Scope};
use crate::sync::{Arc, spin_hint};
use crate::task::Notified;
use std::cell::Cell;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

/// Every this many ticks a worker takes from the injector before its own queue, so tasks
/// scheduled from outside are not starved by a worker that always has local work.
pub const GLOBAL_INTERVAL: u32 = 61;

/// At most this many tasks in a row come from the LIFO slot; then the local queue gets a
/// turn, so two tasks that wake each other cannot starve the rest.
pub const MAX_LIFO_POLLS: u32 = 3;

/// Yields in a row of a task that is alone on its worker before the worker yields its thread
/// to the OS (see `WorkerCx::yielded_alone`).
const LONE_YIELDS: u32 = 16;

/// Search rounds (steal from every victim, then the injector) before a searcher parks.
const SEARCH_ROUNDS: u32 = if cfg!(weft_loom) { 1 } else { 4 };

/// Spin-loop hints between two search rounds, at most and at least: each worker adapts its
/// own count between the two (none under loom: see `search`).
const MAX_SPINS_PER_ROUND: u32 = 64;
const MIN_SPINS_PER_ROUND: u32 = 2;

/// A worker that parks while another is unparked wakes after this long to check whether that
/// worker is stuck in one poll with a task in its LIFO slot; the wait doubles each time it finds
/// nothing, up to [`STUCK_RECHECK_MAX`].
const STUCK_RECHECK_MIN: Duration = Duration::from_millis(1);
const STUCK_RECHECK_MAX: Duration = Duration::from_millis(16);

pub(crate) struct WorkerCx {
    pub(crate) shared: Arc<Shared>,
    pub(crate) index: usize,
    queue: LocalQueue<Notified>,
    parker: Parker,
    tick: Cell<u32>,
    /// Spin-loop hints between search rounds now: back to the most when a search found work
    /// after a spin, halved when a search that spun found nothing (see `search`).
    spins: Cell<u32>,
    lifo_polls: Cell<u32>,
    /// Yields in a row (no other task run between them) of a task alone on this worker, and
    /// the poll count at the last one (see `yielded_alone`).
    lone_yields: Cell<u32>,
    lone_yield_at: Cell<u64>,
    searching: Cell<bool>,
    rng: Cell<u32>,
    /// Per victim: its `polls` when we last saw a task in its LIFO slot.
    lifo_seen: Box<[Cell<u64>]>,
    /// How long the next timed park lasts.
    recheck: Cell<Duration>,
    /// Whether this worker times its polls (debug mode, or some runtime asked for timing):
    /// looked up every `GLOBAL_INTERVAL` ticks, so a poll reads no global.
    timed: Cell<bool>,
    /// Set while this worker is inside its driver (parked in it, or polling it for
    /// maintenance): tasks the driver wakes are queued here without notifying anyone, and
    /// one notification follows if more than one came (see `drive`).
    driving: Cell<bool>,
}

/// Calls `f` with the worker running on this thread (the context's `worker` field, set for
/// the length of `WorkerCx::run`); `None` on any other thread.
fn with_current<R>(f: impl FnOnce(&WorkerCx) -> R) -> Option<R> {
    let cx = context::with(|c| c.worker.get()).unwrap_or(std::ptr::null());
    // SAFETY: the field points at the WorkerCx on this thread's stack for as long as the worker
    // runs (set and cleared in `run`, which outlives every task it polls and every call made
    // from them), and the context is only read on this thread; the reference does not leave
    // this call.
    unsafe { cx.cast::<WorkerCx>().as_ref() }.map(f)
}

/// How a task came to be scheduled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Reason {
    /// Spawned, or woken by someone else: the LIFO slot when scheduled from a worker.
    Wake,
    /// Woke itself while it ran (yielded): the back of the queue.
    Yield,
}

/// Queues `task`: on the current thread's worker when the thread is a worker of `shared`,
/// else in the injector (`Shared::push_remote`).
pub(crate) fn schedule(shared: &Shared, task: Notified, reason: Reason) {
    let mut task = Some(task);
    with_current(|cx| {
        if std::ptr::eq(&*cx.shared, shared) {
            cx.schedule(task.take().expect("taken once"), reason);
        }
    });
    if let Some(task) = task {
        shared.push_remote(task);
    }
}

impl WorkerCx {
    pub(crate) fn new(
        shared: Arc<Shared>,
        index: usize,
        queue: LocalQueue<Notified>,
        parker: Parker,
    ) -> WorkerCx {
        let workers = shared.remotes.len();
        WorkerCx {
            shared,
            index,
            queue,
            parker,
            tick: Cell::new(0),
            spins: Cell::new(MAX_SPINS_PER_ROUND),
            lifo_polls: Cell::new(0),
            lone_yields: Cell::new(0),
            lone_yield_at: Cell::new(u64::MAX),
            searching: Cell::new(false),
            rng: Cell::new(0x9E37_79B9 ^ (index as u32).wrapping_mul(0x85EB_CA6B) | 1),
            lifo_seen: (0..workers).map(|_| Cell::new(u64::MAX)).collect(),
            recheck: Cell::new(STUCK_RECHECK_MIN),
            driving: Cell::new(false),
            timed: Cell::new(false),
        }
    }

    fn remote(&self) -> &Remote {
        &self.shared.remotes[self.index]
    }

    fn lifo(&self) -> &LifoSlot {
        &self.remote().lifo
    }

    /// The worker's whole life: run until the runtime shuts down, then drop what it holds.
    /// `scope` (the runtime and its drivers) is current on the thread all along.
    pub(crate) fn run(&self, scope: Scope) {
        let _runtime = context::enter_runtime();
        let _scope = context::enter(scope);
        context::with(|c| c.worker.set((self as *const WorkerCx).cast()));
        self.refresh_clocks();
        while !self.shared.is_shutdown() {
            let tick = self.tick.get().wrapping_add(1);
            self.tick.set(tick);
            if let Some(task) = self.next_task(tick) {
                self.run_task(task);
            } else if let Some(task) = self.search() {
                self.run_task(task);
            } else {
                self.park();
            }
        }
        // Dropping an entry leaves its task to the registry, which the closer cancels.
        drop(self.lifo().take());
        while let Some(task) = self.queue.pop() {
            drop(task);
        }
        context::with(|c| {
            c.worker.set(std::ptr::null());
            c.coarse_now.set(0);
        });
    }

    /// Refreshes the coarse clock spawns are stamped with, and whether this worker times its
    /// polls (both looked at every `GLOBAL_INTERVAL` ticks, not per poll).
    fn refresh_clocks(&self) {
        crate::task::refresh();
        self.timed
            .set(self.shared.debug.is_some() || crate::task::timing());
    }

    /// The next task from this worker's own sources.
    fn next_task(&self, tick: u32) -> Option<Notified> {
        let maintenance = tick.is_multiple_of(GLOBAL_INTERVAL);
        if maintenance {
            self.refresh_clocks();
            // Timers and I/O must progress even when no worker goes idle. This comes before
            // the LIFO look: the tasks the driver wakes land in the LIFO slot, and a worker
            // that looked there first could go on to park with its own slot occupied.
            self.drive(|| self.parker.poll_driver());
            self.notify_if_more_work();
        }
        if self.lifo_polls.get() < MAX_LIFO_POLLS {
            if let Some(task) = self.lifo().take() {
                self.lifo_polls.set(self.lifo_polls.get() + 1);
                return Some(task);
            }
        } else if let Some(task) = self.lifo().take() {
            // The LIFO run is over: the slot's task waits its turn at the back.
            self.queue.push(task);
        }
        self.lifo_polls.set(0);
        if maintenance && let Some(task) = self.shared.injector.steal_into(&self.queue) {
            return Some(task);
        }
        self.queue
            .pop()
            .or_else(|| self.shared.injector.steal_into(&self.queue))
    }

    fn run_task(&self, task: Notified) {
        self.recheck.set(STUCK_RECHECK_MIN);
        if self.searching.replace(false) && self.shared.idle.transition_worker_from_searching() {
            // The last searcher found work; there may be more, so wake someone to look.
            self.shared.notify_parked();
        }
        let remote = self.remote();
        // Only this worker writes its count: a load and a store (no read-modify-write).
        remote
            .polls
            .store(remote.polls.load(Relaxed).wrapping_add(1), Relaxed);
        if self.timed.get() {
            let debug = self.shared.debug.as_ref();
            super::debug::run_timed(task, &remote.clock, &remote.counters, debug);
        } else {
            task.run();
        }
    }

    /// Runs `f` (a park or a driver poll) with wakes queued locally and no notifications: a
    /// worker parked in the driver still counts as parked in the idle set, so a notification
    /// from its own dispatch would pick itself and write its own wake-up eventfd (measured:
    /// one write and one read per few requests on the HTTP row), and would not reach a worker
    /// that actually sleeps.
    fn drive(&self, f: impl FnOnce()) {
        self.driving.set(true);
        f();
        self.driving.set(false);
    }

    /// After the driver ran: if it queued more than this worker takes next (the LIFO task),
    /// wake one other worker to share them (it searches and wakes more if there is more).
    fn notify_if_more_work(&self) {
        if !self.queue.is_empty() {
            self.shared.notify_parked();
        }
    }

    /// Schedules `task` from a task running on this worker.
    fn schedule(&self, task: Notified, reason: Reason) {
        if self.driving.get() {
            // Inside this worker's driver: see `drive`.
            if let Some(displaced) = self.lifo().put(task) {
                self.queue.push(displaced);
            }
            return;
        }
        match reason {
            Reason::Yield => {
                // Behind everything queued here. Tasks from outside come in as for any other
                // work: every `GLOBAL_INTERVAL` ticks, or when this queue runs dry. (Pulling
                // them in at every yield, as this did before, had two workers spinning in yield
                // loops read the injector's tail once per yield, so every spawn from outside
                // missed its cache line, and a batch never built up: see docs/benchmarks.md.)
                let alone = self.queue.is_empty() && !self.lifo().is_occupied();
                self.queue.push(task);
                if alone {
                    // The yielder runs next here: nobody need be woken to share it.
                    self.yielded_alone();
                    return;
                }
            }
            Reason::Wake => match self.lifo().put(task) {
                Some(displaced) => self.queue.push(displaced),
                None => {
                    // This worker runs the task as soon as the current poll returns: waking
                    // another worker would only cost a futex call per wake (the ping-pong
                    // pattern). But if the poll blocks, someone must be around to take the task:
                    // an unparked worker, or one sleeping timed. Only if there is none, wake one.
                    if !self.shared.idle.rescue_available() {
                        self.shared.notify_parked();
                    }
                    return;
                }
            },
        }
        self.shared.notify_parked();
    }

    /// A task yielded with nothing else to run here. After [`LONE_YIELDS`] such yields in a
    /// row (no other task ran between them) the task is waiting for something another thread
    /// does, and on a machine with more runnable threads than cores that thread may be waiting
    /// for this core: the worker yields its thread to the OS once. Measured on two cores: the
    /// main thread spawning into two workers that spin in yield loops got under half a core,
    /// and the row's time varied twofold from run to run (docs/benchmarks.md).
    fn yielded_alone(&self) {
        if cfg!(weft_loom) {
            // An OS yield is no step of a model.
            return;
        }
        let polls = self.remote().polls.load(Relaxed);
        let streak = if self.lone_yield_at.replace(polls) == polls.wrapping_sub(1) {
            self.lone_yields.get() + 1
        } else {
            1
        };
        if streak == LONE_YIELDS {
            self.lone_yields.set(0);
            std::thread::yield_now();
        } else {
            self.lone_yields.set(streak);
        }
    }

    fn next_random(&self, n: usize) -> usize {
        // xorshift32: enough to spread thieves over victims.
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.rng.set(x);
        (x as usize) % n
    }

    /// Looks for work elsewhere for a bounded number of rounds. Becomes a searcher first, unless
    /// half the workers already search.
    fn search(&self) -> Option<Notified> {
        if !self.searching.get() {
            if !self.shared.idle.transition_worker_to_searching() {
                return None;
            }
            self.searching.set(true);
        }
        let spins = self.spins.get();
        for round in 0..SEARCH_ROUNDS {
            if let Some(task) = self.steal_round() {
                if round > 0 {
                    // Found after a spin: spinning pays for this workload.
                    self.spins.set(MAX_SPINS_PER_ROUND);
                }
                return Some(task);
            }
            // Not under loom: there a spin hint is a yield, which loom takes as "cannot
            // progress until another thread does", so a searching worker could never reach its
            // park while another thread could still run, and the models would never see a
            // worker asleep before a push or a close (see docs/loom.md). And not after the
            // last round: no look follows it.
            if !cfg!(weft_loom) && round + 1 < SEARCH_ROUNDS {
                for _ in 0..spins {
                    spin_hint();
                }
            }
        }
        // Spun for nothing: the next work comes from elsewhere (the driver, another
        // process), and a spin only takes the CPU from whoever makes it (measured: the spin
        // cost the `cat` process row a fifth of its CPU time on two cores).
        self.spins.set((spins / 2).max(MIN_SPINS_PER_ROUND));
        None
    }

    /// One pass over the victims (from a random one), the injector, and stuck LIFO slots: a
    /// victim's LIFO task is taken when the victim has not started another task since this
    /// worker last saw that slot occupied (the victim is stuck in one poll).
    fn steal_round(&self) -> Option<Notified> {
        let remotes = &self.shared.remotes;
        let n = remotes.len();
        let start = self.next_random(n);
        for i in 0..n {
            let victim = (start + i) % n;
            if victim == self.index {
                continue;
            }
            if let Some(task) = remotes[victim].stealer.steal_into(&self.queue) {
                self.remote().counters.stole();
                return Some(task);
            }
        }
        if let Some(task) = self.shared.injector.steal_into(&self.queue) {
            return Some(task);
        }
        for (victim, remote) in remotes.iter().enumerate() {
            if victim == self.index {
                continue;
            }
            if let Some(task) = remote
                .lifo
                .steal_if_stuck(&remote.polls, &self.lifo_seen[victim])
            {
                self.remote().counters.stole();
                return Some(task);
            }
        }
        None
    }

    fn park(&self) {
        let idle = &self.shared.idle;
        let parked = idle.transition_worker_to_parked(self.index, self.searching.replace(false));
        // Nobody searches any more (we were the last searcher, or our search was refused and
        // the searchers have stopped since): if work arrived after our last look, make sure
        // someone (perhaps this worker) takes it.
        if let Some(index) =
            idle.worker_to_notify_after_parking(parked, || self.shared.has_queued_work())
        {
            self.shared.remotes[index].unparker.unpark();
        }
        if !self.shared.is_shutdown() {
            self.remote().counters.parked();
            let timeout = parked.timed.then(|| self.recheck.get());
            self.drive(|| self.parker.park(timeout));
            crate::task::refresh();
        }
        let notified = idle.transition_worker_from_parked(self.index);
        self.notify_if_more_work();
        if !notified {
            self.recheck
                .set((self.recheck.get() * 2).min(STUCK_RECHECK_MAX));
        }
        self.searching.set(notified);
    }
}

/// The index of the calling thread if it is a worker of `shared`.
pub(crate) fn current_index(shared: &Shared) -> Option<usize> {
    with_current(|cx| std::ptr::eq(&*cx.shared, shared).then_some(cx.index)).flatten()
}
