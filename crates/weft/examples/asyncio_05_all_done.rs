//! asyncio pattern 5: completing one Future when several tasks are all done — first with
//! done-callbacks over three tasks, then the idiomatic way with gather.
//!
//! ```python
//! all_done = loop.create_future()
//! remaining = 3
//! def on_done(task):
//!     nonlocal remaining
//!     remaining -= 1
//!     if remaining == 0:
//!         all_done.set_result([t.result() for t in tasks])
//! tasks = [asyncio.create_task(work(i)) for i in range(3)]
//! for t in tasks:
//!     t.add_done_callback(on_done)
//! print(await all_done)
//!
//! print(await asyncio.gather(*(work(i) for i in range(3))))   # the idiomatic form
//! ```
//!
//! weft tasks have no `add_done_callback`; the same thing is a wrapper that awaits the task
//! and then runs the callback. The idiomatic form is `weft::join_all` (gather), or `join!`.
//!
//! Run: `cargo run --example asyncio_05_all_done`

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use weft::sync::oneshot;

async fn work(i: u64) -> u64 {
    weft::time::sleep(Duration::from_millis(50 * (3 - i))).await;
    i * 10
}

/// `task.add_done_callback(cb)`: runs `cb` with the task's result once it finishes.
fn add_done_callback<T: Send + 'static>(
    task: weft::task::JoinHandle<T>,
    cb: impl FnOnce(Result<T, weft::task::JoinError>) + Send + 'static,
) {
    weft::spawn(async move { cb(task.await) });
}

#[weft::main]
async fn main() {
    // With done-callbacks and a future.
    let (all_done, all_done_fut) = oneshot::channel();
    let all_done = Arc::new(Mutex::new(Some(all_done)));
    let results = Arc::new(Mutex::new(vec![None; 3]));
    let remaining = Arc::new(AtomicUsize::new(3));
    for i in 0..3 {
        let (all_done, results, remaining) = (all_done.clone(), results.clone(), remaining.clone());
        add_done_callback(weft::spawn(work(i)), move |result| {
            println!("done callback: task {i} finished");
            results.lock().unwrap()[i as usize] = Some(result.expect("work does not fail"));
            // The last callback resolves the future.
            if remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                let all: Vec<u64> = results.lock().unwrap().iter().flatten().copied().collect();
                if let Some(tx) = all_done.lock().unwrap().take() {
                    let _ = tx.send(all);
                }
            }
        });
    }
    println!("all done (callbacks): {:?}", all_done_fut.await.unwrap());

    // The idiomatic form: gather. Results come in input order, whatever order tasks finish.
    let gathered = weft::join_all((0..3).map(work)).await;
    println!("all done (gather): {gathered:?}");
    let (a, b, c) = weft::join!(work(0), work(1), work(2));
    println!("all done (join!): [{a}, {b}, {c}]");
}
