//! asyncio pattern 6: `loop.create_task` and `run_until_complete` from synchronous code.
//!
//! ```python
//! loop = asyncio.new_event_loop()
//! task = loop.create_task(compute(6))
//! print(loop.run_until_complete(task))
//! loop.close()
//! ```
//!
//! In weft a `Runtime` is the loop. `Runtime::spawn` (create_task) works from any thread, and
//! the task starts running on a worker at once — it does not wait for `block_on`
//! (run_until_complete), which drives one future on the calling thread and returns its output.
//!
//! Run: `cargo run --example asyncio_06_create_task_from_sync`

use std::time::Duration;

async fn compute(x: u64) -> u64 {
    weft::time::sleep(Duration::from_millis(50)).await;
    x * 7
}

fn main() -> std::io::Result<()> {
    let rt = weft::Runtime::new()?;
    // create_task from synchronous code.
    let task = rt.spawn(compute(6));
    println!("task {} created from main()", task.id());
    // Other synchronous work can happen here while the task runs on the workers.
    let sum: u64 = (1..=1000).sum();
    println!("main() computed {sum} meanwhile");
    // run_until_complete(task)
    let result = rt.block_on(task).expect("the task completes");
    println!("run_until_complete(task) = {result}");
    // run_until_complete(coroutine): block_on takes any future, not only tasks.
    println!(
        "run_until_complete(compute(2)) = {}",
        rt.block_on(compute(2))
    );
    rt.close();
    println!("closed: {}", rt.is_closed());
    Ok(())
}
