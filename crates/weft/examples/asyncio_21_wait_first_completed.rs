//! asyncio pattern 21: `asyncio.wait(..., return_when=FIRST_COMPLETED)` — race several
//! awaitables, act on the first, cancel the rest.
//!
//! ```python
//! done, pending = await asyncio.wait({fetch, timer}, return_when=FIRST_COMPLETED)
//! for t in pending: t.cancel()
//! ```
//!
//! weft: `weft::select!` polls the futures in the task itself (nothing is spawned), runs the
//! branch of the first that completes, and drops the others (their destructors run, a lost
//! channel receive loses no value).
//!
//! Run: `cargo run --example asyncio_21_wait_first_completed`

use std::time::Duration;

async fn fetch(delay_ms: u64) -> &'static str {
    weft::time::sleep(Duration::from_millis(delay_ms)).await;
    "the reply"
}

#[weft::main]
async fn main() {
    let got = weft::select! {
        reply = fetch(5) => Some(reply),
        _ = weft::time::sleep(Duration::from_secs(5)) => None,
    };
    println!("first completed: {got:?}");

    let (tx, mut rx) = weft::sync::mpsc::channel::<u32>(4);
    weft::spawn(async move {
        for n in 1..=3 {
            tx.send(n).await.unwrap();
            weft::time::sleep(Duration::from_millis(1)).await;
        }
    });
    let mut total = 0;
    loop {
        weft::select! {
            Some(n) = rx.recv() => total += n,
            _ = weft::time::sleep(Duration::from_secs(5)) => break,
            else => break, // the channel ended: every branch is disabled
        }
    }
    println!("received until the channel ended: total = {total}");
}
