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
//! and no shared word; a task spawned from any other thread reads the kernel's coarse clock
//! (Linux's `CLOCK_MONOTONIC_COARSE`: no time-stamp counter read). Polls are timed (two clock
//! reads) only while some runtime asked for it (debug mode, inspection: [`enable_timing`]).
//! Measured against the switch below: 18 instructions per spawned-and-joined task (1.6%).
//!
//! Built with `--cfg weft_untraced` (a switch for measuring this cost only: see
//! docs/benchmarks.md), spawns record no parent or time stamp, polls are not counted, and
//! the coarse clock and the workers' counters are not written; the fields stay, so a task's
//! cell has the same size.

use super::TaskName;
use super::id::TaskId;
use std::panic::Location;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Duration;

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
    /// The trace clock (`clock`) when the task was spawned: the spawning runtime thread's
    /// coarse clock, or the kernel's coarse clock on any other thread.
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
            // 0 off a runtime thread, which refreshes no clock of its own: it reads the
            // kernel's coarse clock (a precise read cost a spawn from outside more than a
            // third of its time).
            spawned: AtomicU64::new(if coarse_now != 0 {
                coarse_now
            } else {
                clock::coarse_nanos()
            }),
            polls: AtomicU64::new(0),
            busy: AtomicU64::new(0),
        }
    }

    /// Counts one poll. Only the thread holding `RUNNING` calls this, so a load and a store
    /// do (no read-modify-write).
    #[inline]
    pub(crate) fn count_poll(&self) {
        if cfg!(weft_untraced) {
            return;
        }
        self.polls
            .store(self.polls.load(Relaxed).wrapping_add(1), Relaxed);
    }

    /// Adds a timed poll's duration (by the thread holding `RUNNING`).
    pub(crate) fn add_busy(&self, d: Duration) {
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.busy
            .store(self.busy.load(Relaxed).saturating_add(nanos), Relaxed);
    }

    /// Time since the spawn (to the coarse clock's few milliseconds; zero in the untraced
    /// build, which stamps nothing).
    pub(crate) fn age(&self) -> Duration {
        match self.spawned.load(Relaxed) {
            0 => Duration::ZERO,
            at => Duration::from_nanos(clock::now_nanos().saturating_sub(at)),
        }
    }

    /// Time inside `poll`, when polls are (or were) timed.
    pub(crate) fn busy(&self) -> Option<Duration> {
        let nanos = self.busy.load(Relaxed);
        (nanos != 0 || timing()).then(|| Duration::from_nanos(nanos))
    }
}

/// The clock of the time stamps: nanoseconds of the monotonic clock, read precisely (for an
/// age) or coarsely (for a stamp).
mod clock {
    /// The monotonic clock now.
    #[cfg(target_os = "linux")]
    pub(super) fn now_nanos() -> u64 {
        read(libc::CLOCK_MONOTONIC)
    }

    /// The monotonic clock at the kernel's last tick (`CLOCK_MONOTONIC_COARSE`): at most a few
    /// milliseconds behind, and a fraction of the cost of a precise read (no time-stamp
    /// counter read, no conversion).
    #[cfg(target_os = "linux")]
    pub(super) fn coarse_nanos() -> u64 {
        read(libc::CLOCK_MONOTONIC_COARSE)
    }

    #[cfg(target_os = "linux")]
    fn read(id: libc::clockid_t) -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; both clock ids exist on every Linux
        // weft runs on (2.6.32 and later), and a failure leaves `ts` zeroed.
        unsafe { libc::clock_gettime(id, &mut ts) };
        let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
        let nanos = u64::try_from(ts.tv_nsec).unwrap_or(0);
        // Never 0 (which means "not stamped"): the monotonic clock starts at boot.
        (secs * 1_000_000_000 + nanos).max(1)
    }

    /// Elsewhere: nanoseconds since the first read, precise both ways.
    #[cfg(not(target_os = "linux"))]
    pub(super) fn now_nanos() -> u64 {
        use std::time::Instant;
        static ORIGIN: OnceLock<Instant> = OnceLock::new();
        let origin = *ORIGIN.get_or_init(Instant::now);
        u64::try_from(origin.elapsed().as_nanos()).map_or(u64::MAX, |n| n.max(1))
    }

    #[cfg(not(target_os = "linux"))]
    pub(super) fn coarse_nanos() -> u64 {
        now_nanos()
    }
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
    crate::context::set_coarse_now(clock::coarse_nanos());
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
