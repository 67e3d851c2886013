//! `ThreadPool`: OS threads that run blocking jobs, fed by a channel.
//!
//! # Accounting
//!
//! One mutex guards the pool's counters; the jobs themselves travel through the channel.
//!
//! - `threads`: threads alive (started and not yet exited).
//! - `idle`: threads waiting on the channel (or about to).
//! - `pending`: jobs sent and not yet received.
//!
//! `spawn` sends the job and, when `pending > idle` and `threads < max_threads`, starts a
//! thread: every pending job has a waiting thread or a thread on its way. A thread that waits
//! `keep_alive` without a job exits, unless leaving would strand a pending job. All three
//! counters change only under the lock, so those two decisions never race.
//!
//! # Shutdown
//!
//! `shutdown` stops accepting jobs (later spawns resolve cancelled), takes the queued jobs out
//! of the channel and cancels them (their handles resolve cancelled; they never run), closes
//! the channel so idle threads exit, then waits for the running jobs to end (with a timeout,
//! for `shutdown_timeout`: a job that never ends is left running on its thread, which is then
//! left behind, as tokio does). Threads that ended are joined.

use crate::channel::{self, Receiver, RecvTimeoutError, Sender};
use crate::job::Job;
use std::fmt;
use std::io;
use std::time::{Duration, Instant};
use weft_core::context;
use weft_core::sync::{Arc, Condvar, Mutex, MutexGuard, thread};
use weft_core::task::{JoinHandle, Notified, Registry, Schedule, TaskMeta};

/// A pool of threads for blocking work (asyncio: a `concurrent.futures` executor given to
/// `run_in_executor`). Jobs return the same [`JoinHandle`] as spawned tasks, awaitable from
/// any runtime or executor.
///
/// ```
/// let pool = weft::blocking::ThreadPool::builder().max_threads(4).build()?;
/// let job = pool.spawn(|| std::fs::read_to_string("/proc/self/stat").map(|s| s.len()));
/// let len = weft::run(job).unwrap()?;
/// assert!(len > 0);
/// pool.shutdown();
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone)]
pub struct ThreadPool {
    inner: Arc<Inner>,
}

/// Configures a [`ThreadPool`].
#[derive(Clone)]
pub struct Builder {
    max_threads: usize,
    keep_alive: Duration,
    thread_name: String,
    stack_size: Option<usize>,
}

pub(crate) struct Inner {
    state: Mutex<State>,
    /// Signalled when a thread exits, and when a job finishes during shutdown (shutdown waits
    /// on it).
    changed: Condvar,
    rx: Receiver<Notified>,
    registry: Registry,
    max_threads: usize,
    keep_alive: Duration,
    thread_name: String,
    stack_size: Option<usize>,
}

struct State {
    tx: Option<Sender<Notified>>,
    threads: usize,
    idle: usize,
    pending: usize,
    /// Jobs taken by a thread and not finished yet.
    running: usize,
    next_id: usize,
    /// A thread was started and has not reached its loop yet.
    starting: bool,
    /// Every started thread not joined yet, by id.
    handles: Vec<(usize, thread::JoinHandle<()>)>,
    /// Ids of threads that left their loop (joining them waits only for their last steps).
    exited: Vec<usize>,
    shutdown: bool,
}

impl State {
    /// Takes the handles of the threads that exited, to be joined outside the lock.
    fn take_exited(&mut self) -> Vec<thread::JoinHandle<()>> {
        let exited = std::mem::take(&mut self.exited);
        let (done, alive): (Vec<_>, Vec<_>) = std::mem::take(&mut self.handles)
            .into_iter()
            .partition(|(id, _)| exited.contains(id));
        self.handles = alive;
        done.into_iter().map(|(_, h)| h).collect()
    }
}

/// The scheduler of the pool's tasks: a job is scheduled once, into the channel.
#[derive(Clone)]
struct Scheduler(Arc<Inner>);

impl Schedule for Scheduler {
    fn schedule(&self, task: Notified) {
        self.0.submit(&self.0, task);
    }

    fn registry(&self) -> &Registry {
        &self.0.registry
    }
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// The defaults: at most 512 threads, idle threads exit after 10 s, named
    /// `weft-blocking-N`.
    pub fn new() -> Builder {
        Builder {
            max_threads: 512,
            keep_alive: Duration::from_secs(10),
            thread_name: "weft-blocking".to_owned(),
            stack_size: None,
        }
    }

    /// At most `n` jobs run at once; the rest wait in a queue. Zero makes `build` fail with
    /// `InvalidInput`.
    pub fn max_threads(&mut self, n: usize) -> &mut Builder {
        self.max_threads = n;
        self
    }

    /// How long an idle thread waits for a job before it exits.
    pub fn keep_alive(&mut self, d: Duration) -> &mut Builder {
        self.keep_alive = d;
        self
    }

    /// Thread name prefix; thread `i` is named `{name}-{i}`.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Builder {
        self.thread_name = name.into();
        self
    }

    /// Stack size of the pool's threads. Zero makes `build` fail with `InvalidInput`.
    pub fn stack_size(&mut self, bytes: usize) -> &mut Builder {
        self.stack_size = Some(bytes);
        self
    }

    /// Makes the pool. No thread starts until the first job.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for `max_threads(0)` or `stack_size(0)`.
    pub fn build(&self) -> io::Result<ThreadPool> {
        if self.max_threads == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a blocking pool needs at least one thread (max_threads(0), or a runtime's \
                 max_blocking_threads(0), was given)",
            ));
        }
        if self.stack_size == Some(0) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "pool threads need a stack (stack_size(0) was given)",
            ));
        }
        let (tx, rx) = channel::unbounded();
        Ok(ThreadPool {
            inner: Arc::new(Inner {
                state: Mutex::new(State {
                    tx: Some(tx),
                    threads: 0,
                    idle: 0,
                    running: 0,
                    pending: 0,
                    next_id: 0,
                    starting: false,
                    handles: Vec::new(),
                    exited: Vec::new(),
                    shutdown: false,
                }),
                changed: Condvar::new(),
                rx,
                registry: Registry::new(4),
                max_threads: self.max_threads,
                keep_alive: self.keep_alive,
                thread_name: self.thread_name.clone(),
                stack_size: self.stack_size,
            }),
        })
    }
}

impl ThreadPool {
    /// A builder for a pool.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Runs `f` on a pool thread (asyncio: `run_in_executor(pool, f)`). Aborting the handle
    /// before the job starts means it never runs; a started job runs to its end. A panic in
    /// `f` makes the handle resolve to a `JoinError` whose `is_panic()` is true. After
    /// shutdown, the handle resolves cancelled.
    #[track_caller]
    pub fn spawn<F, R>(&self, f: F) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        self.spawn_with(f, TaskMeta::here(None))
    }

    /// [`ThreadPool::spawn`] with the job's name and spawn location given (what task dumps
    /// show for it).
    pub fn spawn_with<F, R>(&self, f: F, meta: TaskMeta) -> JoinHandle<R>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        let scheduler = Scheduler(self.inner.clone());
        let (handle, notified) = self.inner.registry.bind(Job::new(f), scheduler, meta);
        if let Some(task) = notified {
            self.inner.submit(&self.inner, task);
        }
        handle
    }

    /// Stops accepting jobs, cancels the queued ones, and waits for the running ones to end.
    /// Idempotent.
    pub fn shutdown(&self) {
        self.inner.shutdown(None);
    }

    /// As [`shutdown`](ThreadPool::shutdown), but waits at most `timeout` for running jobs.
    /// Returns `true` when every thread ended in time; a thread still running a job after
    /// that is left behind (it exits when its job ends).
    pub fn shutdown_timeout(&self, timeout: Duration) -> bool {
        self.inner.shutdown(Some(timeout))
    }

    /// Threads alive now (a metric: grows on demand, shrinks as idle threads time out).
    pub fn num_threads(&self) -> usize {
        self.inner.lock().threads
    }

    /// Threads waiting for a job now (a metric).
    pub fn num_idle(&self) -> usize {
        self.inner.lock().idle
    }

    /// Jobs queued and not yet taken by a thread (a metric).
    pub fn num_queued(&self) -> usize {
        self.inner.lock().pending
    }

    /// Whether no job is queued or running (a paused clock only jumps ahead when its
    /// runtime's pool is idle).
    pub fn is_idle(&self) -> bool {
        let state = self.inner.lock();
        state.pending == 0 && state.running == 0
    }

    /// Whether `shutdown` was called.
    pub fn is_shutdown(&self) -> bool {
        self.inner.lock().shutdown
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // No user code runs under this lock.
        self.state.lock()
    }

    /// Queues a job and makes sure a thread will take it.
    fn submit(&self, this: &Arc<Inner>, task: Notified) {
        let mut state = self.lock();
        let Some(tx) = state.tx.as_ref() else {
            drop(state);
            task.cancel(); // shut down: never runs, its handle resolves cancelled
            return;
        };
        // Unbounded, and the receiver lives as long as `self`: send cannot fail.
        let _ = tx.send(task);
        state.pending += 1;
        let grown = self.grow(this, &mut state, 0);
        drop(state);
        grown.finish();
    }

    /// Starts a thread when the queued jobs outnumber the idle threads (`about_to_idle` counts
    /// the caller itself), unless one is starting already: threads start one at a time, and
    /// each new thread calls this again before it takes a job. A burst of short jobs thus
    /// grows the pool only as fast as threads come up, not by one thread per job.
    fn grow(&self, this: &Arc<Inner>, state: &mut State, about_to_idle: usize) -> Grown {
        let mut grown = Grown::default();
        if state.starting
            || state.pending <= state.idle + about_to_idle
            || state.threads >= self.max_threads
        {
            return grown;
        }
        grown.exited = state.take_exited();
        let id = state.next_id;
        state.next_id += 1;
        match start_thread(this, id) {
            Ok(handle) => {
                state.threads += 1;
                state.starting = true;
                state.handles.push((id, handle));
            }
            Err(e) if state.threads == 0 => {
                // No thread will ever take the queued jobs: fail them rather than hang.
                while let Ok(job) = self.rx.try_recv() {
                    grown.stranded.push(job);
                }
                state.pending -= grown.stranded.len();
                grown.error = Some(e);
            }
            // Other threads are alive and will get to the jobs.
            Err(_) => {}
        }
        grown
    }

    fn shutdown(&self, timeout: Option<Duration>) -> bool {
        let queued = {
            let mut state = self.lock();
            state.shutdown = true;
            // Closing the channel lets idle threads see Disconnected once it is empty.
            drop(state.tx.take());
            let mut queued = Vec::new();
            while let Ok(job) = self.rx.try_recv() {
                queued.push(job);
            }
            state.pending -= queued.len();
            queued
        };
        // Cancels every job that has not started (their futures, i.e. closures, are dropped);
        // running ones are only marked and finish normally.
        self.registry.close();
        drop(queued);
        let deadline = timeout.map(|t| Instant::now() + t);
        // A job that shuts its own pool down (say, drops a runtime) cannot wait for itself.
        let own = usize::from(context::is_pool_thread((self as *const Inner).cast()));
        let mut state = self.lock();
        while state.threads > own {
            match deadline {
                None => state = self.changed.wait(state),
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break;
                    }
                    state = self.changed.wait_timeout(state, deadline - now).0;
                }
            }
        }
        let all_ended = state.threads <= own;
        // Threads still running a job past the timeout stay in `handles`: left behind, each
        // exits when its job ends.
        let exited = state.take_exited();
        drop(state);
        join_all(exited);
        all_ended
    }
}

/// What `grow` left to do once the lock is released.
#[derive(Default)]
struct Grown {
    /// Threads that exited, to join.
    exited: Vec<thread::JoinHandle<()>>,
    /// Jobs no thread can run (none could be started), to cancel.
    stranded: Vec<Notified>,
    /// Why no thread could be started.
    error: Option<io::Error>,
}

impl Grown {
    fn finish(self) {
        join_all(self.exited);
        if let Some(e) = self.error {
            eprintln!(
                "weft: could not start a blocking thread ({e}); {} queued job(s) cancelled",
                self.stranded.len()
            );
        }
        for job in self.stranded {
            job.cancel();
        }
    }
}

fn start_thread(inner: &Arc<Inner>, id: usize) -> io::Result<thread::JoinHandle<()>> {
    let mut builder = thread::Builder::new().name(format!("{}-{id}", inner.thread_name));
    if let Some(size) = inner.stack_size {
        builder = builder.stack_size(size);
    }
    let inner = inner.clone();
    builder.spawn(move || run_thread(&inner, id))
}

/// A pool thread: take jobs until the channel closes or `keep_alive` passes idle.
fn run_thread(inner: &Arc<Inner>, id: usize) {
    // The pool's address is its identity in the thread's context: compared, never followed.
    context::enter_pool_thread((&**inner as *const Inner).cast());
    let grown = {
        let mut state = inner.lock();
        state.starting = false;
        // This thread takes one job; start the next one if more are waiting.
        inner.grow(inner, &mut state, 1)
    };
    grown.finish();
    let mut state = inner.lock();
    loop {
        state.idle += 1;
        drop(state);
        let received = inner.rx.recv_timeout(inner.keep_alive);
        state = inner.lock();
        state.idle -= 1;
        match received {
            Ok(job) => {
                state.pending -= 1;
                state.running += 1;
                drop(state);
                job.run(); // panics are caught into the job's JoinError
                state = inner.lock();
                // After the run: whatever the job woke (its JoinHandle's task) is queued on
                // its runtime before the job stops counting (`is_idle`, virtual time).
                state.running -= 1;
                if state.shutdown {
                    // Only shutdown waits on `changed`; a notify costs a syscall.
                    inner.changed.notify_all();
                }
            }
            Err(RecvTimeoutError::Timeout) if state.pending > state.idle => {
                // A job is queued that no waiting thread will take: stay for it.
            }
            Err(_) => break, // idle too long, or shut down
        }
    }
    state.threads -= 1;
    state.exited.push(id);
    drop(state);
    inner.changed.notify_all();
}

fn join_all(handles: Vec<thread::JoinHandle<()>>) {
    for handle in handles {
        // The thread left its loop; a panic there is impossible (jobs' panics are caught).
        let _ = handle.join();
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.lock();
        f.debug_struct("ThreadPool")
            .field("threads", &state.threads)
            .field("idle", &state.idle)
            .field("queued", &state.pending)
            .field("max_threads", &self.inner.max_threads)
            .field("shutdown", &state.shutdown)
            .finish()
    }
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("max_threads", &self.max_threads)
            .field("keep_alive", &self.keep_alive)
            .field("thread_name", &self.thread_name)
            .finish()
    }
}
