//! asyncio pattern 7: Future vs Task — a future you resolve yourself, and a task that resolves
//! itself when its coroutine returns.
//!
//! ```python
//! fut = loop.create_future()          # nothing runs; someone must call set_result
//! loop.call_later(0.1, fut.set_result, 42)
//! print(await fut)
//!
//! task = asyncio.create_task(coro())  # runs on its own; its result is coro's return value
//! print(await task)
//! task.cancel()                       # a task can be cancelled; so can a future
//! ```
//!
//! weft: a `oneshot` channel is the future (the `Sender` resolves it; dropping the `Sender` is
//! `fut.cancel()`, seen as `RecvError`); `weft::spawn` makes a task, whose `JoinHandle` is the
//! awaitable, and `JoinHandle::abort` is `task.cancel()`.
//!
//! Run: `cargo run --example asyncio_07_future_vs_task`

use std::time::Duration;
use weft::sync::oneshot;

#[weft::main]
async fn main() {
    // A future: resolved by whoever holds the sender, here a callback on the loop.
    let (tx, fut) = oneshot::channel();
    let handle = weft::runtime::Handle::current();
    handle.call_later(Duration::from_millis(100), move || {
        let _ = tx.send(42);
    });
    println!("future resolved by a callback: {:?}", fut.await);

    // A future nobody will resolve: its sender is dropped (cancelled).
    let (tx, fut) = oneshot::channel::<u32>();
    drop(tx);
    println!("future whose sender was dropped: {:?}", fut.await);

    // A task: runs by itself, resolves to its return value.
    let task = weft::spawn(async {
        weft::time::sleep(Duration::from_millis(50)).await;
        "task return value"
    });
    println!("task resolved itself: {:?}", task.await);

    // A cancelled task.
    let task = weft::spawn(async {
        weft::time::sleep(Duration::from_secs(60)).await;
        "never"
    });
    task.abort();
    let err = task.await.expect_err("an aborted task has no output");
    println!("cancelled task: is_cancelled = {}", err.is_cancelled());
}
