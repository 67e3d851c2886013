//! weft-sync: synchronization between tasks and threads for the `weft` runtime.
//!
//! Users name these as `weft::sync::...`. Every type here works without a runtime: inside any
//! weft runtime, under another executor, and (the `blocking_*` methods) from plain threads.
//!
//! | type | asyncio | what |
//! |---|---|---|
//! | [`Semaphore`] | `Semaphore` | a pool of permits; fair, with requests for many at once |
//! | [`Mutex`] | `Lock` | a lock whose guard can be held across `.await` |
//! | [`RwLock`] | | many readers or one writer; a waiting writer makes later readers wait |
//! | [`Notify`] | | wake one waiter (or store one wake-up), or wake every current waiter |
//! | [`Event`] | `Event` | a flag that tasks wait to see set |
//! | [`Condition`] | `Condition` | a condition variable used with [`Mutex`] |
//! | [`Barrier`] | `Barrier` | groups of `n` tasks wait for each other |
//! | [`watch`] | | one value, receivers told when it changes |
//! | [`broadcast`] | | every receiver sees every value (a bounded ring; laggers are told) |
//! | [`mpsc::channel`], [`mpsc::unbounded_channel`] | `Queue` (one consumer) | many senders, one receiver; bounded (a send waits for room) or not |
//! | [`Queue`], [`LifoQueue`], [`PriorityQueue`] | `Queue`, `LifoQueue`, `PriorityQueue` | producers and consumers, with `task_done` / `join` / `shutdown` |
//!
//! # Fairness and cancellation
//!
//! Waiters are served in the order they started waiting. Dropping a future that waits (a
//! cancelled task, a lost race in `select`) removes its place in line and loses nothing: a
//! permit or notification it was about to get goes to the next waiter.
//!
//! # How it is built
//!
//! One intrusive waiter list (no allocation per wait) under a small lock; `Semaphore`,
//! `Mutex`, `RwLock` and the bounded channel's slots are permits of one batch semaphore on it.
//! The channels' values go through a lock-free list of blocks, and the receiver's waker through
//! an `AtomicWaker`. The protocols, and why no permit, value or wake-up is lost, are in
//! `README.md` beside this file; the loom models in `loom-tests/tests/sync_*.rs` check them.

mod atomic_waker;
mod barrier;
mod batch;
mod blocking;
pub mod broadcast;
mod condition;
mod event;
mod list;
pub mod mpsc;
mod mutex;
mod notify;
mod queue;
mod rwlock;
mod semaphore;
pub mod watch;
use weft_core::sync;
mod wake_list;

pub use barrier::{Barrier, BarrierWaitResult};
pub use condition::Condition;
pub use event::Event;
pub use mutex::{Mutex, MutexGuard, OwnedMutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use queue::{GetError, LifoQueue, PriorityQueue, PutError, Queue, QueueShutDown};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use semaphore::{
    AcquireError, OwnedSemaphorePermit, Semaphore, SemaphorePermit, TryAcquireError,
};
