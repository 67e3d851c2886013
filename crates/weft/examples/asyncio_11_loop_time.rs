//! asyncio pattern 11: `loop.time()` — measuring an interval on the loop's own clock.
//!
//! ```python
//! loop = asyncio.get_running_loop()
//! start = loop.time()
//! await asyncio.sleep(0.25)
//! print(f"slept {loop.time() - start:.3f} s")
//! ```
//!
//! weft: `Handle::time()` returns a `weft::time::Instant`, the monotonic clock timers use
//! (`weft::time::Instant::now()` reads the same clock). Deadlines for `sleep_until`,
//! `timeout_at` and `call_at` are instants on it.
//!
//! Run: `cargo run --example asyncio_11_loop_time`

use std::time::Duration;

#[weft::main]
async fn main() {
    let handle = weft::runtime::Handle::current();
    let start = handle.time();
    weft::time::sleep(Duration::from_millis(250)).await;
    let slept = handle.time().duration_since(start);
    println!("slept {:.3} s on the loop's clock", slept.as_secs_f64());
    println!(
        "at least the 250 ms asked for: {}",
        slept >= Duration::from_millis(250)
    );

    // A deadline on the same clock: call_at and sleep_until take instants.
    let deadline = handle.time() + Duration::from_millis(100);
    weft::time::sleep_until(deadline).await;
    println!(
        "woke at or after the deadline: {}",
        handle.time() >= deadline
    );
}
