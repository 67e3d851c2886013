//! asyncio pattern 13: a loop running forever in a separate thread, fed tasks from the main
//! thread, then stopped and closed.
//!
//! ```python
//! loop = asyncio.new_event_loop()
//! t = threading.Thread(target=loop.run_forever)
//! t.start()
//! fut = asyncio.run_coroutine_threadsafe(work(3), loop)   # from the main thread
//! print(fut.result())
//! loop.call_soon_threadsafe(loop.stop)
//! t.join()
//! loop.close()
//! ```
//!
//! weft: the `Runtime` is `Send + Sync`, so one thread can sit in `run_forever` while any
//! other spawns onto it (`Runtime::spawn` / `Handle::spawn` are run_coroutine_threadsafe; the
//! `JoinHandle` can be awaited or blocked on from any thread) and calls `call_soon`
//! (call_soon_threadsafe). `Handle::stop()` ends `run_forever`; `close` then drops what is
//! left and joins the workers.
//!
//! The same with a `LocalRuntime`, asyncio's one-thread loop exactly: it is made on the loop
//! thread (it is `!Send`) and hands its `Handle` (which is `Send`) back to main. Main spawns
//! `Send` futures and calls `call_soon` through the handle, and they run on the loop's thread;
//! the loop's own tasks may share an `Rc<RefCell<_>>` without locks.
//!
//! Run: `cargo run --example asyncio_13_loop_in_thread`

use std::sync::Arc;
use std::time::Duration;

async fn work(n: u64) -> u64 {
    weft::time::sleep(Duration::from_millis(50)).await;
    n * n
}

fn main() -> std::io::Result<()> {
    let rt = Arc::new(weft::Runtime::new()?);
    let looper = {
        let rt = rt.clone();
        std::thread::spawn(move || {
            println!("loop thread: run_forever");
            rt.run_forever();
            println!("loop thread: run_forever returned");
        })
    };
    while !rt.is_running() {
        std::thread::yield_now();
    }

    // Feed it from the main thread.
    let handles: Vec<_> = (1..=3).map(|n| rt.spawn(work(n))).collect();
    for h in handles {
        // fut.result(): block this (non-runtime) thread on the handle.
        println!(
            "main thread got {}",
            rt.handle().block_on(h).expect("work completes")
        );
    }
    let (tx, rx) = std::sync::mpsc::channel();
    rt.handle()
        .call_soon(move || tx.send("hello from a callback").expect("main listens"));
    println!(
        "main thread got {:?}",
        rx.recv().expect("the callback runs")
    );

    rt.handle().stop();
    looper.join().expect("the loop thread exits cleanly");
    rt.close();
    println!("stopped and closed: is_closed = {}", rt.is_closed());

    one_thread_loop()
}

/// The loop as one thread: a `LocalRuntime` on its own thread, fed through its `Handle`.
fn one_thread_loop() -> std::io::Result<()> {
    let (handle_tx, handle_rx) = std::sync::mpsc::channel();
    let looper = std::thread::spawn(move || -> std::io::Result<()> {
        let rt = weft::LocalRuntime::new()?;
        let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        // A task of the loop's own: it shares `seen` with the loop thread, no lock needed.
        let log = seen.clone();
        rt.spawn_local(async move {
            log.borrow_mut().push("a local task ran");
        });
        handle_tx
            .send(rt.handle().clone())
            .expect("main waits for the handle");
        rt.run_forever();
        println!("local loop: {:?}, then stopped", seen.borrow());
        rt.close();
        Ok(())
    });
    let handle = handle_rx.recv().expect("the loop thread sends its handle");
    let loop_thread = looper.thread().id();
    let task = handle.spawn(async move { (work(5).await, std::thread::current().id()) });
    let (value, ran_on) = handle.block_on(task).expect("work completes");
    println!(
        "main thread got {value} from the local loop (ran on the loop thread: {})",
        ran_on == loop_thread
    );
    let stopper = handle.clone();
    handle.call_soon(move || stopper.stop()); // call_soon_threadsafe(loop.stop)
    looper.join().expect("the loop thread exits cleanly")
}
