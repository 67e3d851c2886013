//! asyncio pattern 16: never nest event loops in one thread.
//!
//! ```python
//! async def main():
//!     asyncio.run(other())   # RuntimeError: asyncio.run() cannot be called from a running event loop
//!     loop.run_until_complete(other())   # RuntimeError: This event loop is already running
//! ```
//!
//! weft: `weft::run`, `Runtime::block_on`, `Handle::block_on` and `run_forever` called on a
//! thread that already drives a runtime (a worker, or inside `block_on`) panic at once with a
//! message that contains "nested" and says what to do instead — never a deadlock. The panic
//! fails only the task that made the call; the runtime keeps serving.
//!
//! What to do instead: `.await` the future (it is already inside a runtime), `weft::spawn` it
//! and await the handle, or, for synchronous code that must block on async work, call
//! `Handle::block_on` from a blocking thread (`weft::spawn_blocking`).
//!
//! Run: `cargo run --example asyncio_16_no_nesting`

async fn other() -> u32 {
    7
}

#[weft::main]
async fn main() {
    // Keep the default panic report quiet: this example prints the message itself.
    std::panic::set_hook(Box::new(|_| {}));
    let nested = weft::spawn(async {
        let handle = weft::runtime::Handle::current();
        handle.block_on(other()) // nested: panics
    });
    let err = nested.await.expect_err("nesting panics");
    let _ = std::panic::take_hook();
    let message = err
        .into_panic()
        .downcast::<String>()
        .map(|s| *s)
        .unwrap_or_else(|p| {
            p.downcast_ref::<&str>()
                .map(|s| s.to_string())
                .unwrap_or_default()
        });
    println!("the task that nested panicked with:\n  {message}");

    // Instead: await it...
    println!("instead, .await: {}", other().await);
    // ...or spawn it and await the handle...
    println!(
        "instead, spawn + await: {}",
        weft::spawn(other()).await.expect("completes")
    );
    // ...or block from a blocking thread, where blocking is allowed.
    let handle = weft::runtime::Handle::current();
    let from_blocking = weft::spawn_blocking(move || handle.block_on(other()))
        .await
        .expect("completes");
    println!("instead, Handle::block_on inside spawn_blocking: {from_blocking}");
    println!(
        "the runtime kept serving: {}",
        weft::spawn(async { "yes" }).await.expect("completes")
    );
}
