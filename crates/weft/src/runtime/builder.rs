//! `Builder`: configure and build a `Runtime`.

use super::handle::{Handle, HandleInner};
use super::scheduler::Scheduler;
use super::{LocalRuntime, Runtime};
use std::fmt;
use std::io;
use std::sync::Arc;
use weft_core::callback::PanicHandler;

/// Configures a [`Runtime`].
///
/// ```
/// let rt = weft::runtime::Builder::new()
///     .worker_threads(2)
///     .thread_name("my-app-worker")
///     .build()?;
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Misconfiguration is an error from [`Builder::build`] of kind `InvalidInput`, never a panic.
#[derive(Clone)]
pub struct Builder {
    worker_threads: Option<usize>,
    thread_name: String,
    thread_stack_size: Option<usize>,
    /// The blocking pool's settings (its defaults are the runtime's).
    blocking: weft_blocking::Builder,
    on_callback_panic: Option<PanicHandler>,
    start_paused: bool,
    inspect: bool,
    slow_poll_threshold: Option<std::time::Duration>,
    on_slow_poll: Option<weft_core::scheduler::SlowPollHandler>,
}

impl Default for Builder {
    fn default() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// A builder with the defaults: one worker per available core, threads named
    /// `weft-worker-N`.
    pub fn new() -> Builder {
        Builder {
            worker_threads: None,
            thread_name: "weft-worker".to_owned(),
            thread_stack_size: None,
            blocking: weft_blocking::Builder::new(),
            on_callback_panic: None,
            start_paused: false,
            inspect: false,
            slow_poll_threshold: None,
            on_slow_poll: None,
        }
    }

    /// The number of worker threads. Zero makes `build` fail with `InvalidInput`.
    pub fn worker_threads(&mut self, n: usize) -> &mut Builder {
        self.worker_threads = Some(n);
        self
    }

    /// The name prefix of the worker threads; worker `i` is named `{name}-{i}`.
    pub fn thread_name(&mut self, name: impl Into<String>) -> &mut Builder {
        self.thread_name = name.into();
        self
    }

    /// The stack size of the worker threads. Zero makes `build` fail with `InvalidInput`.
    pub fn thread_stack_size(&mut self, bytes: usize) -> &mut Builder {
        self.thread_stack_size = Some(bytes);
        self
    }

    /// At most `n` blocking jobs (`spawn_blocking`) run at once; the rest wait in a queue.
    /// Default 512. Zero makes `build` fail with `InvalidInput`.
    pub fn max_blocking_threads(&mut self, n: usize) -> &mut Builder {
        self.blocking.max_threads(n);
        self
    }

    /// How long a blocking thread waits idle before it exits. Default 10 s.
    pub fn thread_keep_alive(&mut self, d: std::time::Duration) -> &mut Builder {
        self.blocking.keep_alive(d);
        self
    }

    /// Receives the payload of every callback (`call_soon`) that panics (asyncio: the loop's
    /// exception handler). Without one, a line is printed on stderr. Either way the runtime
    /// keeps running.
    pub fn on_callback_panic<F>(&mut self, handler: F) -> &mut Builder
    where
        F: Fn(Box<dyn std::any::Any + Send>) + Send + Sync + 'static,
    {
        self.on_callback_panic = Some(Arc::new(handler));
        self
    }

    /// Turns debug mode on (asyncio: `loop.set_debug(True)`): every task poll longer than
    /// `threshold` is reported (to [`Builder::on_slow_poll`], or a line on stderr naming the
    /// task, or its id when unnamed, its spawn location and the duration), and a worker stuck
    /// inside one poll longer than `threshold` is reported while it is still stuck. The
    /// environment variable `WEFT_DEBUG=1` turns it on with 100 ms (asyncio's
    /// `slow_callback_duration`). Off unless asked for: it times every poll. For
    /// [`build`](Builder::build) and [`build_local`](Builder::build_local) alike (a
    /// `LocalRuntime`'s one thread is its worker); both start a watchdog thread, joined at
    /// close.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    ///
    /// let slow = Arc::new(Mutex::new(Vec::new()));
    /// let seen = slow.clone();
    /// let rt = weft::runtime::Builder::new()
    ///     .worker_threads(1)
    ///     .slow_poll_threshold(Duration::from_millis(20))
    ///     .on_slow_poll(move |poll| seen.lock().unwrap().push(poll.name().map(String::from)))
    ///     .build()?;
    /// rt.block_on(async {
    ///     weft::task::Builder::new()
    ///         .name("blocks")
    ///         .spawn(async { std::thread::sleep(Duration::from_millis(50)) }) // don't do this
    ///         .await
    ///         .unwrap();
    /// });
    /// assert!(slow.lock().unwrap().contains(&Some("blocks".to_owned())));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn slow_poll_threshold(&mut self, threshold: std::time::Duration) -> &mut Builder {
        self.slow_poll_threshold = Some(threshold);
        self
    }

    /// Receives each slow poll in debug mode (see [`Builder::slow_poll_threshold`]); setting
    /// a handler alone turns debug mode on with the default 100 ms. A handler that panics is
    /// caught; the runtime keeps running.
    pub fn on_slow_poll<F>(&mut self, handler: F) -> &mut Builder
    where
        F: Fn(&super::SlowPoll) + Send + Sync + 'static,
    {
        self.on_slow_poll = Some(Arc::new(handler));
        self
    }

    /// Debug mode's settings: asked for by the builder or by `WEFT_DEBUG=1`.
    fn debug_config(&self) -> Option<weft_core::scheduler::DebugConfig> {
        let from_env = std::env::var_os("WEFT_DEBUG").is_some_and(|v| v != "0" && !v.is_empty());
        let threshold = match (self.slow_poll_threshold, &self.on_slow_poll, from_env) {
            (Some(t), _, _) => t,
            (None, Some(_), _) | (None, None, true) => DEFAULT_SLOW_POLL,
            (None, None, false) => return None,
        };
        Some(weft_core::scheduler::DebugConfig::new(
            threshold,
            self.on_slow_poll.clone(),
        ))
    }

    /// Starts the runtime with its clock paused (virtual time, for tests; see
    /// `weft::time::pause`): timers fire only when the clock is advanced, by
    /// `weft::time::advance` or automatically once the runtime has nothing else to do, so a
    /// test of an hour-long timeout runs in milliseconds.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let rt = weft::runtime::Builder::new().start_paused(true).build()?;
    /// let start = rt.handle().time();
    /// rt.block_on(weft::time::sleep(Duration::from_secs(3600)));
    /// assert!(rt.handle().time() - start >= Duration::from_secs(3600));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_paused(&mut self, paused: bool) -> &mut Builder {
        self.start_paused = paused;
        self
    }

    /// Serves the runtime's task table and metrics to `weft-ps PID` (Python: `python -m asyncio
    /// ps PID`) over a Unix socket that only this process's user can open: mode 0600, in
    /// `$XDG_RUNTIME_DIR/weft` or `/tmp/weft-<uid>` (mode 0700, checked), named `<pid>.sock`
    /// (`<pid>-<n>.sock` for a process's next inspected runtimes); connections from other
    /// users are refused. Served by one small thread, stopped (and the socket removed) when
    /// the runtime closes; while it runs, polls are timed so busy times show. The environment
    /// variable `WEFT_INSPECT=1` turns it on too; without either, nothing is opened.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new().inspect(true).build()?;
    /// println!("weft-ps {}  # serves {:?}", std::process::id(), rt.handle().inspection_socket());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// `build` fails with `PermissionDenied` when the socket's directory exists but is not a
    /// directory of this user's with mode 0700 (or is a symlink).
    pub fn inspect(&mut self, on: bool) -> &mut Builder {
        self.inspect = on;
        self
    }

    /// Starts the worker threads and returns the runtime.
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a zero worker count or stack size; the OS error when a worker thread
    /// cannot be started (threads already started are stopped first).
    pub fn build(&self) -> io::Result<Runtime> {
        let workers = match self.worker_threads {
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let (driver, timer, reactor) = driver_stack(workers + 1)?;
        let prefix = self.thread_name.clone();
        let config = weft_core::scheduler::Config {
            workers,
            thread_name: Arc::new(move |i| format!("{prefix}-{i}")),
            stack_size: self.thread_stack_size,
            driver: Some(Box::new(driver)),
            debug: self.debug_config(),
        };
        // Create, then launch: the whole runtime exists before any worker runs, and each worker
        // starts with its scope (this runtime, a timer wheel of its own, the reactor). The
        // scheduler and the pool check their own settings (zero workers, zero stack, zero
        // blocking threads are `InvalidInput`) before any thread starts.
        let (scheduler, launch) = weft_core::scheduler::create(config)?;
        let blocking = self.blocking_pool()?;
        let inner = Arc::new(HandleInner::new(
            Scheduler::Workers(scheduler),
            blocking,
            timer.clone(),
            reactor,
            self.on_callback_panic.clone(),
        ));
        inner.install_quiescence();
        if self.start_paused {
            timer.pause();
        }
        // Timing is on before the workers start: a worker reads it when it starts and then only
        // every maintenance tick, so one that went straight into a long first poll would not
        // show it as "polling now".
        let timing = super::inspect::asked(self.inspect).then(weft_core::task::enable_timing);
        launch.launch(|_| inner.scope(Arc::new(timer.for_worker())))?;
        let rt = Runtime::from_handle(Handle { inner });
        if let Some(timing) = timing {
            super::inspect::start(rt.handle(), timing)?;
        }
        Ok(rt)
    }

    /// Builds a [`LocalRuntime`]: one thread (the one that calls its `block_on` or
    /// `run_forever`) runs every task. The worker settings (`worker_threads`, `thread_name`,
    /// `thread_stack_size`) do not apply, since it starts no worker; the blocking pool's and
    /// `on_callback_panic` do.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new().max_blocking_threads(4).build_local()?;
    /// let shared = std::rc::Rc::new(std::cell::Cell::new(1));
    /// let task = rt.spawn_local({
    ///     let shared = shared.clone();
    ///     async move { shared.set(shared.get() + 1) }
    /// });
    /// rt.block_on(task).unwrap();
    /// assert_eq!(shared.get(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` for a zero blocking thread count; the OS error when the reactor cannot
    /// be made.
    pub fn build_local(&self) -> io::Result<LocalRuntime> {
        let (driver, timer, reactor) = driver_stack(1)?;
        let core = weft_core::local::Core::new(Box::new(driver), self.debug_config())?;
        let blocking = self.blocking_pool()?;
        let inner = Arc::new(HandleInner::new(
            Scheduler::Local(core.handle().clone()),
            blocking,
            timer.clone(),
            reactor,
            self.on_callback_panic.clone(),
        ));
        inner.install_quiescence();
        if self.start_paused {
            timer.pause();
        }
        let timing = super::inspect::asked(self.inspect).then(weft_core::task::enable_timing);
        let rt = LocalRuntime::new_with(Handle { inner }, core);
        if let Some(timing) = timing {
            super::inspect::start(rt.handle(), timing)?;
        }
        Ok(rt)
    }

    fn blocking_pool(&self) -> io::Result<weft_blocking::ThreadPool> {
        let mut pool = self.blocking.clone();
        pool.thread_name(format!("{}-blocking", self.thread_name));
        if let Some(size) = self.thread_stack_size {
            pool.stack_size(size);
        }
        pool.build()
    }
}

/// The driver stack a runtime parks in (the timer wheels over the reactor), the handle of its
/// timers, and its reactor.
fn driver_stack(
    wheels: usize,
) -> io::Result<(
    weft_core::driver::Stack,
    weft_timer::TimerHandle,
    Arc<weft_io::Reactor>,
)> {
    let reactor = weft_io::Reactor::new()?;
    let mut driver =
        weft_core::driver::Stack::new(Box::new(weft_io::IoDriver::new(reactor.clone())));
    let (timers, timer) = weft_timer::TimerDriver::new(driver.unparker(), wheels);
    driver.push(Box::new(timers));
    Ok((driver, timer, reactor))
}

/// Debug mode's threshold when none is given (asyncio's `slow_callback_duration`).
const DEFAULT_SLOW_POLL: std::time::Duration = std::time::Duration::from_millis(100);

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("worker_threads", &self.worker_threads)
            .field("thread_name", &self.thread_name)
            .field("thread_stack_size", &self.thread_stack_size)
            .field("blocking", &self.blocking)
            .field("start_paused", &self.start_paused)
            .field("inspect", &self.inspect)
            .field("slow_poll_threshold", &self.slow_poll_threshold)
            .finish()
    }
}
