//! asyncio pattern 10: the loop's life — `run_until_complete`, `run_forever` + `stop` from a
//! task, `is_running`, `is_closed`, `close`, and that nothing can be added after close.
//!
//! ```python
//! loop = asyncio.new_event_loop()
//! print(loop.run_until_complete(answer()))
//! async def stopper():
//!     await asyncio.sleep(0.1)
//!     loop.stop()
//! loop.create_task(stopper())
//! loop.run_forever()                 # returns once stop() is called
//! loop.close()
//! print(loop.is_closed())
//! loop.create_task(answer())         # RuntimeError: Event loop is closed
//! ```
//!
//! weft: `Runtime::block_on` is run_until_complete, `run_forever` blocks until
//! `Handle::stop()` is called from anywhere (a task, a callback, another thread; a stop that
//! comes before `run_forever` is remembered). After `close`, every unfinished task has been
//! dropped; a spawn returns a handle that resolves to a cancelled `JoinError` and a callback
//! never runs — no panic, nothing silently half-run.
//!
//! Run: `cargo run --example asyncio_10_loop_lifecycle`

use std::time::Duration;

async fn answer() -> u32 {
    42
}

fn main() -> std::io::Result<()> {
    let rt = weft::Runtime::new()?;
    println!("is_running before: {}", rt.is_running());
    println!("run_until_complete: {}", rt.block_on(answer()));

    let handle = rt.handle().clone();
    rt.spawn(async move {
        // The task starts at once (the workers run it, run_forever or not); once the main
        // thread is in run_forever it sees the loop running, then stops it.
        while !handle.is_running() {
            weft::time::sleep(Duration::from_millis(5)).await;
        }
        println!("inside a task, is_running: {}", handle.is_running());
        weft::time::sleep(Duration::from_millis(100)).await;
        println!("stopping the loop from a task");
        handle.stop();
    });
    rt.run_forever();
    println!("run_forever returned; is_running: {}", rt.is_running());

    // A task still pending at close is dropped (its destructors run).
    struct Cleanup;
    impl Drop for Cleanup {
        fn drop(&mut self) {
            println!("a pending task's cleanup ran during close");
        }
    }
    let (started, started_rx) = std::sync::mpsc::channel();
    let pending = rt.spawn(async move {
        let _cleanup = Cleanup;
        started.send(()).expect("main is listening");
        std::future::pending::<()>().await;
    });
    started_rx.recv().expect("the task starts");

    rt.close();
    println!("is_closed: {}", rt.is_closed());
    let err = futures_lite::future::block_on(pending).expect_err("cancelled by close");
    println!("the pending task resolved to: {err}");
    let late = rt.spawn(answer());
    let err = futures_lite::future::block_on(late).expect_err("nothing runs after close");
    println!(
        "spawn after close: {err} (is_cancelled = {})",
        err.is_cancelled()
    );
    let cb = rt.handle().call_soon(|| println!("this never prints"));
    println!(
        "call_soon after close: is_cancelled = {}",
        cb.is_cancelled()
    );
    Ok(())
}
