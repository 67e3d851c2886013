//! asyncio pattern 2: a low-level Future whose result another task sets later, compared with
//! the plain async/await way.
//!
//! ```python
//! async def set_after(fut, delay, value):
//!     await asyncio.sleep(delay)
//!     fut.set_result(value)
//!
//! async def main():
//!     loop = asyncio.get_running_loop()
//!     fut = loop.create_future()
//!     loop.create_task(set_after(fut, 0.2, "... world"))
//!     print("hello ...")
//!     print(await fut)
//! ```
//!
//! In weft the low-level Future is a `oneshot` channel: the `Sender` is the write end
//! (`send` = `set_result`), the `Receiver` the awaitable end. Without the ceremony, the task's
//! own `JoinHandle` carries its result.
//!
//! Run: `cargo run --example asyncio_02_future_set_later`

use std::time::Duration;
use weft::sync::oneshot;

async fn set_after(fut: oneshot::Sender<&'static str>, delay: Duration, value: &'static str) {
    weft::time::sleep(delay).await;
    // set_result: fails only if nobody awaits the future any more.
    let _ = fut.send(value);
}

#[weft::main]
async fn main() {
    let start = weft::time::Instant::now();
    // The low-level way: a future, resolved by another task.
    let (set, fut) = oneshot::channel();
    weft::spawn(set_after(set, Duration::from_millis(200), "... world"));
    println!("hello ...");
    let value = fut.await.expect("the setter never drops without setting");
    println!(
        "future result: {value} (after {} ms)",
        start.elapsed().as_millis()
    );

    // The plain way: the task itself is the future of its result.
    let task = weft::spawn(async {
        weft::time::sleep(Duration::from_millis(200)).await;
        "... world"
    });
    println!("hello ...");
    println!("task result: {}", task.await.expect("the task completes"));
}
