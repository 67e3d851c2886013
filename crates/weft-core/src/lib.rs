//! weft-core: tasks, the work-stealing scheduler, and parking, for the `weft` runtime.
//!
//! Users name the `weft` crate, not this one. Here live:
//!
//! - [`task`]: one allocation per spawn, a state word, wakers made from the task, `JoinHandle`,
//!   `JoinError`, and the live-task registry that lets a runtime close drop every future.
//! - [`scheduler`]: N workers with local queues, a LIFO slot, a shared injector, work
//!   stealing, and the idle/search protocol.
//! - [`local`]: the one-thread scheduler of a `LocalRuntime`: tasks that need not be `Send`,
//!   run by the thread that owns it.
//! - [`driver`]: the driver vocabulary (`Park`/`Unpark`, the thread parker, the driver stack
//!   timers and I/O plug into) and the fallback thread that serves them outside a runtime.
//! - [`callback`]: `call_soon` callbacks, run in order by one runner task.
//! - [`coop`]: the cooperative budget.
//! - [`oneshot`]: a one-shot channel (asyncio's `Future` with `set_result`).
//! - [`context`]: what this thread is doing (which task, whether it drives a runtime).
//! - [`rand`]: cheap per-thread random numbers (`select!`'s branch order).
//! - [`stop`]: the signal `run_forever` waits on.
//! - [`block_on`](block_on()): drive one future on the calling thread; [`busy`]: the same,
//!   counted for a runtime whose paused clock must know when its `block_on` threads wait.
//! - [`unwind`]: how drivers and queues call user code (wakers, destructors) without letting a
//!   panic unwind into the runtime.
//!
//! Every atomic protocol here has a loom model in `loom-tests/` (build with
//! `--cfg weft_loom`; see `sync.rs`).

pub mod block_on;
pub mod busy;
pub mod callback;
pub mod context;
pub mod coop;
pub mod driver;
pub mod local;
pub mod oneshot;
pub mod rand;
pub mod scheduler;
pub mod stop;
pub mod sync;
pub mod task;
mod thread_waker;
pub mod unwind;
pub mod yield_now;

pub use block_on::block_on;
pub use yield_now::yield_now;
