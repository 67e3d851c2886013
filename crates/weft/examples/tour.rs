//! A tour of weft: what exists today, in order, with timings on the loop's clock.
//!
//! Run it with `cargo run --release --example tour`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use weft::runtime::Builder;
use weft::task;

fn main() -> std::io::Result<()> {
    let start = Instant::now();
    let at = move || format!("[{:>7.2} ms]", start.elapsed().as_secs_f64() * 1e3);

    println!(
        "{} 1. weft::run: asyncio.run(main()) - a runtime is made, used and closed",
        at()
    );
    let answer = weft::run(async {
        let task = weft::spawn(async { 6 * 7 });
        task.await.expect("the task completes")
    });
    println!("{}    main() returned {answer}", at());

    println!(
        "{} 2. Runtime + block_on: run_until_complete from synchronous code",
        at()
    );
    let rt = Builder::new()
        .worker_threads(2)
        .thread_name("tour")
        .build()?;
    let squares = rt.block_on(async {
        let tasks: Vec<_> = (1..=5u64)
            .map(|i| weft::spawn(async move { i * i }))
            .collect();
        let mut out = Vec::new();
        for t in tasks {
            out.push(t.await.expect("no task fails"));
        }
        out
    });
    println!("{}    squares computed by 5 tasks: {squares:?}", at());

    println!("{} 3. Named tasks: create_task(coro, name=...)", at());
    let named = task::Builder::new()
        .name("fetch-user")
        .spawn_on(async { "alice" }, rt.handle());
    println!(
        "{}    task {} is named {:?}",
        at(),
        named.id(),
        named.name()
    );
    let user = rt.block_on(named).expect("fetch-user completes");
    println!("{}    it returned {user:?}", at());

    println!("{} 4. 100,000 tasks on 2 workers, work-stealing", at());
    let done = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    rt.block_on({
        let done = done.clone();
        async move {
            let tasks: Vec<_> = (0..100_000)
                .map(|_| {
                    let done = done.clone();
                    weft::spawn(async move {
                        done.fetch_add(1, Ordering::Relaxed);
                    })
                })
                .collect();
            for t in tasks {
                t.await.expect("no task fails");
            }
        }
    });
    println!(
        "{}    {} tasks done in {:.1} ms",
        at(),
        done.load(Ordering::Relaxed),
        t0.elapsed().as_secs_f64() * 1e3
    );

    println!(
        "{} 5. yield_now: await asyncio.sleep(0) lets others run (one worker)",
        at()
    );
    let single = Builder::new().worker_threads(1).build()?;
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let driver = single.spawn({
        let log = log.clone();
        // Spawned from a task on the only worker, so both are queued before either runs.
        async move {
            let tasks: Vec<_> = ["A", "B"]
                .into_iter()
                .map(|name| {
                    let log = log.clone();
                    weft::spawn(async move {
                        for i in 0..3 {
                            log.lock().expect("log lock").push(format!("{name}{i}"));
                            task::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.expect("no task fails");
            }
        }
    });
    single.block_on(driver).expect("the driver task completes");
    single.close();
    println!("{}    steps: {:?}", at(), log.lock().expect("log lock"));

    println!(
        "{} 6. Cancellation: Task.cancel() runs the task's cleanup",
        at()
    );
    struct Cleanup;
    impl Drop for Cleanup {
        fn drop(&mut self) {
            println!("         (cleanup ran: the cancelled task's destructor)");
        }
    }
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let slow = rt.spawn(async move {
        let _cleanup = Cleanup;
        started_tx.send(()).expect("tour is listening");
        std::future::pending::<()>().await;
    });
    started_rx.recv().expect("the slow task starts");
    slow.abort();
    let err = rt
        .block_on(slow)
        .expect_err("an aborted task has no output");
    println!(
        "{}    awaiting it gives: {err} (is_cancelled = {})",
        at(),
        err.is_cancelled()
    );

    println!(
        "{} 7. A panicking task is caught; the runtime keeps serving",
        at()
    );
    std::panic::set_hook(Box::new(|_| {}));
    let bad = rt.spawn(async { panic!("bad input") });
    let err = rt.block_on(bad).expect_err("the task panicked");
    let _ = std::panic::take_hook();
    println!("{}    {err} (is_panic = {})", at(), err.is_panic());
    let ok = rt
        .block_on(rt.spawn(async { "still here" }))
        .expect("runtime alive");
    println!("{}    next task: {ok:?}", at());

    println!(
        "{} 8. close: pending tasks are dropped, threads joined",
        at()
    );
    let pending = rt.spawn(async move {
        let _cleanup = Cleanup;
        std::future::pending::<()>().await;
    });
    std::thread::sleep(std::time::Duration::from_millis(5));
    rt.close();
    println!("{}    closed = {}", at(), rt.is_closed());
    let late = rt.spawn(async { 1 });
    let err = futures_lite::future::block_on(late).expect_err("nothing runs after close");
    println!("{}    a spawn after close resolves to: {err}", at());
    let err = futures_lite::future::block_on(pending).expect_err("cancelled by close");
    println!("{}    the pending task resolved to: {err}", at());

    println!("{} tour complete", at());
    Ok(())
}
