//! asyncio pattern 1: `asyncio.run(main())` — run the main coroutine; the event loop is
//! created for you and closed when `main` returns.
//!
//! ```python
//! async def main():
//!     await asyncio.sleep(0.1)
//!     return "hello from main()"
//!
//! print(asyncio.run(main()))
//! ```
//!
//! In weft, `weft::run(fut)` builds a runtime, drives `fut` on the calling thread, closes the
//! runtime (every task it still holds is dropped, every worker thread joined) and returns the
//! output. `#[weft::main]` on `async fn main` does the same for the whole program.
//!
//! Run: `cargo run --example asyncio_01_run`

use std::time::Duration;

async fn main_coroutine() -> &'static str {
    // Tasks spawned here run on the runtime's workers.
    let helper = weft::spawn(async { 21 * 2 });
    weft::time::sleep(Duration::from_millis(100)).await;
    println!("main(): a helper task computed {}", helper.await.unwrap());
    "hello from main()"
}

fn main() {
    let out = weft::run(main_coroutine());
    println!("weft::run returned: {out}");
    // The runtime is gone: there is no current one on this thread any more.
    println!(
        "a runtime is current after run: {}",
        weft::runtime::Handle::try_current().is_some()
    );
}
