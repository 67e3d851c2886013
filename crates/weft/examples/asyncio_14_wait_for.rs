//! asyncio pattern 14: cancellation and timeout — `wait_for(op, timeout=5)` on a 10 s
//! operation: the operation's cleanup runs on cancel, and the caller sees the timeout.
//!
//! ```python
//! async def operation():
//!     try:
//!         await asyncio.sleep(10)
//!     except asyncio.CancelledError:
//!         print("operation: cancelled, cleaning up")
//!         raise
//!
//! try:
//!     await asyncio.wait_for(operation(), timeout=5)
//! except asyncio.TimeoutError:
//!     print("caller: timed out")
//! ```
//!
//! weft: `weft::time::timeout(d, fut)` is wait_for. On expiry the inner future is dropped,
//! which is Rust's cancellation: its destructors (the `finally` / `except CancelledError`
//! part) run before the caller sees `Err(Elapsed)`. A spawned task is not cancelled by
//! dropping its `JoinHandle` (that detaches it); `JoinHandle::abort` is `task.cancel()`, so
//! wait_for on a task is `timeout` on the handle plus `abort` on expiry, shown second.
//!
//! Run: `cargo run --example asyncio_14_wait_for` (it takes 5 s: the timeout is real).

use std::time::Duration;

/// Runs its cleanup when dropped: on completion and on cancellation alike.
struct Cleanup(&'static str);

impl Drop for Cleanup {
    fn drop(&mut self) {
        println!("{}: cleanup ran", self.0);
    }
}

async fn operation(name: &'static str, seconds: u64) -> &'static str {
    let _cleanup = Cleanup(name);
    println!("{name}: started, needs {seconds} s");
    weft::time::sleep(Duration::from_secs(seconds)).await;
    println!("{name}: finished (never printed when cancelled)");
    "result"
}

#[weft::main]
async fn main() {
    let start = weft::time::Instant::now();
    match weft::time::timeout(Duration::from_secs(5), operation("operation", 10)).await {
        Ok(v) => println!("caller: got {v}"),
        Err(elapsed) => println!(
            "caller: {elapsed} after {:.1} s; the operation was cancelled",
            start.elapsed().as_secs_f64()
        ),
    }

    // The same with a task: wait on its handle, cancel it on timeout.
    let mut task = weft::spawn(operation("task", 10));
    if weft::time::timeout(Duration::from_millis(200), &mut task)
        .await
        .is_err()
    {
        task.abort();
        let err = task.await.expect_err("aborted");
        println!(
            "caller: the task timed out and was cancelled (is_cancelled = {})",
            err.is_cancelled()
        );
    }
}
