//! asyncio pattern 4: turning a callback-based API into an awaitable (the callback sets a
//! Future's result).
//!
//! ```python
//! def legacy_fetch(key, callback):          # calls back later, from another thread
//!     threading.Timer(0.1, callback, args=(f"value of {key}",)).start()
//!
//! async def fetch(key):
//!     loop = asyncio.get_running_loop()
//!     fut = loop.create_future()
//!     legacy_fetch(key, lambda v: loop.call_soon_threadsafe(fut.set_result, v))
//!     return await fut
//! ```
//!
//! In weft the future is a `oneshot` channel, and its `Sender` may be used from any thread,
//! so the callback sets the result directly (no `call_soon_threadsafe` hop is needed). If the
//! callback is dropped without being called, the awaiting side gets `RecvError` instead of
//! waiting forever.
//!
//! Run: `cargo run --example asyncio_04_callback_to_awaitable`

use std::time::Duration;
use weft::sync::oneshot;

/// A callback-style API, as a C library or an older crate would offer: it answers later, on
/// a thread of its own.
fn legacy_fetch(key: &str, callback: impl FnOnce(Result<String, String>) + Send + 'static) {
    let key = key.to_owned();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        if key.is_empty() {
            callback(Err("empty key".to_owned()));
        } else {
            callback(Ok(format!("value of {key}")));
        }
    });
}

/// The awaitable form.
async fn fetch(key: &str) -> Result<String, String> {
    let (set_result, fut) = oneshot::channel();
    legacy_fetch(key, move |result| {
        let _ = set_result.send(result);
    });
    fut.await
        .map_err(|_| "the callback was dropped uncalled".to_owned())?
}

#[weft::main]
async fn main() {
    println!("fetch(\"user:1\") = {:?}", fetch("user:1").await);
    println!("fetch(\"\") = {:?}", fetch("").await);
    // Several at once: each callback resolves its own future.
    let all =
        weft::join_all(["a", "b", "c"].map(|k| weft::spawn(async move { fetch(k).await }))).await;
    let values: Vec<String> = all.into_iter().map(|r| r.unwrap().unwrap()).collect();
    println!("three at once: {values:?}");
}
