//! # weft
//!
//! A multi-threaded, work-stealing async runtime with the ease of Python's asyncio event loop.
//!
//! ```
//! let total = weft::run(async {
//!     let tasks: Vec<_> = (1..=10u64).map(|i| weft::spawn(async move { i * i })).collect();
//!     let mut total = 0;
//!     for task in tasks {
//!         total += task.await.unwrap();
//!     }
//!     total
//! });
//! assert_eq!(total, 385);
//! ```
//!
//! | asyncio | weft |
//! |---|---|
//! | `asyncio.run(main())` | [`run`] |
//! | `loop = asyncio.new_event_loop()` | [`Runtime::new`], [`runtime::Builder`] |
//! | `loop.run_until_complete(f)` | [`Runtime::block_on`] |
//! | `asyncio.create_task(c)` | [`spawn`], [`Runtime::spawn`], [`runtime::Handle::spawn`] |
//! | `create_task(c, name=...)` | [`task::Builder`] |
//! | `Task.cancel()` | [`task::JoinHandle::abort`] |
//! | `await asyncio.sleep(0)` | [`task::yield_now`] |
//! | `loop.close()` | [`Runtime::close`] |
//!
//! The scheduler: N workers with local queues, a LIFO slot for the task just woken, a shared
//! injector, work stealing, and an idle protocol that wakes a sleeping worker only when nobody
//! is already looking for work. See `docs/architecture.md` in the repository.

mod join;
mod join_tuple;
mod ready;
pub mod runtime;
pub mod sync;
pub mod task;

pub use join::{JoinAll, TryJoinAll, join_all, try_join_all};
pub use runtime::{Runtime, run};
pub use task::{spawn, spawn_blocking};

/// Runs `async fn main` on a new runtime, closed when it returns (asyncio:
/// `asyncio.run(main())`). Accepts `worker_threads = N`.
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

/// Runs an `async fn` test on a new runtime. Accepts `worker_threads = N`.
///
/// ```
/// #[weft::test(worker_threads = 2)]
/// async fn spawned_tasks_finish() -> Result<(), weft::task::JoinError> {
///     assert_eq!(weft::runtime::Handle::current().num_workers(), 2);
///     assert_eq!(weft::spawn(async { 1 }).await?, 1);
///     Ok(())
/// }
/// ```
pub use weft_macros::test;

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
        Elapsed, Instant, Interval, MissedTickBehavior, Sleep, Timeout, interval, sleep,
        sleep_until, timeout, timeout_at,
    };
}

/// Asynchronous I/O: `Async<T>` for any file descriptor, and the `futures-io` traits with the
/// usual extension methods (`read`, `read_exact`, `read_to_end`, `write_all`, `flush`,
/// `close`, from futures-lite).
pub mod io {
    pub use futures_io::{AsyncBufRead, AsyncRead, AsyncWrite};
    pub use futures_lite::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};
    pub use weft_io::Async;
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
pub mod net {
    pub use weft_io::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};
}

/// Thread pools for blocking work (asyncio: the executors given to `run_in_executor`).
pub mod blocking {
    pub use weft_blocking::{Builder, ThreadPool};
}

#[doc(hidden)]
pub mod __private {
    //! Used by the macros; not public API.
    pub use crate::join_tuple::{Join, JoinTuple, MaybeDone};
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    const fn send<T: Send>() {}
    send_sync::<Runtime>();
    send_sync::<runtime::Handle>();
    send_sync::<task::JoinError>();
    send::<task::JoinHandle<u8>>();
};
