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
/// Callbacks submitted by `call_soon`.
pub(crate) const CALLBACKS: usize = 10_000;
/// Round trips in `oneshot_round_trip`.
pub(crate) const ONESHOT_ROUNDS: usize = 1_000;
/// Jobs in `blocking_many`.
pub(crate) const BLOCKING_JOBS: usize = 2_000;
/// Async tasks (each yielding 10 times) and blocking jobs in `blocking_mixed`.
pub(crate) const MIXED_EACH: usize = 500;
/// Tasks in `timeout_not_firing`, each running [`TIMEOUTS_PER_TASK`] timeouts in a row.
pub(crate) const TIMEOUT_TASKS: usize = 100;
/// Timeouts (1 s, around a future that yields once) per `timeout_not_firing` task.
pub(crate) const TIMEOUTS_PER_TASK: usize = 1_000;
/// Tasks in `sleep_many`, each sleeping 1 ms.
pub(crate) const SLEEPERS: usize = 10_000;
/// Timers armed (by a first poll) and cancelled (by drop) in `timer_insert_cancel`.
pub(crate) const TIMER_CYCLES: usize = 100_000;
/// Connections in `tcp_echo`.
pub(crate) const ECHO_CONNECTIONS: usize = 16;
/// Round trips per connection in `tcp_echo`.
pub(crate) const ECHO_ROUNDS: usize = 500;
/// Bytes per round trip in `tcp_echo`.
pub(crate) const ECHO_BYTES: usize = 1024;
/// Tasks sharing one mutex in `mutex_contended`, and one semaphore in `semaphore_acquire`.
pub(crate) const LOCK_TASKS: usize = 8;
/// Lock/unlock (or acquire/release) cycles per task in those two workloads.
pub(crate) const LOCKS_PER_TASK: usize = 1_000;
/// Permits of the semaphore in `semaphore_acquire`.
pub(crate) const SEMAPHORE_PERMITS: usize = 4;
/// Children (`true`) spawned and awaited in `process_spawn_wait`.
pub(crate) const PROCESS_CHILDREN: usize = 500;
/// Children alive at once in `process_spawn_wait`.
pub(crate) const PROCESS_AT_ONCE: usize = 32;
/// Bytes piped through `cat` in `process_cat_pipe`.
pub(crate) const PIPE_BYTES: usize = 10 << 20;
/// Bytes per write in `process_cat_pipe`.
pub(crate) const PIPE_CHUNK: usize = 64 << 10;
/// Producer tasks in `mpsc_bounded` and `mpsc_unbounded`, all sending to one consumer task.
pub(crate) const MPSC_PRODUCERS: usize = 4;
/// Values each producer sends in those two workloads.
pub(crate) const MPSC_PER_PRODUCER: usize = 10_000;
/// Capacity of the channel in `mpsc_bounded`.
pub(crate) const MPSC_CAPACITY: usize = 128;
/// Receivers in `broadcast_fanout`.
pub(crate) const FANOUT_RECEIVERS: usize = 64;
/// Values sent in `broadcast_fanout` (the channel keeps them all: nobody lags).
pub(crate) const FANOUT_VALUES: usize = 10_000;
/// Request/reply pairs in `mpsc_round_trip`.
pub(crate) const ROUND_TRIPS: usize = 1_000;
/// Capacity of each of `mpsc_round_trip`'s two channels (one each way).
pub(crate) const ROUND_TRIP_CAPACITY: usize = 1;
/// Items the producer puts in `queue_join`.
pub(crate) const QUEUE_ITEMS: usize = 100_000;
/// Consumer tasks in `queue_join`.
pub(crate) const QUEUE_CONSUMERS: usize = 4;
/// Bound of the queue (peers: of the channel) in `queue_join`.
pub(crate) const QUEUE_CAPACITY: usize = 64;
/// Values each of the two producers of `select_two_channels` sends; each channel has
/// [`MPSC_CAPACITY`], as in `mpsc_bounded`, so the two rows differ by the `select!`.
pub(crate) const SELECT_PER_CHANNEL: usize = 50_000;

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
    /// As `spawn_many_outside`, while every worker is busy: first one task per worker that
    /// yields in a loop until told to stop (tokio's `spawn_many_remote_busy` shape), then the
    /// `n` spawns from the calling thread, awaited; then the busy tasks are stopped and awaited.
    fn spawn_many_remote_busy(&self, n: usize);
    /// Spawn `tasks` tasks that each yield `yields` times, and await them all.
    fn yield_many(&self, tasks: usize, yields: usize);
    /// Two tasks bounce a message `rounds` times over two `async_channel::bounded(1)` channels.
    fn ping_pong(&self, rounds: usize);
    /// A chain of `depth` spawns, each task spawning the next; the last one signals the caller
    /// through an `async_channel::bounded(1)` channel.
    fn chained_spawn(&self, depth: usize);
    /// From the calling thread, submit `n` callbacks (weft: `call_soon`; the peers: spawn a
    /// task that calls the closure) that each bump a counter; wait until the last one ran.
    fn call_soon(&self, n: usize);
    /// Inside the runtime, `rounds` times: make two oneshot channels, spawn a task that
    /// doubles what it gets on the first and answers on the second; send, await the answer.
    fn oneshot_round_trip(&self, rounds: usize);
    /// Run `n` trivial jobs on the blocking pool and await them all.
    fn blocking_many(&self, n: usize);
    /// Run `n` async tasks (10 yields each) and `n` trivial blocking jobs, await them all.
    fn blocking_mixed(&self, n: usize);
    /// `tasks` tasks each await `each` timeouts of 1 s around a future that yields once.
    fn timeout_not_firing(&self, tasks: usize, each: usize);
    /// `n` tasks each sleep 1 ms; await them all.
    fn sleep_many(&self, n: usize);
    /// In one task, `n` times: make a 1 s sleep, poll it once (arming it), drop it.
    fn timer_insert_cancel(&self, n: usize);
    /// An echo server on loopback and `connections` clients, each doing `rounds` round trips
    /// of `bytes` bytes (write, then read the echo back), all on the runtime.
    fn tcp_echo(&self, connections: usize, rounds: usize, bytes: usize);
    /// `tasks` tasks share one async mutex; each, `each` times: lock, yield while holding it,
    /// bump the counter, unlock. The final count is checked.
    fn mutex_contended(&self, tasks: usize, each: usize);
    /// `tasks` tasks share one semaphore of `permits`; each, `each` times: acquire one
    /// permit, yield while holding it, release it. No more than `permits` hold one at once.
    fn semaphore_acquire(&self, tasks: usize, each: usize, permits: usize);
    /// `producers` tasks each send `each` numbers over one bounded channel of `capacity`
    /// (weft and tokio `sync::mpsc::channel`, smol `async_channel::bounded`) to one consumer
    /// task, which sums them; the sum is checked.
    fn mpsc_bounded(&self, producers: usize, each: usize, capacity: usize);
    /// The same over an unbounded channel (weft and tokio `sync::mpsc::unbounded_channel`,
    /// smol `async_channel::unbounded`); the producers yield every 100 sends.
    fn mpsc_unbounded(&self, producers: usize, each: usize);
    /// One sender task sends `values` numbers over a broadcast channel that keeps them all
    /// (weft and tokio `sync::broadcast`, smol `async-broadcast`), yielding every 100 sends;
    /// `receivers` tasks each receive every value and sum them; each sum is checked.
    fn broadcast_fanout(&self, receivers: usize, values: usize);
    /// A client task makes `rounds` request/reply pairs with a server task over two bounded
    /// channels of `capacity` (one each way; weft and tokio `sync::mpsc::channel`, smol
    /// `async_channel::bounded`), awaiting each reply before the next request; the server
    /// doubles each request. Replies and the number served are checked.
    fn mpsc_round_trip(&self, rounds: usize, capacity: usize);
    /// asyncio's producer/consumer: one producer task puts `items` numbers in a queue bounded
    /// by `capacity`, `consumers` tasks each `get` and `task_done` until the queue ends; the
    /// caller awaits the producer, then `join`s the queue, then ends it (weft `sync::Queue` and
    /// `shutdown`; the peers have no queue with `join`, so: an `async_channel::bounded` channel,
    /// an unfinished-item counter, and a wake-up when it reaches zero, closed by dropping the
    /// sender). Every item must be processed when `join` returns; the sum is checked.
    fn queue_join(&self, items: usize, consumers: usize, capacity: usize);
    /// Two producer tasks each send `0..each` over their own bounded channel of `capacity`
    /// (weft and tokio `sync::mpsc::channel`, smol `async_channel::bounded`); one task loops on
    /// a select over both receivers until both are closed (weft `select!`, tokio `select!`,
    /// smol `future::race`). Count and sum per channel are checked.
    fn select_two_channels(&self, each: usize, capacity: usize);
    /// Spawns `children` `true` processes and awaits each one's exit status, from `at_once`
    /// tasks that each run one child at a time (so at most `at_once` are alive at once).
    fn process_spawn_wait(&self, children: usize, at_once: usize);
    /// Pipes `bytes` through a `cat` child: one task writes them in `chunk`-byte writes and
    /// closes stdin, another reads stdout to its end; then the child is awaited.
    fn process_cat_pipe(&self, bytes: usize, chunk: usize);
    /// Starts the HTTP hello server (`crate::http`) on loopback, on the runtime; it serves
    /// until the returned [`Server`](crate::http::Server) is dropped.
    fn http_hello(&self) -> crate::http::Server;
    /// Starts the hyper hello server (`crate::http::hyper_hello` under hyper's HTTP/1 server,
    /// with the runtime's own hyper glue) on loopback.
    fn hyper_hello(&self) -> crate::http::Server;
}

/// One runtime's one-thread flavour, for the `local_*` rows: weft's `LocalRuntime`, tokio's
/// current-thread runtime with a `LocalSet`, smol's `LocalExecutor`. Built once on the main
/// thread, which then drives it for each iteration; tasks are spawned with the runtime's
/// `spawn_local` and share `Rc`/`Cell` state, so they are not `Send`. The workloads are those of
/// the multi-thread rows with the same names and sizes, on one thread. Results are checked.
pub(crate) trait LocalSubject {
    /// Short name for the table: `weft`, `tokio`, `smol` (the same columns as [`Subject`]).
    fn name(&self) -> &'static str;
    /// As [`Subject::spawn_many_task`]: a local task spawns `n` local tasks that each bump a
    /// shared count, then awaits all their handles; the count is checked.
    fn local_spawn_many(&self, n: usize);
    /// As [`Subject::yield_many`]: `tasks` local tasks each yield `yields` times, counting the
    /// yields in a shared count; the count is checked.
    fn local_yield_many(&self, tasks: usize, yields: usize);
    /// As [`Subject::ping_pong`], between two local tasks over the same two
    /// `async_channel::bounded(1)` channels; the round trips are counted and checked.
    fn local_ping_pong(&self, rounds: usize);
    /// As [`Subject::chained_spawn`] with `spawn_local`: each link bumps a shared count, the last
    /// signals the caller over an `async_channel::bounded(1)`; the count is checked.
    fn local_chained_spawn(&self, depth: usize);
}

/// A workload the harness can run and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Workload {
    /// See [`Subject::spawn_many_task`].
    SpawnManyTask,
    /// See [`Subject::spawn_many_outside`].
    SpawnManyOutside,
    /// See [`Subject::spawn_many_remote_busy`].
    SpawnManyRemoteBusy,
    /// See [`Subject::yield_many`].
    YieldMany,
    /// See [`Subject::ping_pong`].
    PingPong,
    /// See [`Subject::chained_spawn`].
    ChainedSpawn,
    /// See [`Subject::call_soon`].
    CallSoon,
    /// See [`Subject::oneshot_round_trip`].
    OneshotRoundTrip,
    /// See [`Subject::blocking_many`].
    BlockingMany,
    /// See [`Subject::blocking_mixed`].
    BlockingMixed,
    /// See [`Subject::timeout_not_firing`].
    TimeoutNotFiring,
    /// See [`Subject::sleep_many`].
    SleepMany,
    /// See [`Subject::timer_insert_cancel`].
    TimerInsertCancel,
    /// See [`Subject::tcp_echo`].
    TcpEcho,
    /// See [`Subject::mutex_contended`].
    MutexContended,
    /// See [`Subject::semaphore_acquire`].
    SemaphoreAcquire,
    /// See [`Subject::mpsc_bounded`].
    MpscBounded,
    /// See [`Subject::mpsc_unbounded`].
    MpscUnbounded,
    /// See [`Subject::broadcast_fanout`].
    BroadcastFanout,
    /// See [`Subject::mpsc_round_trip`].
    MpscRoundTrip,
    /// See [`Subject::queue_join`].
    QueueJoin,
    /// See [`Subject::select_two_channels`].
    SelectTwoChannels,
    /// See [`Subject::process_spawn_wait`].
    ProcessSpawnWait,
    /// See [`Subject::process_cat_pipe`].
    ProcessCatPipe,
    /// See [`LocalSubject::local_spawn_many`].
    LocalSpawnMany,
    /// See [`LocalSubject::local_yield_many`].
    LocalYieldMany,
    /// See [`LocalSubject::local_ping_pong`].
    LocalPingPong,
    /// See [`LocalSubject::local_chained_spawn`].
    LocalChainedSpawn,
}

impl Workload {
    /// Every workload, in the order the table lists them.
    pub(crate) const ALL: [Workload; 28] = [
        Workload::SpawnManyTask,
        Workload::SpawnManyOutside,
        Workload::SpawnManyRemoteBusy,
        Workload::YieldMany,
        Workload::PingPong,
        Workload::ChainedSpawn,
        Workload::CallSoon,
        Workload::OneshotRoundTrip,
        Workload::BlockingMany,
        Workload::BlockingMixed,
        Workload::TimeoutNotFiring,
        Workload::SleepMany,
        Workload::TimerInsertCancel,
        Workload::TcpEcho,
        Workload::MutexContended,
        Workload::SemaphoreAcquire,
        Workload::MpscBounded,
        Workload::MpscUnbounded,
        Workload::BroadcastFanout,
        Workload::MpscRoundTrip,
        Workload::QueueJoin,
        Workload::SelectTwoChannels,
        Workload::ProcessSpawnWait,
        Workload::ProcessCatPipe,
        Workload::LocalSpawnMany,
        Workload::LocalYieldMany,
        Workload::LocalPingPong,
        Workload::LocalChainedSpawn,
    ];

    /// The name used by `--only` and in the table.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Workload::SpawnManyTask => "spawn_many_task",
            Workload::SpawnManyOutside => "spawn_many_outside",
            Workload::SpawnManyRemoteBusy => "spawn_many_remote_busy",
            Workload::YieldMany => "yield_many",
            Workload::PingPong => "ping_pong",
            Workload::ChainedSpawn => "chained_spawn",
            Workload::CallSoon => "call_soon",
            Workload::OneshotRoundTrip => "oneshot_round_trip",
            Workload::BlockingMany => "blocking_many",
            Workload::BlockingMixed => "blocking_mixed",
            Workload::TimeoutNotFiring => "timeout_not_firing",
            Workload::SleepMany => "sleep_many",
            Workload::TimerInsertCancel => "timer_insert_cancel",
            Workload::TcpEcho => "tcp_echo",
            Workload::MutexContended => "mutex_contended",
            Workload::SemaphoreAcquire => "semaphore_acquire",
            Workload::MpscBounded => "mpsc_bounded",
            Workload::MpscUnbounded => "mpsc_unbounded",
            Workload::BroadcastFanout => "broadcast_fanout",
            Workload::MpscRoundTrip => "mpsc_round_trip",
            Workload::QueueJoin => "queue_join",
            Workload::SelectTwoChannels => "select_two_channels",
            Workload::ProcessSpawnWait => "process_spawn_wait",
            Workload::ProcessCatPipe => "process_cat_pipe",
            Workload::LocalSpawnMany => "local_spawn_many",
            Workload::LocalYieldMany => "local_yield_many",
            Workload::LocalPingPong => "local_ping_pong",
            Workload::LocalChainedSpawn => "local_chained_spawn",
        }
    }

    /// What one iteration does, for the table.
    pub(crate) fn describe(self) -> String {
        match self {
            Workload::SpawnManyTask => format!("{SPAWN_MANY} spawns from a task, await all"),
            Workload::SpawnManyOutside => {
                format!("{SPAWN_MANY} spawns from the main thread, await all")
            }
            Workload::SpawnManyRemoteBusy => format!(
                "{SPAWN_MANY} spawns from the main thread while every worker runs a yield loop, \
                 await all"
            ),
            Workload::YieldMany => format!("{YIELD_TASKS} tasks x {YIELDS_PER_TASK} yields"),
            Workload::PingPong => format!("{PING_PONG_ROUNDS} round trips, bounded(1) channels"),
            Workload::ChainedSpawn => format!("chain of {CHAIN_DEPTH} spawns"),
            Workload::CallSoon => {
                format!("{CALLBACKS} callbacks from the main thread (peers: spawned closures)")
            }
            Workload::OneshotRoundTrip => {
                format!("{ONESHOT_ROUNDS} oneshot round trips, each to a fresh task")
            }
            Workload::BlockingMany => format!("{BLOCKING_JOBS} trivial blocking jobs, await all"),
            Workload::BlockingMixed => {
                format!("{MIXED_EACH} async tasks (10 yields) + {MIXED_EACH} blocking jobs")
            }
            Workload::TimeoutNotFiring => {
                format!("{TIMEOUT_TASKS} tasks x {TIMEOUTS_PER_TASK} timeouts (1 s) around a yield")
            }
            Workload::SleepMany => format!("{SLEEPERS} tasks sleeping 1 ms"),
            Workload::TimerInsertCancel => {
                format!("{TIMER_CYCLES} x (arm a 1 s sleep by polling it, drop it)")
            }
            Workload::TcpEcho => format!(
                "{ECHO_CONNECTIONS} connections x {ECHO_ROUNDS} round trips x {ECHO_BYTES} B, loopback"
            ),
            Workload::MutexContended => format!(
                "{LOCK_TASKS} tasks x {LOCKS_PER_TASK} lock/unlock of one mutex, a yield while held"
            ),
            Workload::SemaphoreAcquire => format!(
                "{LOCK_TASKS} tasks x {LOCKS_PER_TASK} acquire/release of {SEMAPHORE_PERMITS} permits, a yield while held"
            ),
            Workload::MpscBounded => format!(
                "{MPSC_PRODUCERS} producers x {MPSC_PER_PRODUCER} sends, one consumer, capacity {MPSC_CAPACITY}"
            ),
            Workload::MpscUnbounded => format!(
                "{MPSC_PRODUCERS} producers x {MPSC_PER_PRODUCER} sends, one consumer, unbounded"
            ),
            Workload::BroadcastFanout => {
                format!("1 sender, {FANOUT_RECEIVERS} receivers x {FANOUT_VALUES} values each")
            }
            Workload::MpscRoundTrip => format!(
                "{ROUND_TRIPS} request/reply pairs, two bounded({ROUND_TRIP_CAPACITY}) channels"
            ),
            Workload::QueueJoin => format!(
                "1 producer x {QUEUE_ITEMS} puts, {QUEUE_CONSUMERS} consumers, maxsize {QUEUE_CAPACITY}, join"
            ),
            Workload::SelectTwoChannels => format!(
                "select over 2 channels (capacity {MPSC_CAPACITY}) x {SELECT_PER_CHANNEL} values each"
            ),
            Workload::ProcessSpawnWait => format!(
                "spawn and wait {PROCESS_CHILDREN} `true` children, at most {PROCESS_AT_ONCE} at once"
            ),
            Workload::ProcessCatPipe => format!(
                "{} MiB piped through `cat` ({} KiB writes), read back concurrently",
                PIPE_BYTES >> 20,
                PIPE_CHUNK >> 10
            ),
            Workload::LocalSpawnMany => {
                format!("one thread: {SPAWN_MANY} spawn_local from a task, await all")
            }
            Workload::LocalYieldMany => {
                format!("one thread: {YIELD_TASKS} local tasks x {YIELDS_PER_TASK} yields")
            }
            Workload::LocalPingPong => {
                format!("one thread: {PING_PONG_ROUNDS} round trips, bounded(1) channels")
            }
            Workload::LocalChainedSpawn => {
                format!("one thread: chain of {CHAIN_DEPTH} spawn_local")
            }
        }
    }

    /// Looks a workload up by its [`name`](Workload::name).
    pub(crate) fn from_name(name: &str) -> Option<Workload> {
        Workload::ALL.into_iter().find(|w| w.name() == name)
    }

    /// Whether this is a one-thread row, run on a [`LocalSubject`] with
    /// [`run_local`](Workload::run_local) instead of [`run`](Workload::run).
    pub(crate) fn is_local(self) -> bool {
        matches!(
            self,
            Workload::LocalSpawnMany
                | Workload::LocalYieldMany
                | Workload::LocalPingPong
                | Workload::LocalChainedSpawn
        )
    }

    /// Runs one iteration of this one-thread workload on `subject`.
    ///
    /// # Panics
    ///
    /// For a workload that is not [`is_local`](Workload::is_local).
    pub(crate) fn run_local(self, subject: &dyn LocalSubject) {
        match self {
            Workload::LocalSpawnMany => subject.local_spawn_many(SPAWN_MANY),
            Workload::LocalYieldMany => subject.local_yield_many(YIELD_TASKS, YIELDS_PER_TASK),
            Workload::LocalPingPong => subject.local_ping_pong(PING_PONG_ROUNDS),
            Workload::LocalChainedSpawn => subject.local_chained_spawn(CHAIN_DEPTH),
            _ => unreachable!("{} is not a one-thread workload", self.name()),
        }
    }

    /// Runs one iteration of this (multi-thread) workload on `subject`.
    ///
    /// # Panics
    ///
    /// For a workload that [`is_local`](Workload::is_local).
    pub(crate) fn run(self, subject: &dyn Subject) {
        match self {
            Workload::SpawnManyTask => subject.spawn_many_task(SPAWN_MANY),
            Workload::SpawnManyOutside => subject.spawn_many_outside(SPAWN_MANY),
            Workload::SpawnManyRemoteBusy => subject.spawn_many_remote_busy(SPAWN_MANY),
            Workload::YieldMany => subject.yield_many(YIELD_TASKS, YIELDS_PER_TASK),
            Workload::PingPong => subject.ping_pong(PING_PONG_ROUNDS),
            Workload::ChainedSpawn => subject.chained_spawn(CHAIN_DEPTH),
            Workload::CallSoon => subject.call_soon(CALLBACKS),
            Workload::OneshotRoundTrip => subject.oneshot_round_trip(ONESHOT_ROUNDS),
            Workload::BlockingMany => subject.blocking_many(BLOCKING_JOBS),
            Workload::BlockingMixed => subject.blocking_mixed(MIXED_EACH),
            Workload::TimeoutNotFiring => {
                subject.timeout_not_firing(TIMEOUT_TASKS, TIMEOUTS_PER_TASK)
            }
            Workload::SleepMany => subject.sleep_many(SLEEPERS),
            Workload::TimerInsertCancel => subject.timer_insert_cancel(TIMER_CYCLES),
            Workload::TcpEcho => subject.tcp_echo(ECHO_CONNECTIONS, ECHO_ROUNDS, ECHO_BYTES),
            Workload::MutexContended => subject.mutex_contended(LOCK_TASKS, LOCKS_PER_TASK),
            Workload::SemaphoreAcquire => {
                subject.semaphore_acquire(LOCK_TASKS, LOCKS_PER_TASK, SEMAPHORE_PERMITS)
            }
            Workload::MpscBounded => {
                subject.mpsc_bounded(MPSC_PRODUCERS, MPSC_PER_PRODUCER, MPSC_CAPACITY)
            }
            Workload::MpscUnbounded => subject.mpsc_unbounded(MPSC_PRODUCERS, MPSC_PER_PRODUCER),
            Workload::BroadcastFanout => subject.broadcast_fanout(FANOUT_RECEIVERS, FANOUT_VALUES),
            Workload::MpscRoundTrip => subject.mpsc_round_trip(ROUND_TRIPS, ROUND_TRIP_CAPACITY),
            Workload::QueueJoin => subject.queue_join(QUEUE_ITEMS, QUEUE_CONSUMERS, QUEUE_CAPACITY),
            Workload::SelectTwoChannels => {
                subject.select_two_channels(SELECT_PER_CHANNEL, MPSC_CAPACITY)
            }
            Workload::ProcessSpawnWait => {
                subject.process_spawn_wait(PROCESS_CHILDREN, PROCESS_AT_ONCE)
            }
            Workload::ProcessCatPipe => subject.process_cat_pipe(PIPE_BYTES, PIPE_CHUNK),
            Workload::LocalSpawnMany
            | Workload::LocalYieldMany
            | Workload::LocalPingPong
            | Workload::LocalChainedSpawn => {
                unreachable!("{} runs on a LocalSubject", self.name())
            }
        }
    }
}
