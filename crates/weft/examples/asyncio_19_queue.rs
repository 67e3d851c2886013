//! asyncio pattern 19: a work queue — producers `put`, workers `get` and `task_done`, and
//! `join` waits until every item was processed.
//!
//! ```python
//! queue = asyncio.Queue(maxsize=4)
//! workers = [asyncio.create_task(worker(queue)) for _ in range(3)]
//! for job in range(10):
//!     await queue.put(job)
//! await queue.join()
//! queue.shutdown()          # Python 3.13: the workers' next get() raises QueueShutDown
//! ```
//!
//! weft: `weft::sync::Queue` (also `LifoQueue`, `PriorityQueue`), the same methods; `get`
//! returns `Err(QueueShutDown)` after `shutdown` once the queue is empty.
//!
//! Run: `cargo run --example asyncio_19_queue`

use weft::sync::Queue;

async fn worker(id: usize, queue: Queue<u64>) -> u64 {
    let mut done = 0;
    while let Ok(job) = queue.get().await {
        weft::time::sleep(std::time::Duration::from_millis(job % 3)).await; // the work
        done += job;
        queue.task_done();
    }
    println!("worker {id} stops: the queue was shut down");
    done
}

#[weft::main]
async fn main() {
    let queue = Queue::new(4); // put waits while 4 items are queued
    let workers: Vec<_> = (0..3)
        .map(|id| weft::spawn(worker(id, queue.clone())))
        .collect();
    for job in 0..10 {
        queue.put(job).await.expect("not shut down yet");
    }
    queue.join().await;
    println!("join returned: every job was processed");
    queue.shutdown(false);
    let total: u64 = weft::join_all(workers)
        .await
        .into_iter()
        .map(Result::unwrap)
        .sum();
    println!("total of all jobs: {total}");
}
