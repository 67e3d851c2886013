//! `Handle`: a cloneable reference to a scheduler; `Config`, `create` and `Launch` build one.
//!
//! A scheduler is made in two steps, so that a runtime is whole before any of its threads
//! runs: [`create`] builds the shared state (queues, idle tracking, registry, driver) and
//! returns the [`Handle`]; the runtime builds everything else around it (the facade's handle,
//! the drivers' handles); then [`Launch::launch`] starts the workers, each with the
//! [`Scope`] it keeps current for its whole life.

use super::park::{Parker, SharedDriver};
use super::queue::LocalQueue;
use super::shared::{Remote, Shared};
use super::worker::{self, Reason, WorkerCx};
use crate::context::Scope;
use crate::driver::Park;
use crate::sync::{Arc, AtomicU64, thread};
use crate::task::{JoinHandle, Notified, Registry, Schedule, TaskMeta};
use crossbeam_utils::CachePadded;
use std::fmt;
use std::future::Future;
use std::io;
// Closures in the config are shared with std's Arc even under loom: they are no protocol.
use std::sync::Arc as StdArc;

/// How to build a scheduler.
pub struct Config {
    /// Number of worker threads (at least one).
    pub workers: usize,
    /// Name of worker thread `i`.
    pub thread_name: StdArc<dyn Fn(usize) -> String + Send + Sync>,
    /// Stack size of the worker threads, or the platform default.
    pub stack_size: Option<usize>,
    /// The driver idle workers park in (timers, I/O); `None`: workers sleep on condvars.
    pub driver: Option<Box<dyn Park>>,
    /// Debug mode (slow polls and stuck workers reported); `None`: off.
    pub debug: Option<super::DebugConfig>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            workers: 1,
            thread_name: StdArc::new(|i| format!("weft-worker-{i}")),
            stack_size: None,
            driver: None,
            debug: None,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("workers", &self.workers)
            .field("stack_size", &self.stack_size)
            .field("driver", &self.driver.is_some())
            .finish_non_exhaustive()
    }
}

/// A reference to a work-stealing scheduler: spawn onto it, close it.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

/// The workers of a created scheduler, not started yet (see [`create`]).
#[must_use = "a scheduler runs nothing until it is launched"]
pub struct Launch {
    handle: Handle,
    workers: Vec<(LocalQueue<Notified>, Parker)>,
    thread_name: StdArc<dyn Fn(usize) -> String + Send + Sync>,
    stack_size: Option<usize>,
}

/// Builds a scheduler's shared state; no thread runs until [`Launch::launch`]. Tasks spawned
/// before the launch wait in the injector.
///
/// # Errors
///
/// `InvalidInput` when `workers` or `stack_size` is zero.
pub fn create(config: Config) -> io::Result<(Handle, Launch)> {
    if config.workers == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a runtime needs at least one worker thread (worker_threads(0) was given)",
        ));
    }
    if config.stack_size == Some(0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "worker threads need a stack (thread_stack_size(0) was given)",
        ));
    }
    let driver = config.driver.map(|d| Arc::new(SharedDriver::new(d)));
    let mut workers = Vec::with_capacity(config.workers);
    let mut remotes = Vec::with_capacity(config.workers);
    for _ in 0..config.workers {
        let queue = LocalQueue::new();
        let parker = Parker::new(driver.clone());
        remotes.push(CachePadded::new(Remote {
            stealer: queue.stealer(),
            lifo: super::lifo::LifoSlot::new(),
            polls: AtomicU64::new(0),
            unparker: parker.unparker(),
            counters: Default::default(),
            clock: Default::default(),
        }));
        workers.push((queue, parker));
    }
    let handle = Handle {
        shared: Arc::new(Shared::new(remotes.into_boxed_slice(), config.debug)),
    };
    let launch = Launch {
        handle: handle.clone(),
        workers,
        thread_name: config.thread_name,
        stack_size: config.stack_size,
    };
    Ok((handle, launch))
}

impl Launch {
    /// Starts the worker threads; worker `i` keeps `scope(i)` current for its whole life.
    ///
    /// # Errors
    ///
    /// The OS error when a thread cannot be started: the workers already started are stopped
    /// and joined first, and the scheduler is closed.
    pub fn launch(self, scope: impl Fn(usize) -> Scope) -> io::Result<()> {
        let Launch {
            handle,
            workers,
            thread_name,
            stack_size,
        } = self;
        for (index, (queue, parker)) in workers.into_iter().enumerate() {
            let shared = handle.shared.clone();
            let mut builder = thread::Builder::new().name(thread_name(index));
            if let Some(size) = stack_size {
                builder = builder.stack_size(size);
            }
            let scope = scope(index);
            let spawned =
                builder.spawn(move || WorkerCx::new(shared, index, queue, parker).run(scope));
            match spawned {
                Ok(thread) => handle.shared.threads.lock().push(thread),
                Err(e) => {
                    handle.close();
                    return Err(e);
                }
            }
        }
        if handle.shared.debug.is_some() {
            let shared = handle.shared.clone();
            let watchdog = thread::Builder::new()
                .name("weft-watchdog".into())
                .spawn(move || shared.watch());
            match watchdog {
                // Joined by close with the workers (its index is past theirs).
                Ok(thread) => handle.shared.threads.lock().push(thread),
                Err(e) => {
                    handle.close();
                    return Err(e);
                }
            }
        }
        Ok(())
    }
}

/// Creates and launches a scheduler whose workers have no scope of their own (no runtime or
/// drivers current on them): [`create`] then [`Launch::launch`].
///
/// # Errors
///
/// As [`create`] and [`Launch::launch`].
pub fn start(config: Config) -> io::Result<Handle> {
    let (handle, launch) = create(config)?;
    launch.launch(|_| Scope::default())?;
    Ok(handle)
}

impl Handle {
    /// Spawns `future` as a new task (asyncio: `loop.create_task`). From a worker of this
    /// scheduler the task goes to that worker's LIFO slot; from anywhere else, to the injector.
    /// After `close` the returned handle resolves to a cancelled `JoinError`.
    #[track_caller]
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_with(future, TaskMeta::here(None))
    }

    /// Spawns `future` as a task with a name and spawn location.
    pub fn spawn_with<F>(&self, future: F, meta: TaskMeta) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (handle, notified) = self.shared.registry.bind(future, self.clone(), meta);
        if let Some(task) = notified {
            worker::schedule(&self.shared, task, Reason::Wake);
        }
        handle
    }

    /// Stops the workers, joins their threads (all but the calling one, if it is a worker), and
    /// cancels every unfinished task: each future is dropped, so its destructors run, and each
    /// `JoinHandle` resolves. Idempotent; a second caller waits for the first to finish.
    pub fn close(&self) {
        // Found through the context, not `thread::current()`, which may be gone when close
        // runs in a thread-local destructor.
        self.shared.close(worker::current_index(&self.shared));
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.shared.is_shutdown()
    }

    /// Number of worker threads.
    pub fn num_workers(&self) -> usize {
        self.shared.remotes.len()
    }

    /// Number of tasks spawned and not yet finished.
    pub fn num_live_tasks(&self) -> usize {
        self.shared.registry.len()
    }

    /// Whether two handles refer to the same scheduler.
    pub fn ptr_eq(&self, other: &Handle) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The scheduler's counters now.
    pub fn metrics(&self) -> super::SchedulerMetrics {
        self.shared.metrics()
    }

    /// A snapshot of every unfinished task (asyncio: `all_tasks()`), taken without stopping
    /// the workers.
    pub fn tasks(&self) -> Vec<crate::task::TaskSnapshot> {
        self.shared.registry.snapshot()
    }

    /// Whether every worker is parked with nothing queued (a paused clock may then jump to
    /// the next deadline).
    pub fn is_quiescent(&self) -> bool {
        self.shared.is_quiescent()
    }
}

impl Schedule for Handle {
    fn schedule(&self, task: Notified) {
        worker::schedule(&self.shared, task, Reason::Wake);
    }

    fn yield_now(&self, task: Notified) {
        worker::schedule(&self.shared, task, Reason::Yield);
    }

    fn registry(&self) -> &Registry {
        &self.shared.registry
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handle")
            .field("workers", &self.num_workers())
            .field("closed", &self.is_closed())
            .finish()
    }
}
