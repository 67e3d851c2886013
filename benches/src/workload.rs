//! The workloads, their sizes, and the interface every runtime adapter implements.

/// Tasks spawned by `spawn_many_task` and `spawn_many_outside`.
pub(crate) const SPAWN_MANY: usize = 10_000;
/// Tasks in `yield_many`.
pub(crate) const YIELD_TASKS: usize = 200;
/// `yield_now()` calls each `yield_many` task makes.
pub(crate) const YIELDS_PER_TASK: usize = 1_000;
/// Round trips in `ping_pong`.
pub(crate) const PING_PONG_ROUNDS: usize = 1_000;
/// Length of the spawn chain in `chained_spawn`.
pub(crate) const CHAIN_DEPTH: usize = 1_000;

/// One runtime under test, already built, with its worker threads running.
///
/// Every method runs one whole iteration of a workload and returns when it is complete; the
/// harness times the call. Implementations check results, so a runtime that loses a task or a
/// message fails loudly instead of looking fast.
pub(crate) trait Subject {
    /// Short name for the table: `weft`, `tokio`, `smol`.
    fn name(&self) -> &'static str;
    /// From inside a task, spawn `n` trivial tasks, then await all their handles.
    fn spawn_many_task(&self, n: usize);
    /// From the calling (non-worker) thread, spawn `n` trivial tasks through the runtime's
    /// handle, then block on awaiting all their handles.
    fn spawn_many_outside(&self, n: usize);
    /// Spawn `tasks` tasks that each yield `yields` times, and await them all.
    fn yield_many(&self, tasks: usize, yields: usize);
    /// Two tasks bounce a message `rounds` times over two `async_channel::bounded(1)` channels.
    fn ping_pong(&self, rounds: usize);
    /// A chain of `depth` spawns, each task spawning the next; the last one signals the caller
    /// through an `async_channel::bounded(1)` channel.
    fn chained_spawn(&self, depth: usize);
}

/// A workload the harness can run and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// See [`Subject::spawn_many_task`].
    SpawnManyTask,
    /// See [`Subject::spawn_many_outside`].
    SpawnManyOutside,
    /// See [`Subject::yield_many`].
    YieldMany,
    /// See [`Subject::ping_pong`].
    PingPong,
    /// See [`Subject::chained_spawn`].
    ChainedSpawn,
}

impl Workload {
    /// Every workload, in the order the table lists them.
    pub(crate) const ALL: [Workload; 5] = [
        Workload::SpawnManyTask,
        Workload::SpawnManyOutside,
        Workload::YieldMany,
        Workload::PingPong,
        Workload::ChainedSpawn,
    ];

    /// The name used by `--only` and in the table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Workload::SpawnManyTask => "spawn_many_task",
            Workload::SpawnManyOutside => "spawn_many_outside",
            Workload::YieldMany => "yield_many",
            Workload::PingPong => "ping_pong",
            Workload::ChainedSpawn => "chained_spawn",
        }
    }

    /// What one iteration does, for the table.
    pub(crate) fn describe(self) -> String {
        match self {
            Workload::SpawnManyTask => format!("{SPAWN_MANY} spawns from a task, await all"),
            Workload::SpawnManyOutside => {
                format!("{SPAWN_MANY} spawns from the main thread, await all")
            }
            Workload::YieldMany => format!("{YIELD_TASKS} tasks x {YIELDS_PER_TASK} yields"),
            Workload::PingPong => format!("{PING_PONG_ROUNDS} round trips, bounded(1) channels"),
            Workload::ChainedSpawn => format!("chain of {CHAIN_DEPTH} spawns"),
        }
    }

    /// Looks a workload up by its [`name`](Workload::name).
    pub(crate) fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Runs one iteration of this workload on `subject`.
    pub(crate) fn run(self, subject: &dyn Subject) {
        match self {
            Workload::SpawnManyTask => subject.spawn_many_task(SPAWN_MANY),
            Workload::SpawnManyOutside => subject.spawn_many_outside(SPAWN_MANY),
            Workload::YieldMany => subject.yield_many(YIELD_TASKS, YIELDS_PER_TASK),
            Workload::PingPong => subject.ping_pong(PING_PONG_ROUNDS),
            Workload::ChainedSpawn => subject.chained_spawn(CHAIN_DEPTH),
        }
    }
}
