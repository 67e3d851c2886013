//! Debug mode (asyncio: `loop.set_debug(True)`): every poll longer than a threshold is
//! reported, and a worker stuck inside one poll is reported while it is still stuck.
//!
//! A worker that times its polls (debug mode, inspection) publishes, in its own `Remote`, when
//! its current poll began and which task it polls (`PollClock`; `Handle::metrics` shows it as
//! the worker's current poll); in debug mode it reports the poll when it ends if it took longer
//! than the threshold. A watchdog thread (started only in debug mode, joined at close) looks at
//! every worker's clock a few times per threshold and reports a poll that has run past the
//! threshold once, while it runs (`SlowPoll::is_still_running`). The watchdog finds the
//! task's name and location in the registry by id, under the shard's lock: it never follows
//! a pointer to a task that may have finished.
//!
//! Orderings: the clock's words are statistics read by the watchdog and by metrics; a torn
//! view (the start of one poll with the id of the next) can only misname a report, never
//! touch memory, and the sequence number (bumped before and after each timed poll) lets a
//! reader see it: it reads the sequence, then the fields, then the sequence again
//! (`Acquire`, pairing with the worker's `Release` stores), and skips the look if it changed.

use super::metrics::WorkerCounters;
use crate::task::{Notified, Registry, TaskId, TaskInfo};
use crate::unwind;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::time::{Duration, Instant};

/// A poll that took longer than the debug threshold.
#[derive(Clone, Debug)]
pub struct SlowPoll {
    id: TaskId,
    name: Option<Box<str>>,
    spawned_at: &'static Location<'static>,
    duration: Duration,
    still_running: bool,
}

impl SlowPoll {
    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was spawned with one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned.
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at
    }

    /// How long the poll took (or has taken so far, while it still runs).
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Whether the poll was still running when reported: its worker is stuck in it.
    pub fn is_still_running(&self) -> bool {
        self.still_running
    }
}

impl std::fmt::Display for SlowPoll {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let task = match &self.name {
            Some(name) => format!("task {:?} ({})", name, self.id),
            None => format!("task {}", self.id),
        };
        let verb = if self.still_running {
            "has been inside one poll for"
        } else {
            "took"
        };
        write!(
            f,
            "weft: slow poll: {task} spawned at {} {verb} {:?}, blocking its worker",
            self.spawned_at, self.duration
        )
    }
}

/// Receives each slow poll.
pub type SlowPollHandler = Arc<dyn Fn(&SlowPoll) + Send + Sync>;

/// Debug mode's settings.
#[derive(Clone)]
pub struct DebugConfig {
    /// Polls longer than this are reported.
    pub threshold: Duration,
    /// Where reports go (default: a line on stderr).
    pub handler: SlowPollHandler,
}

impl DebugConfig {
    /// Debug mode with `threshold`, reporting to `handler` or, without one, to stderr.
    pub fn new(threshold: Duration, handler: Option<SlowPollHandler>) -> DebugConfig {
        DebugConfig {
            threshold,
            handler: handler.unwrap_or_else(|| Arc::new(|poll: &SlowPoll| eprintln!("{poll}"))),
        }
    }

    /// Reports the poll of `task` that just ended after `duration`, if that is past the
    /// threshold.
    pub(crate) fn report_if_slow(&self, task: TaskInfo, duration: Duration) {
        if duration > self.threshold {
            self.report(&SlowPoll {
                id: task.id(),
                name: task.name().map(Box::from),
                spawned_at: task.spawned_at(),
                duration,
                still_running: false,
            });
        }
    }

    fn report(&self, poll: &SlowPoll) {
        let handler = &self.handler;
        // A handler is user code: its panic must not take the worker or the watchdog down.
        unwind::guard(|| handler(poll));
    }
}

impl std::fmt::Debug for DebugConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DebugConfig")
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

/// One worker's current poll, as the watchdog and inspection see it (written while polls are
/// timed: debug mode, inspection).
#[derive(Default)]
pub(crate) struct PollClock {
    /// Odd while a poll runs.
    seq: AtomicU64,
    /// Nanoseconds since `origin` when the poll began.
    started: AtomicU64,
    task: AtomicU64,
    /// The `seq` of the poll the watchdog reported last.
    reported: AtomicU64,
}

/// The process-wide origin of the poll clocks.
fn origin() -> Instant {
    static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *ORIGIN.get_or_init(Instant::now)
}

fn nanos_since_origin(at: Instant) -> u64 {
    u64::try_from(at.saturating_duration_since(origin()).as_nanos()).unwrap_or(u64::MAX)
}

impl PollClock {
    /// Runs `run`, a poll of task `task`, published for the watchdog and for inspection while
    /// it runs; returns how long it took.
    pub(crate) fn time(&self, task: TaskId, run: impl FnOnce()) -> Duration {
        let started = Instant::now();
        self.task.store(task.as_u64(), Relaxed);
        self.started.store(nanos_since_origin(started), Relaxed);
        // Release: the fields above are seen by a reader that sees the odd sequence.
        let seq = self.seq.fetch_add(1, Release) + 1;
        run();
        self.seq.store(seq + 1, Release);
        started.elapsed()
    }

    /// The poll running now, if one is (and polls are timed): its task's id, how long it has
    /// run, and its sequence number.
    fn current(&self) -> Option<(u64, Duration, u64)> {
        let seq = self.seq.load(Acquire);
        if seq.is_multiple_of(2) {
            return None;
        }
        let started = self.started.load(Relaxed);
        let task = self.task.load(Relaxed);
        if self.seq.load(Acquire) != seq {
            return None; // the poll ended meanwhile
        }
        let running =
            Duration::from_nanos(nanos_since_origin(Instant::now()).saturating_sub(started));
        Some((task, running, seq))
    }

    /// The task polled now and for how long (`RuntimeMetrics::worker_current_poll`).
    pub(crate) fn polling(&self) -> Option<(TaskId, Duration)> {
        let (task, running, _) = self.current()?;
        Some((TaskId::from_u64(task)?, running))
    }

    /// The watchdog's look: the task id and how long its poll has run, if a poll runs past
    /// `threshold` and was not reported yet (it is marked reported).
    pub(crate) fn stuck(&self, threshold: Duration) -> Option<(u64, Duration)> {
        let (task, running, seq) = self.current()?;
        if running <= threshold || self.reported.load(Relaxed) == seq {
            return None;
        }
        self.reported.store(seq, Relaxed);
        Some((task, running))
    }
}

/// Runs `task` as a timed poll (a worker or a one-thread loop in debug mode or under
/// inspection): published in `clock` while it runs, added to the busy time in `counters`, and
/// reported if `debug` is on and it was slow. The task's name and location are taken first,
/// for the report only: the task may be gone once it ran.
pub(crate) fn run_timed(
    task: Notified,
    clock: &PollClock,
    counters: &WorkerCounters,
    debug: Option<&DebugConfig>,
) {
    let info = debug.map(|_| task.info());
    let took = clock.time(task.id(), || task.run());
    counters.busy_for(took);
    if let (Some(debug), Some(info)) = (debug, info) {
        debug.report_if_slow(info, took);
    }
}

/// A watchdog's life (a thread of its own, debug mode only): a few times per threshold, look
/// at every clock in `clocks` and report a poll running past the threshold once, while it
/// runs, naming its task from `registry` (by id, under the shard's lock: never through a
/// pointer to a task that may have finished); return once `stop` says so.
pub(crate) fn watch(
    debug: &DebugConfig,
    clocks: &[&PollClock],
    registry: &Registry,
    stop: impl Fn() -> bool,
) {
    let interval = (debug.threshold / 4).clamp(Duration::from_millis(1), Duration::from_millis(50));
    while !stop() {
        std::thread::sleep(interval);
        for clock in clocks {
            if let Some((task, running)) = clock.stuck(debug.threshold)
                && let Some(snapshot) = registry.find(task)
            {
                debug.report(&SlowPoll {
                    id: snapshot.id(),
                    name: snapshot.name().map(Box::from),
                    spawned_at: snapshot.spawned_at(),
                    duration: running,
                    still_running: true,
                });
            }
        }
    }
}
