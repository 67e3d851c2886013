//! The one-thread scheduler behind `weft::LocalRuntime` (asyncio's event loop: one thread runs
//! every task, callback and I/O wake-up, so tasks need not be `Send`).
//!
//! The same task cell, `JoinHandle` and driver stack as the work-stealing scheduler, run by the
//! one thread that owns the [`Core`]:
//!
//! - `core`: what only the loop's thread touches: its run queue (a plain `VecDeque`), its
//!   driver stack, the loop itself (`block_on`).
//! - `shared`: what other threads touch: the remote queue (wakes and spawns from other
//!   threads), the flag that says the loop sleeps, the registry.
//! - `handle`: the `Send + Sync` [`Handle`] other threads spawn through; the `Schedule` impl
//!   of every task of this scheduler.
//!
//! # Invariants
//!
//! - Only the loop's thread polls or drops a task's future. A waker of a task may fire on any
//!   thread: on the loop's thread, while the loop runs, it queues the task locally; anywhere
//!   else it puts the task in the remote queue, which only the loop's thread empties. The
//!   registry is closed only by [`Core::close`], on that thread (a `Core` is `!Send`). This
//!   is what makes [`Core::spawn_local`]'s `bind_local` sound for futures that are not `Send`.
//! - No wake-up is lost: the loop decides to sleep under the remote queue's lock (the queue is
//!   empty and the main future not woken: it sets `sleeping`), and every remote push and
//!   every wake of the main future takes that lock after making its change, unparking the
//!   driver when it finds `sleeping` set. The driver keeps an unpark that comes before its
//!   park. Modelled in `loom-tests/tests/local.rs`.

mod core;
mod handle;
mod shared;

pub use self::core::{Core, spawn_local};
pub use handle::Handle;

#[cfg(weft_loom)]
#[doc(hidden)]
pub use shared::loom_internals;
