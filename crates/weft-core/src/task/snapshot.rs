//! `TaskSnapshot` and `TaskDump`: what a runtime's unfinished tasks look like right now
//! (asyncio: `all_tasks()`), taken without stopping the workers.
//!
//! A snapshot walks the live-task registry one shard at a time, under that shard's lock (the
//! lock a completing task takes to unlink itself, so every task seen is alive while it is
//! read), and copies what each header says: immutable fields, the state word, and the
//! statistics of `trace.rs`. Tasks keep running meanwhile; a task that completes or is spawned
//! during the walk may or may not be in it.

use super::TaskId;
use super::raw::Header;
use std::fmt;
use std::panic::Location;
use std::time::Duration;

/// What a task is doing at the moment of the snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Waiting for a wake-up (a timer, I/O, a channel...).
    Idle,
    /// Woken, queued to run.
    Scheduled,
    /// Being polled on some thread now.
    Running,
}

/// One unfinished task, as seen by `Handle::tasks()` / `weft::task::all_tasks()`.
#[derive(Clone, Debug)]
pub struct TaskSnapshot {
    pub(crate) id: TaskId,
    pub(crate) name: Option<Box<str>>,
    pub(crate) state: TaskState,
    pub(crate) spawned_at: &'static Location<'static>,
    pub(crate) parent: Option<TaskId>,
    pub(crate) polls: u64,
    pub(crate) busy: Option<Duration>,
    pub(crate) age: Duration,
}

impl TaskSnapshot {
    /// Reads a linked task's header.
    pub(crate) fn of(header: &Header) -> TaskSnapshot {
        let state = header.state.load();
        let trace = &header.trace;
        TaskSnapshot {
            id: header.id,
            name: header.name.clone(),
            state: if state.is_running() {
                TaskState::Running
            } else if state.is_notified() {
                TaskState::Scheduled
            } else {
                TaskState::Idle
            },
            spawned_at: trace.location,
            parent: trace.parent,
            polls: trace.polls.load(std::sync::atomic::Ordering::Relaxed),
            busy: trace.busy(),
            age: trace.age(),
        }
    }

    /// The task's id.
    pub fn id(&self) -> TaskId {
        self.id
    }

    /// The task's name, if it was spawned with one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Idle, scheduled or running.
    pub fn state(&self) -> TaskState {
        self.state
    }

    /// The source line that spawned the task.
    pub fn spawned_at(&self) -> &'static Location<'static> {
        self.spawned_at
    }

    /// The task that spawned it, if it was spawned from inside a task.
    pub fn parent(&self) -> Option<TaskId> {
        self.parent
    }

    /// How many times it was polled.
    pub fn polls(&self) -> u64 {
        self.polls
    }

    /// Time spent inside `poll`, when polls were timed (debug mode or inspection on); `None`
    /// when they were not.
    pub fn busy(&self) -> Option<Duration> {
        self.busy
    }

    /// Time since it was spawned, to a few milliseconds: spawns read a coarse clock (the
    /// spawning worker's own, or the kernel's on any other thread, e.g. `Runtime::spawn` from
    /// a plain thread).
    pub fn age(&self) -> Duration {
        self.age
    }
}

/// A readable table of tasks (`Handle::dump()`): one task a line, children indented under
/// the task that spawned them.
#[derive(Clone, Debug)]
pub struct TaskDump {
    tasks: Vec<TaskSnapshot>,
}

impl TaskDump {
    /// A dump of `tasks`.
    pub fn new(tasks: Vec<TaskSnapshot>) -> TaskDump {
        TaskDump { tasks }
    }

    /// The tasks in the dump.
    pub fn tasks(&self) -> &[TaskSnapshot] {
        &self.tasks
    }

    /// The tasks in tree order (each task's children after it, oldest first), with depth. A
    /// task whose parent finished is a root.
    pub fn tree(&self) -> Vec<(usize, &TaskSnapshot)> {
        use std::collections::BTreeMap;
        let mut children: BTreeMap<u64, Vec<&TaskSnapshot>> = BTreeMap::new();
        let live: std::collections::HashSet<u64> =
            self.tasks.iter().map(|t| t.id.as_u64()).collect();
        let mut roots = Vec::new();
        for task in &self.tasks {
            match task.parent.filter(|p| live.contains(&p.as_u64())) {
                Some(parent) => children.entry(parent.as_u64()).or_default().push(task),
                None => roots.push(task),
            }
        }
        let oldest_first = |v: &mut Vec<&TaskSnapshot>| v.sort_by_key(|t| t.id.as_u64());
        oldest_first(&mut roots);
        children.values_mut().for_each(oldest_first);
        let mut out = Vec::with_capacity(self.tasks.len());
        let mut stack: Vec<(usize, &TaskSnapshot)> =
            roots.into_iter().rev().map(|t| (0, t)).collect();
        while let Some((depth, task)) = stack.pop() {
            out.push((depth, task));
            if let Some(kids) = children.get(&task.id.as_u64()) {
                stack.extend(kids.iter().rev().map(|&c| (depth + 1, c)));
            }
        }
        out
    }
}

fn millis(d: Duration) -> String {
    if d >= Duration::from_secs(10) {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

impl fmt::Display for TaskDump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{:<8} {:<28} {:<9} {:>7} {:>7} {:>8}  spawned at",
            "id", "name", "state", "age", "polls", "busy"
        )?;
        for (depth, task) in self.tree() {
            let name = format!(
                "{}{}",
                "  ".repeat(depth),
                task.name.as_deref().unwrap_or("-")
            );
            let state = match task.state {
                TaskState::Idle => "idle",
                TaskState::Scheduled => "scheduled",
                TaskState::Running => "running",
            };
            let busy = task.busy.map_or_else(|| "-".to_owned(), millis);
            writeln!(
                f,
                "{:<8} {:<28} {:<9} {:>7} {:>7} {:>8}  {}",
                task.id.to_string(),
                name,
                state,
                millis(task.age),
                task.polls,
                busy,
                task.spawned_at
            )?;
        }
        Ok(())
    }
}
