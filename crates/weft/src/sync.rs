//! Synchronization between tasks and threads (asyncio's `Future`, `Queue`, `Lock`, `Event`,
//! `Condition`, `Semaphore`, `Barrier`).
//!
//! Every type here works without a runtime too: under other executors, and (the `blocking_*`
//! methods) from plain threads. Waiters are served in the order they started waiting, and a
//! dropped waiting future loses nothing: what it was about to get goes to the next waiter.

pub use weft_sync::{
    AcquireError, Barrier, BarrierWaitResult, Condition, Event, GetError, LifoQueue, Mutex,
    MutexGuard, Notified, Notify, OwnedMutexGuard, OwnedSemaphorePermit, PriorityQueue, PutError,
    Queue, QueueShutDown, RwLock, RwLockReadGuard, RwLockWriteGuard, Semaphore, SemaphorePermit,
    TryAcquireError, TryLockError,
};

pub use weft_sync::mpsc;
pub use weft_sync::{broadcast, watch};

/// A one-shot channel: asyncio's `Future` that someone resolves with `set_result`.
///
/// ```
/// weft::run(async {
///     let (tx, rx) = weft::sync::oneshot::channel();
///     weft::spawn(async move {
///         tx.send("result").unwrap(); // future.set_result("result")
///     });
///     assert_eq!(rx.await.unwrap(), "result");
/// });
/// ```
///
/// The `Sender` works from tasks, callbacks and plain threads. Dropping it without sending makes
/// the receiver resolve to [`RecvError`](oneshot::RecvError) (the future was cancelled).
pub mod oneshot {
    pub use weft_core::oneshot::{Receiver, RecvError, Sender, TryRecvError, channel};
}
