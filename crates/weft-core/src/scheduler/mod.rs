//! The multi-threaded work-stealing scheduler.
//!
//! One concept per file: `queue` (local queues and the injector), `lifo` (the stealable LIFO
//! slot), `idle` (who sleeps, who searches), `park` (each worker's parker and the driver the
//! workers share), `worker` (the loop), `shared` (what workers share, scheduling, close),
//! `handle` (the public handle and `start`). `README.md` beside this file walks through the
//! protocol and why no wake-up is lost.

mod debug;
mod handle;
mod idle;
mod lifo;
mod metrics;
mod park;
mod queue;
mod shared;
mod worker;

pub use debug::{DebugConfig, SlowPoll, SlowPollHandler};
pub(crate) use debug::{PollClock, run_timed, watch};
pub use handle::{Config, Handle, Launch, create, start};
pub(crate) use metrics::WorkerCounters;
pub use metrics::{SchedulerMetrics, WorkerMetrics};
pub use worker::{GLOBAL_INTERVAL, MAX_LIFO_POLLS};

#[cfg(weft_loom)]
#[doc(hidden)]
pub mod loom_internals;

#[cfg(all(test, not(weft_loom)))]
mod queue_tests;
