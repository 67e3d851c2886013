//! # weft
//!
//! A multi-threaded, work-stealing async runtime with the ease of Python's asyncio event loop:
//! run, create_task, call_soon, call_later, run_in_executor, wait_for, gather, named tasks,
//! run_forever / stop / close — on every core.
//!
//! ## Quick start
//!
//! ```
//! use std::time::Duration;
//!
//! // asyncio.run(main()): a runtime is built, drives the future, and is closed.
//! let results = weft::run(async {
//!     // asyncio.create_task(...), three at once; asyncio.gather(...) in input order.
//!     let tasks = [30, 10, 20].map(|ms| {
//!         weft::spawn(async move {
//!             weft::time::sleep(Duration::from_millis(ms)).await;
//!             ms
//!         })
//!     });
//!     let results: Vec<u64> = weft::join_all(tasks)
//!         .await
//!         .into_iter()
//!         .map(|r| r.unwrap())
//!         .collect();
//!     // asyncio.wait_for(op, timeout): the operation is dropped (cancelled) on expiry.
//!     let slow = weft::time::sleep(Duration::from_secs(60));
//!     assert!(weft::time::timeout(Duration::from_millis(10), slow).await.is_err());
//!     // loop.run_in_executor(None, f): blocking work off the workers.
//!     let n = weft::spawn_blocking(|| 6 * 7).await.unwrap();
//!     assert_eq!(n, 42);
//!     results
//! });
//! assert_eq!(results, [30, 10, 20]);
//! ```
//!
//! A long-lived loop with callbacks, from synchronous code:
//!
//! ```
//! let rt = weft::Runtime::new()?;                           // loop = new_event_loop()
//! let handle = rt.handle().clone();
//! let stopper = handle.clone();
//! handle.call_later(std::time::Duration::from_millis(20), move || stopper.stop());
//! handle.call_soon(|| println!("soon"));                    // loop.call_soon(cb)
//! rt.run_forever();                                         // until stop()
//! rt.close();                                               // loop.close()
//! assert!(rt.is_closed());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! ## asyncio → weft
//!
//! | asyncio | weft |
//! |---|---|
//! | `asyncio.run(main())` | [`run`], [`macro@main`] |
//! | `loop = asyncio.new_event_loop()` | [`Runtime::new`], [`runtime::Builder`] |
//! | `asyncio.get_running_loop()` | [`runtime::Handle::current`] |
//! | `loop.run_until_complete(f)` | [`Runtime::block_on`], [`runtime::Handle::block_on`] |
//! | `loop.run_forever()` / `loop.stop()` | [`Runtime::run_forever`] / [`runtime::Handle::stop`] |
//! | `loop.is_running()` / `is_closed()` / `close()` | [`Runtime::is_running`] / [`Runtime::is_closed`] / [`Runtime::close`] |
//! | `asyncio.create_task(c)` | [`spawn`], [`Runtime::spawn`], [`runtime::Handle::spawn`] |
//! | `create_task(c, name=...)`, `current_task()` | [`task::Builder`], [`task::current`] |
//! | `Task.cancel()` | [`task::JoinHandle::abort`] |
//! | `asyncio.gather(...)` | [`join_all`], [`try_join_all`], [`join!`] |
//! | `asyncio.TaskGroup` | [`task::JoinSet`] |
//! | `await asyncio.sleep(d)` / `sleep(0)` | [`time::sleep`] / [`task::yield_now`] |
//! | `asyncio.wait_for(f, timeout)` | [`time::timeout`] |
//! | `loop.call_soon(cb)` / `call_soon_threadsafe` | [`runtime::Handle::call_soon`] |
//! | `loop.call_later(d, cb)` / `call_at` / `loop.time()` | [`runtime::Handle::call_later`] / [`runtime::Handle::call_at`] / [`runtime::Handle::time`] |
//! | `loop.create_future()` + `set_result` | [`sync::oneshot`] |
//! | `loop.run_in_executor(None, f)` / `(pool, f)` | [`spawn_blocking`] / [`blocking::ThreadPool`] |
//! | `open_connection` / `start_server` / datagrams | [`net::TcpStream`] / [`net::TcpListener`] / [`net::UdpSocket`] |
//! | `loop.add_reader(fd, cb)` | [`io::Async`] |
//!
//! `docs/asyncio.md` in the repository has the whole table and sixteen asyncio patterns side
//! by side with weft, each a runnable example (`examples/asyncio_NN_*.rs`); `cargo run
//! --release --example tour` runs through all of it in a few seconds.
//!
//! ## What to know coming from asyncio
//!
//! - Tasks run in parallel on several worker threads (work stealing), so futures given to
//!   [`spawn`] must be `Send`. Every [`runtime::Handle`] method works from any thread.
//! - Cancellation is dropping: a dropped future stops at its last `.await` and runs its
//!   destructors. [`task::JoinHandle::abort`], [`time::timeout`] and [`Runtime::close`] all
//!   cancel that way; dropping a `JoinHandle` only detaches its task.
//! - A panicking task fails its own `JoinHandle` ([`task::JoinError::is_panic`]); the runtime
//!   keeps serving. Nesting `block_on` / `run` / `run_forever` on a thread that already drives
//!   a runtime panics with a message saying what to do instead.
//!
//! The scheduler: N workers with local queues, a LIFO slot for the task just woken, a shared
//! injector, work stealing, and an idle protocol that wakes a sleeping worker only when nobody
//! is already looking for work. See `docs/architecture.md` in the repository.

#[cfg(feature = "hyper")]
pub mod hyper;
mod join;
mod join_tuple;
mod maybe_done;
mod ready;
mod receiver_stream;
pub mod runtime;
pub mod sync;
pub mod task;

pub use join::{JoinAll, TryJoinAll, join_all, try_join_all};
pub use runtime::{LocalRuntime, Runtime, run};
pub use task::{spawn, spawn_blocking};

/// Runs `async fn main` on a new runtime, closed when it returns (asyncio:
/// `asyncio.run(main())`). Accepts `worker_threads = N`, `flavor = "local"` (a
/// [`LocalRuntime`]) and `start_paused = true`.
///
/// ```
/// #[weft::main(worker_threads = 2)]
/// async fn main() -> Result<(), weft::task::JoinError> {
///     assert_eq!(weft::runtime::Handle::current().num_workers(), 2);
///     assert_eq!(weft::spawn(async { 6 * 7 }).await?, 42);
///     Ok(())
/// }
/// ```
pub use weft_macros::main;

/// Runs an `async fn` test on a new runtime. Accepts `worker_threads = N`,
/// `flavor = "local"` (a [`LocalRuntime`]: `spawn_local` for futures that are not `Send`) and
/// `start_paused = true` (virtual time: timers fire as soon as nothing else can run).
///
/// ```
/// #[weft::test(worker_threads = 2)]
/// async fn spawned_tasks_finish() -> Result<(), weft::task::JoinError> {
///     assert_eq!(weft::runtime::Handle::current().num_workers(), 2);
///     assert_eq!(weft::spawn(async { 1 }).await?, 1);
///     Ok(())
/// }
///
/// #[weft::test(flavor = "local", start_paused = true)]
/// async fn a_day_long_timeout_takes_no_time() {
///     let counter = std::rc::Rc::new(std::cell::Cell::new(0));
///     let ticker = weft::task::spawn_local({
///         let counter = counter.clone();
///         async move {
///             loop {
///                 weft::time::sleep(std::time::Duration::from_secs(3600)).await;
///                 counter.set(counter.get() + 1);
///             }
///         }
///     });
///     let day = std::time::Duration::from_secs(24 * 3600);
///     assert!(weft::time::timeout(day, std::future::pending::<()>()).await.is_err());
///     assert_eq!(counter.get(), 24);
///     ticker.abort();
/// }
/// ```
pub use weft_macros::test;

/// Waits for the first of several futures to finish, runs its branch, and drops the others
/// (asyncio: `wait(..., return_when=FIRST_COMPLETED)`, then cancel the rest).
///
/// ```
/// use std::time::Duration;
///
/// weft::run(async {
///     let (tx, rx) = weft::sync::oneshot::channel::<&str>();
///     weft::spawn(async move {
///         weft::time::sleep(Duration::from_millis(10)).await;
///         let _ = tx.send("reply");
///     });
///     let got = weft::select! {
///         Ok(reply) = rx => Some(reply),
///         _ = weft::time::sleep(Duration::from_secs(10)) => None,
///     };
///     assert_eq!(got, Some("reply"));
/// });
/// ```
///
/// Each branch is `pattern = future => handler`; a handler that is not a block is followed
/// by a comma. What it does:
///
/// - Every future is polled in turn until one is ready. The order starts at a random branch
///   each time (so no branch starves the others); start the block with `biased;` to poll top
///   to bottom instead.
/// - The first ready future whose output matches its pattern wins: the other futures are
///   dropped (cancelled), then the winning handler runs with the pattern's bindings.
/// - A future whose output does not match its pattern disables its branch, and the others go
///   on. `pattern = future, if condition => handler` starts disabled when `condition` is false
///   (the future is made but never polled).
/// - `else => expression` runs when every branch is disabled; without one, that is a panic.
/// - Handlers run outside the macro's own machinery: `?`, `return`, `break`, `continue` and
///   `.await` in them act on the surrounding code.
/// - It works on any executor (it only polls), and every future is polled in the task that
///   runs the `select!`: nothing is spawned.
///
/// ```
/// weft::run(async {
///     let mut tries = 0;
///     let result = weft::select! {
///         biased;
///         Some(n) = async { None::<u32> } => n,
///         Some(n) = async { tries += 1; Some(7) }, if tries == 0 => n,
///         else => 0,
///     };
///     assert_eq!(result, 7);
/// });
/// ```
pub use weft_macros::select;

/// Time (asyncio: `asyncio.sleep`, `wait_for`, `loop.time()`): sleeps, timeouts and intervals
/// on a 1 ms timer wheel. They work inside a weft runtime and, through a fallback driver
/// thread, under any other executor.
///
/// ```
/// use std::time::Duration;
/// weft::run(async {
///     weft::time::sleep(Duration::from_millis(1)).await;
///     let late = weft::time::timeout(Duration::from_millis(1), std::future::pending::<()>()).await;
///     assert!(late.is_err());
/// });
/// ```
pub mod time {
    pub use weft_timer::{
        Advance, Elapsed, Instant, Interval, MissedTickBehavior, Sleep, Timeout, advance, interval,
        pause, resume, sleep, sleep_until, timeout, timeout_at,
    };
}

/// Asynchronous I/O: `Async<T>` for any file descriptor, the `futures-io` traits with the
/// usual extension methods (`read`, `read_exact`, `read_to_end`, `write_all`, `flush`,
/// `close`), buffering (asyncio's `StreamReader` / `StreamWriter`), `copy` and `split`. The
/// buffers and helpers are futures-lite's, which every futures-io reader and writer works with.
///
/// ```
/// use weft::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
/// use weft::stream::StreamExt;
///
/// weft::run(async {
///     let (client, server) = weft::net::UnixStream::pair()?;
///     let writer = weft::spawn(async move {
///         let mut client = weft::io::BufWriter::new(client);
///         client.write_all(b"first line\nsecond line\n").await?;
///         client.flush().await // then dropped: the reader sees end-of-file
///     });
///     let mut lines = BufReader::new(server).lines();
///     assert_eq!(lines.next().await.transpose()?, Some("first line".to_owned()));
///     assert_eq!(lines.next().await.transpose()?, Some("second line".to_owned()));
///     assert!(lines.next().await.is_none());
///     writer.await??;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub mod io {
    pub use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};
    pub use futures_lite::io::{
        AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter, Lines, ReadHalf, Split,
        WriteHalf, copy, split,
    };
    pub use weft_io::Async;
}

/// Child processes (asyncio: `create_subprocess_exec` and its `Process`): [`process::Command`]
/// has std's builder shape; [`process::Child`] is awaited (`wait`, `output`) without blocking
/// a thread, its pipes are `AsyncRead` / `AsyncWrite`, and every child is reaped, one whose
/// `Child` was dropped too (in the background), with or without a runtime.
///
/// ```
/// use weft::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
/// use weft::process::{Command, Stdio};
/// use weft::stream::StreamExt;
///
/// weft::run(async {
///     // proc = await asyncio.create_subprocess_exec("sort", stdin=PIPE, stdout=PIPE)
///     let mut child = Command::new("sort")
///         .stdin(Stdio::piped())
///         .stdout(Stdio::piped())
///         .kill_on_drop(true)
///         .spawn()?;
///     let mut stdin = child.stdin.take().expect("piped");
///     let writer = weft::spawn(async move {
///         stdin.write_all(b"pear\napple\nfig\n").await?;
///         stdin.close().await // end-of-file for sort
///     });
///     let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
///     let mut sorted = Vec::new();
///     while let Some(line) = lines.next().await {
///         sorted.push(line?);
///     }
///     writer.await.unwrap()?;
///     assert_eq!(sorted, ["apple", "fig", "pear"]);
///     assert_eq!(child.wait().await?.code(), Some(0)); // await proc.wait()
///
///     // stdout, stderr = await proc.communicate()
///     let out = Command::new("sh").args(["-c", "echo out; echo err >&2; exit 3"]).output().await?;
///     assert_eq!((out.status.code(), &out.stdout[..], &out.stderr[..]), (Some(3), &b"out\n"[..], &b"err\n"[..]));
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub mod process {
    pub use weft_process::process::{
        Child, ChildStderr, ChildStdin, ChildStdout, Command, ExitStatus, Output, Stdio,
    };
    #[doc(hidden)]
    pub use weft_process::process::{force_sigchld_reaping, orphans_pending, reaps_with_pidfd};
}

/// Signals (asyncio: `loop.add_signal_handler`): `ctrl_c()`, and `unix::signal(kind)` for
/// any catchable signal; every listener sees each delivery. For a callback per delivery, see
/// [`runtime::Handle::add_signal_handler`].
///
/// ```no_run
/// use weft::signal::unix::{SignalKind, signal};
///
/// #[weft::main]
/// async fn main() -> std::io::Result<()> {
///     let mut hangup = signal(SignalKind::hangup())?;
///     loop {
///         weft::select! {
///             _ = hangup.recv() => println!("reloading the configuration"),
///             _ = weft::signal::ctrl_c() => break,
///         }
///     }
///     Ok(())
/// }
/// ```
pub mod signal {
    pub use weft_process::signal::{ctrl_c, unix};
}

/// Streams (asynchronous iterators): the `Stream` trait (futures-core's, which the ecosystem
/// shares) and `StreamExt` (futures-lite's: `next`, `map`, `filter`, `take`, `collect`, ...).
/// [`time::Interval`], [`io::Lines`] and [`net::TcpListener::incoming`] are streams, and
/// [`stream::ReceiverStream`] makes an mpsc receiver one.
///
/// ```
/// use std::time::Duration;
/// use weft::stream::StreamExt;
///
/// weft::run(async {
///     let ticks: Vec<_> = weft::time::interval(Duration::from_millis(1)).take(3).collect().await;
///     assert_eq!(ticks.len(), 3);
///     let doubled: Vec<u32> = weft::stream::iter([1, 2, 3]).map(|x| x * 2).collect().await;
///     assert_eq!(doubled, [2, 4, 6]);
/// });
/// ```
pub mod stream {
    pub use crate::receiver_stream::{ReceiverStream, UnboundedReceiverStream};
    pub use futures_core::Stream;
    pub use futures_lite::stream::{StreamExt, empty, iter, once, pending, poll_fn, repeat};
}

/// Networking (asyncio: `open_connection`, `start_server`, datagram endpoints): TCP, UDP and
/// Unix-domain sockets. They work inside a weft runtime and, through the fallback driver
/// thread (the one the timers use), under any other executor.
///
/// ```
/// use weft::io::{AsyncReadExt, AsyncWriteExt};
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
///     let addr = listener.local_addr()?;
///     let server = weft::spawn(async move {
///         let (mut stream, _) = listener.accept().await?;
///         let mut buf = [0; 5];
///         stream.read_exact(&mut buf).await?;
///         stream.write_all(&buf).await?;
///         Ok::<_, std::io::Error>(())
///     });
///     let mut client = weft::net::TcpStream::connect(addr).await?;
///     client.write_all(b"hello").await?;
///     let mut echo = [0; 5];
///     client.read_exact(&mut echo).await?;
///     assert_eq!(&echo, b"hello");
///     server.await.unwrap()
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Host names work wherever an address does (`"localhost:8080"`, `("db.internal", 5432)`):
/// they are looked up on the runtime's blocking pool, never on a worker ([`net::lookup_host`],
/// [`net::ToSocketAddrs`]).
pub mod net {
    pub use weft_io::net::{
        LookupHost, Resolve, TcpListener, TcpStream, ToSocketAddrs, UdpSocket, UnixListener,
        UnixStream, lookup_host, split, tcp, unix,
    };
}

/// Thread pools for blocking work (asyncio: the executors given to `run_in_executor`).
pub mod blocking {
    pub use weft_blocking::{Builder, ThreadPool};
}

#[doc(hidden)]
pub mod __private {
    //! Used by the macros; not public API.
    pub use crate::join_tuple::{Join, JoinTuple};
    pub use crate::maybe_done::MaybeDone;
    pub use std::future::poll_fn;

    /// Where `select!` starts polling: a random branch of `n`, so no branch is always first.
    pub fn select_start(n: usize) -> usize {
        let n = u32::try_from(n).unwrap_or(u32::MAX);
        weft_core::rand::below(n) as usize
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Runtime>();
    send_sync::<runtime::Handle>();
    send_sync::<task::JoinError>();
    send::<task::JoinHandle<u8>>();
};
