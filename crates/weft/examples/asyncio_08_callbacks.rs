//! asyncio pattern 8: callbacks — `call_soon(cb, *args)`, `call_later(delay, cb, *args)`, and
//! cancelling them.
//!
//! ```python
//! loop.call_soon(greet, "first")
//! loop.call_soon(greet, "second")          # call_soon callbacks run in the order given
//! loop.call_later(0.2, greet, "later")
//! h = loop.call_later(0.1, greet, "never")
//! h.cancel()
//! ```
//!
//! weft: `Handle::call_soon(f)` and `call_later(delay, f)` / `call_at(instant, f)` take a
//! closure (arguments are captured instead of passed), return a `CallbackHandle` with
//! `cancel()` and `is_cancelled()`, and work from any thread (they are also
//! `call_soon_threadsafe`). A panicking callback is reported and the runtime keeps running.
//!
//! Run: `cargo run --example asyncio_08_callbacks`

use std::sync::mpsc;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let rt = weft::Runtime::new()?;
    let handle = rt.handle();
    let start = handle.time();
    let (log, lines) = mpsc::channel::<String>();

    // greet(who), with its arguments captured: call_soon(greet, "first") in asyncio.
    let greet = |who: &'static str| {
        let (handle, log) = (handle.clone(), log.clone());
        move || {
            let at = handle.time().duration_since(start).as_millis();
            let _ = log.send(format!("callback {who:?} ran at ~{at} ms"));
        }
    };
    handle.call_soon(greet("first"));
    handle.call_soon(greet("second"));
    handle.call_later(Duration::from_millis(200), greet("later"));
    let never = handle.call_later(Duration::from_millis(100), greet("never"));
    never.cancel();
    println!(
        "cancelled the 100 ms callback: is_cancelled = {}",
        never.is_cancelled()
    );
    drop(log);

    // Three callbacks run; the cancelled one never does.
    for line in lines.iter().take(3) {
        println!("{line}");
    }
    std::thread::sleep(Duration::from_millis(50));
    println!("no other callback ran: {}", lines.try_recv().is_err());
    rt.close();
    Ok(())
}
