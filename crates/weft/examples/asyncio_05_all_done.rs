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
//! weft's `JoinHandle::add_done_callback` is asyncio's: the callback runs on a worker once the
//! task is done, with its `Outcome` (completed, panicked or cancelled); the results are then
//! read from the finished tasks, as `t.result()` does. The idiomatic form is `weft::join_all`
//! (gather), or `join!`.
//!
//! Run: `cargo run --example asyncio_05_all_done`

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use weft::sync::oneshot;
use weft::task::Outcome;

async fn work(i: u64) -> u64 {
    weft::time::sleep(Duration::from_millis(50 * (3 - i))).await;
    i * 10
}

#[weft::main]
async fn main() {
    // With done-callbacks and a future.
    let (all_done, all_done_fut) = oneshot::channel();
    let all_done = Arc::new(Mutex::new(Some(all_done)));
    let remaining = Arc::new(AtomicUsize::new(3));
    let tasks: Vec<_> = (0..3).map(|i| weft::spawn(work(i))).collect();
    for (i, task) in tasks.iter().enumerate() {
        let (all_done, remaining) = (all_done.clone(), remaining.clone());
        task.add_done_callback(move |outcome| {
            assert_eq!(outcome, Outcome::Completed);
            println!("done callback: task {i} finished");
            // The last callback resolves the future.
            if remaining.fetch_sub(1, Ordering::AcqRel) == 1
                && let Some(tx) = all_done.lock().unwrap().take()
            {
                let _ = tx.send(());
            }
        });
    }
    all_done_fut.await.unwrap();
    // Every task is done: awaiting the handles returns their results at once (`t.result()`).
    let results: Vec<u64> = weft::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("work does not fail"))
        .collect();
    println!("all done (callbacks): {results:?}");

    // The idiomatic form: gather. Results come in input order, whatever order tasks finish.
    let gathered = weft::join_all((0..3).map(work)).await;
    println!("all done (gather): {gathered:?}");
    let (a, b, c) = weft::join!(work(0), work(1), work(2));
    println!("all done (join!): [{a}, {b}, {c}]");
}
