//! What a task records about itself for observers (task dumps, `all_tasks`): where it was
//! spawned, by which task, when, how often it was polled and for how long.
//!
//! None of this is a protocol: the counters are statistics, written by the one thread that
//! holds `RUNNING` and read by snapshots with no ordering, so they use std's atomics even
//! under loom (they would only multiply a model's interleavings).
//!
//! # What it costs
//!
//! A spawn stores the location and parent (already at hand) and a time stamp; a poll adds
//! one to `polls` with a load and a store. The stamp comes from the spawning thread's coarse
//! clock on runtime threads ([`refresh`]: workers and local loops refresh their own when they
//! wake from a park and every `GLOBAL_INTERVAL` tasks), so spawning from a task reads no clock
//! and no shared word; a task spawned from any other thread is stamped at its first poll. Polls are timed (two clock reads) only
//! while some runtime asked for it (debug mode, inspection: [`enable_timing`]).
//!
//! Built with `--cfg weft_untraced` (a switch for measuring this cost only: see
//! docs/benchmarks.md), spawns record no parent or time stamp, polls are not counted, and
//! the coarse clock and the workers' counters are not written; the fields stay, so a task's
//! cell has the same size.

use super::TaskName;
use super::id::TaskId;
use std::panic::Location;
use std::sync::OnceLock;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration, Instant};

/// What a spawn records about the task it makes.
#[derive(Debug, Clone)]
pub struct TaskMeta {
    /// The task's name (asyncio: `create_task(name=...)`).
    pub name: Option<TaskName>,
    /// Where the task was spawned: the caller of the public spawn function.
    pub location: &'static Location<'static>,
}

impl TaskMeta {
    /// A task named `name`, spawned by the caller of the function this is called in (which
    /// must itself be `#[track_caller]` for the location to be the user's line).
    #[track_caller]
    pub fn here(name: Option<TaskName>) -> TaskMeta {
        TaskMeta {
            name,
            location: Location::caller(),
        }
    }
}

/// The observable side of one task, kept in its header.
pub(crate) struct Trace {
    pub(crate) location: &'static Location<'static>,
    pub(crate) parent: Option<TaskId>,
    /// Nanoseconds since [`origin`] when the task was spawned (from a runtime thread), or
    /// when it was first polled (spawned from any other thread); 0 until then.
    pub(crate) spawned: AtomicU64,
    pub(crate) polls: AtomicU64,
    /// Nanoseconds spent inside `poll`, counted only while polls are timed.
    pub(crate) busy: AtomicU64,
}

impl Trace {
    /// The trace of a task spawned now from the calling thread (its parent is the task being
    /// polled there, if any).
    pub(crate) fn new(location: &'static Location<'static>) -> Trace {
        // One look at the thread's context for both the parent and the kind of thread.
        if cfg!(weft_untraced) {
            return Trace {
                location,
                parent: None,
                spawned: AtomicU64::new(0),
                polls: AtomicU64::new(0),
                busy: AtomicU64::new(0),
            };
        }
        let (parent, coarse_now) = crate::context::spawn_site();
        Trace {
            location,
            // SAFETY: the pointer is set only for the length of a poll, during which the
            // poller's reference keeps the task alive; the id is an immutable header field.
            parent: parent.map(|p| unsafe { p.cast::<super::raw::Header>().as_ref() }.id),
            // 0 off a runtime thread: a thread that is not a runtime's refreshes no clock (and
            // reading the real clock cost a spawn from outside more than a third of its
            // time), so the first poll stamps it (`count_poll`).
            spawned: AtomicU64::new(coarse_now),
            polls: AtomicU64::new(0),
            busy: AtomicU64::new(0),
        }
    }

    /// Counts one poll. Only the thread holding `RUNNING` calls this, so a load and a store
    /// do (no read-modify-write). The first poll of a task spawned from outside the runtime
    /// stamps it.
    #[inline]
    pub(crate) fn count_poll(&self) {
        if cfg!(weft_untraced) {
            return;
        }
        let polls = self.polls.load(Relaxed);
        self.polls.store(polls.wrapping_add(1), Relaxed);
        if polls == 0 && self.spawned.load(Relaxed) == 0 {
            self.spawned
                .store(crate::context::coarse_now().max(1), Relaxed);
        }
    }

    /// Adds a timed poll's duration (by the thread holding `RUNNING`).
    pub(crate) fn add_busy(&self, d: Duration) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.busy
            .store(self.busy.load(Relaxed).saturating_add(nanos), Relaxed);
    }

    /// Time since the spawn (for a task spawned from outside the runtime: since its first
    /// poll; zero before it).
    pub(crate) fn age(&self) -> Duration {
        match self.spawned.load(Relaxed) {
            0 => Duration::ZERO,
            at => Duration::from_nanos(now_nanos().saturating_sub(at)),
        }
    }

    /// Time inside `poll`, when polls are (or were) timed.
    pub(crate) fn busy(&self) -> Option<Duration> {
        let nanos = self.busy.load(Relaxed);
        (nanos != 0 || timing()).then(|| Duration::from_nanos(nanos))
    }
}

fn origin() -> Instant {
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn now_nanos() -> u64 {
    u64::try_from(origin().elapsed().as_nanos()).unwrap_or(u64::MAX)
}

/// Refreshes the calling thread's coarse clock: runtime threads call it when they wake from a
/// park and every few dozen tasks. Each thread has its own (in its context): one clock shared
/// by all workers was a cache line both cores wrote on every wake and read on every spawn
/// (measured: `oneshot_round_trip` 0.68 -> 0.80 of the best peer's wall time, 0.54 -> 0.84 of
/// its CPU time; docs/benchmarks.md).
pub fn refresh() {
    if cfg!(weft_untraced) {
        return;
    }
    // Never 0, which means "not stamped yet".
    crate::context::set_coarse_now(now_nanos().max(1));
}

/// Runtimes that want every poll timed (debug mode, inspection).
static TIMING: AtomicUsize = AtomicUsize::new(0);

/// Times every poll from now on (for `busy`), until the guard drops.
pub fn enable_timing() -> TimingGuard {
    TIMING.fetch_add(1, Relaxed);
    TimingGuard(())
}

/// Whether polls are timed now (some runtime asked for it).
#[inline]
pub fn timing() -> bool {
    TIMING.load(Relaxed) != 0
}

/// Keeps polls timed while it lives (see [`enable_timing`]).
#[derive(Debug)]
pub struct TimingGuard(());

impl Drop for TimingGuard {
    fn drop(&mut self) {
        TIMING.fetch_sub(1, Relaxed);
    }
}
