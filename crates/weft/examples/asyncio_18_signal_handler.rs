//! asyncio pattern 18: signal handlers — `loop.add_signal_handler(SIGTERM, stop)` for a clean
//! shutdown, `remove_signal_handler` when done.
//!
//! ```python
//! loop = asyncio.get_running_loop()
//! stop = asyncio.Event()
//! loop.add_signal_handler(signal.SIGTERM, stop.set)
//! await stop.wait()
//! loop.remove_signal_handler(signal.SIGTERM)
//! ```
//!
//! weft: `Handle::add_signal_handler(SignalKind, f)` runs `f` as a callback on the loop per
//! delivery and returns a `CallbackHandle`; `cancel()` removes it. To await a signal instead,
//! `weft::signal::unix::signal(kind)?.recv().await` (or `weft::signal::ctrl_c()`).
//!
//! Run: `cargo run --example asyncio_18_signal_handler` (it sends itself SIGTERM; or run it
//! with an argument and send one yourself: `kill -TERM <pid>`).

use std::sync::Arc;
use weft::signal::unix::SignalKind;
use weft::sync::Event;

#[weft::main]
async fn main() -> std::io::Result<()> {
    let stop = Arc::new(Event::new());
    let set = stop.clone();
    let handler = weft::runtime::Handle::current()
        .add_signal_handler(SignalKind::terminate(), move || set.set())?;
    println!("pid {} waiting for SIGTERM", std::process::id());
    if std::env::args().len() == 1 {
        let me = std::process::id() as i32;
        // SAFETY: sending SIGTERM to this very process, which now handles it.
        unsafe { libc::kill(me, libc::SIGTERM) };
    }
    stop.wait().await;
    handler.cancel(); // remove_signal_handler
    println!("SIGTERM received: shutting down cleanly");
    Ok(())
}
