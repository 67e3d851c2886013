//! A tour of weft, for anyone who knows asyncio's event loop: run, tasks, names, work
//! stealing, yield, cancellation, panics, callbacks, timers and timeouts, gather, blocking work,
//! run_forever/stop, sockets, the nesting rule, signals, and close — in order, in a few seconds, with
//! timings on the loop's clock. docs/asyncio.md maps every asyncio concept to weft, and
//! examples/asyncio_NN_*.rs have one runnable example per pattern.
//!
//! Run it with `cargo run --release --example tour`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use weft::io::{AsyncReadExt, AsyncWriteExt};
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
        "{} 8. call_soon / call_later / cancel: callbacks on the loop",
        at()
    );
    let handle = rt.handle().clone();
    let (log_tx, log_rx) = std::sync::mpsc::channel::<&str>();
    let t0 = handle.time();
    handle.call_later(Duration::from_millis(60), {
        let tx = log_tx.clone();
        move || tx.send("call_later(60 ms)").expect("tour listens")
    });
    let cancelled = handle.call_later(Duration::from_millis(30), {
        let tx = log_tx.clone();
        move || tx.send("cancelled callback").expect("tour listens")
    });
    cancelled.cancel();
    for name in ["call_soon #1", "call_soon #2"] {
        let tx = log_tx.clone();
        handle.call_soon(move || tx.send(name).expect("tour listens"));
    }
    drop(log_tx);
    let order: Vec<&str> = log_rx.iter().collect();
    println!(
        "{}    callbacks ran in order: {order:?} (the cancelled one never ran)",
        at()
    );
    println!(
        "{}    loop.time() advanced {} ms meanwhile",
        at(),
        handle.time().duration_since(t0).as_millis()
    );

    println!(
        "{} 9. gather: A 200 ms, B 100 ms, C 300 ms run at once",
        at()
    );
    let t0 = Instant::now();
    let gathered = rt.block_on(weft::join_all([("A", 200), ("B", 100), ("C", 300)].map(
        |(name, ms)| {
            rt.spawn(async move {
                weft::time::sleep(Duration::from_millis(ms)).await;
                name
            })
        },
    )));
    let gathered: Vec<&str> = gathered
        .into_iter()
        .map(|r| r.expect("no task fails"))
        .collect();
    println!(
        "{}    gather -> {gathered:?} in {} ms (the longest, not the sum)",
        at(),
        t0.elapsed().as_millis()
    );

    println!(
        "{} 10. wait_for: a 10 s operation under a 150 ms timeout",
        at()
    );
    let outcome = rt.block_on(weft::time::timeout(Duration::from_millis(150), async {
        let _cleanup = Cleanup;
        weft::time::sleep(Duration::from_secs(10)).await;
    }));
    println!(
        "{}    wait_for -> {:?}; the operation's cleanup ran first",
        at(),
        outcome.map_err(|e| e.to_string())
    );

    println!(
        "{} 11. run_in_executor: blocking work off the workers",
        at()
    );
    let blocking = rt.block_on(async {
        weft::spawn_blocking(|| {
            std::thread::sleep(Duration::from_millis(50));
            "read from a slow device"
        })
        .await
        .expect("the job ran")
    });
    println!("{}    spawn_blocking -> {blocking:?}", at());

    println!("{} 12. run_forever until a task calls stop()", at());
    let stopper = rt.handle().clone();
    rt.spawn(async move {
        weft::time::sleep(Duration::from_millis(50)).await;
        stopper.stop();
    });
    rt.run_forever();
    println!("{}    run_forever returned after stop()", at());

    println!("{} 13. TCP: an echo server and a client", at());
    let echoed = rt.block_on(async {
        let listener = weft::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        weft::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            let mut buf = [0u8; 64];
            let n = s.read(&mut buf).await.expect("read");
            s.write_all(&buf[..n]).await.expect("write");
        });
        let mut client = weft::net::TcpStream::connect(addr).await.expect("connect");
        client.write_all(b"hello, weft").await.expect("write");
        let mut back = [0u8; 11];
        client.read_exact(&mut back).await.expect("read");
        String::from_utf8_lossy(&back).into_owned()
    });
    println!("{}    the server echoed {echoed:?}", at());

    println!("{} 14. Nesting loops is refused with a clear message", at());
    std::panic::set_hook(Box::new(|_| {}));
    let nested = rt.spawn(async { weft::runtime::Handle::current().block_on(async { 1 }) });
    let err = rt.block_on(nested).expect_err("nested block_on panics");
    let _ = std::panic::take_hook();
    let payload = err.into_panic();
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    println!(
        "{}    block_on inside a task panicked: \"{}...\"",
        at(),
        message.split(':').next().unwrap_or_default()
    );

    println!(
        "{} 15. Signals: add_signal_handler(SIGINT, stop) -- Ctrl-C ends run_forever",
        at()
    );
    let stopper = rt.handle().clone();
    let on_ctrl_c =
        rt.handle()
            .add_signal_handler(weft::signal::unix::SignalKind::interrupt(), move || {
                println!("         (SIGINT arrived: stopping the loop)");
                stopper.stop();
            })?;
    // Press Ctrl-C here to see it for real; the tour sends itself one a moment later.
    rt.spawn(async {
        weft::time::sleep(Duration::from_millis(20)).await;
        let me = std::process::id() as i32;
        // SAFETY: sending SIGINT to this very process, which now handles it.
        unsafe { libc::kill(me, libc::SIGINT) };
    });
    rt.run_forever();
    on_ctrl_c.cancel();
    println!("{}    run_forever returned; the handler is removed", at());

    println!(
        "{} 16. close: pending tasks are dropped, threads joined",
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
