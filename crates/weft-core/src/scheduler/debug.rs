//! Debug mode (asyncio: `loop.set_debug(True)`): every poll longer than a threshold is
//! reported, and a worker stuck inside one poll is reported while it is still stuck.
//!
//! A worker in debug mode publishes, in its own `Remote`, when its current poll began and
//! which task it polls (`PollClock`), and reports the poll when it ends if it took longer than
//! the threshold. A watchdog thread (started only in debug mode, joined at close) looks at
//! every worker's clock a few times per threshold and reports a poll that has run past the
//! threshold once, while it runs (`SlowPoll::is_still_running`). The watchdog finds the
//! task's name and location in the registry by id, under the shard's lock: it never follows
//! a pointer to a task that may have finished.
//!
//! Orderings: the clock's words are statistics read by the watchdog; a torn view (the start
//! of one poll with the id of the next) can only misname a report, never touch memory, and
//! the sequence number (bumped before and after each timed poll) lets the watchdog see it:
//! it reads the sequence, then the fields, then the sequence again (`Acquire`, pairing with
//! the worker's `Release` stores), and skips the look if it changed.

use crate::task::{TaskId, TaskInfo};
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

/// One worker's current poll, as the watchdog sees it.
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
    /// Runs `run` as a timed poll of `task`, and reports it if it was slow.
    pub(crate) fn time(&self, debug: &DebugConfig, task: TaskInfo, run: impl FnOnce()) {
        let started = Instant::now();
        self.task.store(task.id().as_u64(), Relaxed);
        self.started.store(nanos_since_origin(started), Relaxed);
        // Release: the fields above are seen by a watchdog that sees the odd sequence.
        let seq = self.seq.fetch_add(1, Release) + 1;
        run();
        self.seq.store(seq + 1, Release);
        let duration = started.elapsed();
        if duration > debug.threshold {
            debug.report(&SlowPoll {
                id: task.id(),
                name: task.name().map(Box::from),
                spawned_at: task.spawned_at(),
                duration,
                still_running: false,
            });
        }
    }

    /// The watchdog's look: the task id and how long its poll has run, if a poll runs past
    /// `threshold` and was not reported yet (it is marked reported).
    pub(crate) fn stuck(&self, threshold: Duration) -> Option<(u64, Duration)> {
        let seq = self.seq.load(Acquire);
        if seq.is_multiple_of(2) || self.reported.load(Relaxed) == seq {
            return None;
        }
        let started = self.started.load(Relaxed);
        let task = self.task.load(Relaxed);
        if self.seq.load(Acquire) != seq {
            return None; // the poll ended meanwhile
        }
        let running =
            Duration::from_nanos(nanos_since_origin(Instant::now()).saturating_sub(started));
        if running <= threshold {
            return None;
        }
        self.reported.store(seq, Relaxed);
        Some((task, running))
    }
}

/// Builds the watchdog's report for a stuck poll of the task `snapshot` describes.
pub(crate) fn stuck_report(snapshot: &crate::task::TaskSnapshot, running: Duration) -> SlowPoll {
    SlowPoll {
        id: snapshot.id(),
        name: snapshot.name().map(Box::from),
        spawned_at: snapshot.spawned_at(),
        duration: running,
        still_running: true,
    }
}

/// The watchdog's report of a stuck poll.
pub(crate) fn report_stuck(debug: &DebugConfig, poll: &SlowPoll) {
    debug.report(poll);
}
