//! asyncio pattern 12: `create_task` inside async code, and several tasks at once with
//! `gather` — A takes 2 s, B 1 s, C 3 s: about 3 s in all, and the results in order.
//!
//! ```python
//! async def job(name, seconds):
//!     await asyncio.sleep(seconds)
//!     return f"{name} done after {seconds} s"
//!
//! async def main():
//!     start = time.monotonic()
//!     a = asyncio.create_task(job("A", 2))
//!     b = asyncio.create_task(job("B", 1))
//!     c = asyncio.create_task(job("C", 3))
//!     print(await asyncio.gather(a, b, c))
//!     print(f"total {time.monotonic() - start:.1f} s")
//! ```
//!
//! weft: `weft::spawn` is create_task (the task starts at once, on a worker);
//! `weft::join_all` is gather (results in input order; with `JoinHandle`s each result is a
//! `Result`, as with return_exceptions=True); `weft::join!` awaits a fixed set of futures
//! without spawning.
//!
//! Run: `cargo run --example asyncio_12_gather`

use std::time::Duration;

async fn job(name: &'static str, seconds: u64) -> String {
    weft::time::sleep(Duration::from_secs(seconds)).await;
    println!("  {name} finished");
    format!("{name} done after {seconds} s")
}

#[weft::main]
async fn main() {
    let start = weft::time::Instant::now();
    let a = weft::spawn(job("A", 2));
    let b = weft::spawn(job("B", 1));
    let c = weft::spawn(job("C", 3));
    let results: Vec<String> = weft::join_all([a, b, c])
        .await
        .into_iter()
        .map(|r| r.expect("no job fails"))
        .collect();
    println!("gather: {results:?}");
    let total = start.elapsed().as_secs_f64();
    println!("total {total:.1} s (the longest job, not the sum)");
    println!("ran concurrently: {}", total < 5.0);
}
