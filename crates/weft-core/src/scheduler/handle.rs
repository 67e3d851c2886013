//! `Handle`: a cloneable reference to a running scheduler; `Config` and `start` build one.

use super::park::{Park, Parker, SharedDriver};
use super::queue::LocalQueue;
use super::shared::{Hooks, Reason, Remote, Shared};
use super::worker::WorkerCx;
use crate::sync::{Arc, AtomicU32, thread};
// Closures in the config are shared with std's Arc even under loom: they are no protocol.
use crate::task::{JoinHandle, Notified, Registry, Schedule, TaskName};
use crossbeam_utils::CachePadded;
use std::fmt;
use std::future::Future;
use std::io;
use std::sync::Arc as StdArc;

/// How to build a scheduler.
pub struct Config {
    /// Number of worker threads (at least one).
    pub workers: usize,
    /// Name of worker thread `i`.
    pub thread_name: StdArc<dyn Fn(usize) -> String + Send + Sync>,
    /// Stack size of the worker threads, or the platform default.
    pub stack_size: Option<usize>,
    /// Run on each worker thread as it starts.
    pub on_thread_start: Option<StdArc<dyn Fn() + Send + Sync>>,
    /// Run on each worker thread as it stops.
    pub on_thread_stop: Option<StdArc<dyn Fn() + Send + Sync>>,
    /// The driver idle workers park in (timers, I/O); `None`: workers sleep on condvars.
    pub driver: Option<Box<dyn Park>>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            workers: 1,
            thread_name: StdArc::new(|i| format!("weft-worker-{i}")),
            stack_size: None,
            on_thread_start: None,
            on_thread_stop: None,
            driver: None,
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

/// A reference to a running work-stealing scheduler: spawn onto it, close it.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

/// Starts a scheduler: spawns `config.workers` worker threads.
///
/// # Errors
///
/// `InvalidInput` when `workers` is zero; the OS error when a thread cannot be spawned (the
/// workers already started are stopped and joined first).
pub fn start(config: Config) -> io::Result<Handle> {
    if config.workers == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "a runtime needs at least one worker thread (worker_threads(0) was given)",
        ));
    }
    let driver = config.driver.map(|d| Arc::new(SharedDriver::new(d)));
    let mut queues = Vec::with_capacity(config.workers);
    let mut parkers = Vec::with_capacity(config.workers);
    let mut remotes = Vec::with_capacity(config.workers);
    for _ in 0..config.workers {
        let queue = LocalQueue::new();
        let parker = Parker::new(driver.clone());
        remotes.push(CachePadded::new(Remote {
            stealer: queue.stealer(),
            lifo: super::lifo::LifoSlot::new(),
            ticks: AtomicU32::new(0),
            unparker: parker.unparker(),
        }));
        queues.push(queue);
        parkers.push(parker);
    }
    let hooks = Hooks {
        on_thread_start: config.on_thread_start,
        on_thread_stop: config.on_thread_stop,
    };
    let shared = Arc::new(Shared::new(remotes.into_boxed_slice(), hooks));
    let handle = Handle { shared };
    for (index, (queue, parker)) in queues.into_iter().zip(parkers).enumerate() {
        let shared = handle.shared.clone();
        let mut builder = thread::Builder::new().name((config.thread_name)(index));
        if let Some(size) = config.stack_size {
            builder = builder.stack_size(size);
        }
        let spawned = builder.spawn(move || WorkerCx::new(shared, index, queue, parker).run());
        match spawned {
            Ok(thread) => handle
                .shared
                .threads
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(thread),
            Err(e) => {
                handle.close();
                return Err(e);
            }
        }
    }
    Ok(handle)
}

impl Handle {
    /// Spawns `future` as a new task (asyncio: `loop.create_task`). From a worker of this
    /// scheduler the task goes to that worker's LIFO slot; from anywhere else, to the injector.
    /// After `close` the returned handle resolves to a cancelled `JoinError`.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.spawn_named(future, None)
    }

    /// Spawns `future` as a task with an optional name.
    pub fn spawn_named<F>(&self, future: F, name: Option<TaskName>) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (handle, notified) = self.shared.registry.bind(future, self.clone(), name);
        if let Some(task) = notified {
            self.shared.schedule(task, Reason::Wake);
        }
        handle
    }

    /// Stops the workers, joins their threads (all but the calling one, if it is a worker), and
    /// cancels every unfinished task: each future is dropped, so its destructors run, and each
    /// `JoinHandle` resolves. Idempotent; a second caller waits for the first to finish.
    pub fn close(&self) {
        self.shared.close();
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
}

impl Schedule for Handle {
    fn schedule(&self, task: Notified) {
        self.shared.schedule(task, Reason::Wake);
    }

    fn yield_now(&self, task: Notified) {
        self.shared.schedule(task, Reason::Yield);
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
