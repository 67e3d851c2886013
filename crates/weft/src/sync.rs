//! Synchronization between tasks and threads.

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
