//! `LocalRuntime` and `spawn_local`: futures that are not `Send`, run by one thread.

mod common;

use common::panic_message;
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;
use weft::LocalRuntime;
use weft::io::{AsyncReadExt, AsyncWriteExt};

#[test]
fn rc_refcell_crosses_await_in_local_tasks() {
    let rt = LocalRuntime::new().unwrap();
    let log = Rc::new(RefCell::new(Vec::new()));
    rt.block_on(async {
        let mut tasks = Vec::new();
        for i in 0..50 {
            let log = log.clone();
            tasks.push(weft::task::spawn_local(async move {
                for round in 0..3 {
                    log.borrow_mut().push((round, i));
                    weft::task::yield_now().await;
                }
                i
            }));
        }
        let mut sum = 0;
        for task in tasks {
            sum += task.await.unwrap();
        }
        assert_eq!(sum, (0..50).sum::<i32>());
    });
    let log = log.borrow();
    assert_eq!(log.len(), 150);
    // Every task's first step ran before any task's second: FIFO, one thread.
    assert!(log[..50].iter().all(|&(round, _)| round == 0));
    assert!(log[100..].iter().all(|&(round, _)| round == 2));
}

#[test]
fn everything_runs_on_the_loops_thread() {
    let rt = LocalRuntime::new().unwrap();
    let me = thread::current().id();
    let handle = rt.handle().clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let sender = thread::spawn(move || {
        let tx2 = tx.clone();
        handle.call_soon(move || tx2.send(("call_soon", thread::current().id())).unwrap());
        let tx3 = tx.clone();
        handle.call_later(Duration::from_millis(1), move || {
            tx3.send(("call_later", thread::current().id())).unwrap()
        });
        let spawned = handle.spawn(async move {
            tx.send(("spawn", thread::current().id())).unwrap();
            7
        });
        futures_lite::future::block_on(spawned).unwrap()
    });
    let got = rt.block_on(async {
        let mut got = Vec::new();
        while got.len() < 3 {
            match rx.try_recv() {
                Ok(entry) => got.push(entry),
                Err(_) => weft::time::sleep(Duration::from_millis(1)).await,
            }
        }
        got
    });
    assert_eq!(sender.join().unwrap(), 7);
    let mut kinds: Vec<_> = got.iter().map(|(kind, _)| *kind).collect();
    kinds.sort();
    assert_eq!(kinds, ["call_later", "call_soon", "spawn"]);
    assert!(got.iter().all(|(_, id)| *id == me), "{got:?}");
}

#[test]
fn a_wake_from_another_thread_reaches_a_sleeping_loop() {
    let rt = LocalRuntime::new().unwrap();
    for _ in 0..200 {
        let (tx, rx) = weft::sync::oneshot::channel();
        let waiter = rt.spawn_local(async move { rx.await.unwrap() + 1 });
        let sender = thread::spawn(move || tx.send(41).unwrap());
        assert_eq!(rt.block_on(waiter).unwrap(), 42);
        sender.join().unwrap();
    }
}

#[test]
fn the_main_future_woken_from_another_thread_completes() {
    let rt = LocalRuntime::new().unwrap();
    for _ in 0..200 {
        let (tx, rx) = weft::sync::oneshot::channel();
        let sender = thread::spawn(move || tx.send(5).unwrap());
        assert_eq!(rt.block_on(rx).unwrap(), 5);
        sender.join().unwrap();
    }
}

#[test]
fn a_task_spawned_before_the_loop_runs_waits_for_it() {
    let rt = LocalRuntime::new().unwrap();
    let ran = Rc::new(Cell::new(false));
    let task = rt.spawn_local({
        let ran = ran.clone();
        async move { ran.set(true) }
    });
    thread::sleep(Duration::from_millis(5));
    assert!(!ran.get(), "nothing runs before the loop does");
    rt.block_on(task).unwrap();
    assert!(ran.get());
}

#[test]
fn timers_tcp_and_blocking_work_in_a_local_runtime() {
    let rt = LocalRuntime::new().unwrap();
    rt.block_on(async {
        let start = weft::time::Instant::now();
        weft::time::sleep(Duration::from_millis(10)).await;
        assert!(start.elapsed() >= Duration::from_millis(10));
        let slow = weft::time::timeout(Duration::from_millis(5), std::future::pending::<()>());
        assert!(slow.await.is_err());

        let listener = weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = weft::task::spawn_local(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 5];
            stream.read_exact(&mut buf).await.unwrap();
            stream.write_all(&buf).await.unwrap();
        });
        let mut client = weft::net::TcpStream::connect(addr).await.unwrap();
        client.write_all(b"hello").await.unwrap();
        let mut echoed = [0u8; 5];
        client.read_exact(&mut echoed).await.unwrap();
        assert_eq!(&echoed, b"hello");
        server.await.unwrap();

        let loop_thread = thread::current().id();
        let job_thread = weft::spawn_blocking(|| thread::current().id())
            .await
            .unwrap();
        assert_ne!(job_thread, loop_thread);
    });
}

#[test]
fn a_child_process_runs_in_a_local_runtime() {
    let rt = LocalRuntime::new().unwrap();
    let out = rt.block_on(async {
        weft::process::Command::new("sh")
            .args(["-c", "echo local; exit 3"])
            .output()
            .await
            .unwrap()
    });
    assert_eq!(out.stdout, b"local\n");
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn spawn_local_outside_a_local_runtime_panics_saying_so() {
    let message = |f: &dyn Fn()| panic_message(catch_unwind(AssertUnwindSafe(f)).unwrap_err());
    let outside = message(&|| drop(weft::task::spawn_local(async {})));
    assert!(outside.contains("LocalRuntime"), "{outside}");
    let in_runtime = message(&|| {
        weft::run(async { drop(weft::task::spawn_local(async {})) });
    });
    assert!(in_runtime.contains("LocalRuntime"), "{in_runtime}");
}

#[test]
fn nesting_a_loop_panics_with_nested() {
    let rt = LocalRuntime::new().unwrap();
    let inner = LocalRuntime::new().unwrap();
    let payload = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { inner.block_on(async {}) });
    }))
    .unwrap_err();
    assert!(panic_message(payload).contains("nested"));
    let payload = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { rt.block_on(async {}) });
    }))
    .unwrap_err();
    assert!(panic_message(payload).contains("nested"));
    let multi = weft::Runtime::new().unwrap();
    let payload = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { multi.block_on(async {}) });
    }))
    .unwrap_err();
    assert!(panic_message(payload).contains("nested"));
    // The loop still works after the panics.
    assert_eq!(
        rt.block_on(async { rt.spawn_local(async { 3 }).await.unwrap() }),
        3
    );
}

#[test]
fn four_threads_each_run_their_own_loop_at_once() {
    let total = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(std::sync::Barrier::new(4));
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let total = total.clone();
            let barrier = barrier.clone();
            thread::spawn(move || {
                let rt = LocalRuntime::new().unwrap();
                barrier.wait();
                let local = Rc::new(Cell::new(0));
                rt.block_on(async {
                    let tasks: Vec<_> = (0..100)
                        .map(|_| {
                            let local = local.clone();
                            weft::task::spawn_local(async move {
                                weft::time::sleep(Duration::from_millis(1)).await;
                                local.set(local.get() + 1);
                            })
                        })
                        .collect();
                    for task in tasks {
                        task.await.unwrap();
                    }
                });
                total.fetch_add(local.get(), Ordering::SeqCst);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(total.load(Ordering::SeqCst), 400);
}

#[test]
fn run_forever_returns_on_stop_from_a_task_or_another_thread() {
    let rt = LocalRuntime::new().unwrap();
    let handle = rt.handle().clone();
    rt.spawn_local(async move {
        weft::time::sleep(Duration::from_millis(2)).await;
        handle.stop();
    });
    rt.run_forever();
    let handle = rt.handle().clone();
    let stopper = thread::spawn(move || {
        thread::sleep(Duration::from_millis(5));
        handle.stop();
    });
    let ticks = Rc::new(Cell::new(0));
    rt.spawn_local({
        let ticks = ticks.clone();
        async move {
            loop {
                ticks.set(ticks.get() + 1);
                weft::time::sleep(Duration::from_millis(1)).await;
            }
        }
    });
    rt.run_forever();
    stopper.join().unwrap();
    assert!(ticks.get() > 0, "tasks ran while the loop ran forever");
    // A stop before run_forever makes the next one return at once.
    rt.handle().stop();
    rt.run_forever();
}

struct DropFlag(Rc<Cell<usize>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(self.0.get() + 1);
    }
}

#[test]
fn close_drops_every_unfinished_future_and_then_block_on_panics() {
    let rt = LocalRuntime::new().unwrap();
    let dropped = Rc::new(Cell::new(0));
    let mut handles = Vec::new();
    for _ in 0..10 {
        let flag = DropFlag(dropped.clone());
        handles.push(rt.spawn_local(async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        }));
    }
    rt.block_on(weft::task::yield_now());
    // Not yet run at all.
    let flag = DropFlag(dropped.clone());
    handles.push(rt.spawn_local(async move { drop(flag) }));
    assert_eq!(dropped.get(), 0);
    rt.close();
    assert!(rt.is_closed());
    assert_eq!(dropped.get(), 11);
    for handle in handles {
        let error = futures_lite::future::block_on(handle).unwrap_err();
        assert!(error.is_cancelled());
    }
    let late = rt.spawn_local(async {});
    let error = futures_lite::future::block_on(late).unwrap_err();
    assert!(error.is_cancelled());
    assert!(error.to_string().contains("closed"), "{error}");
    let payload = catch_unwind(AssertUnwindSafe(|| rt.block_on(async {}))).unwrap_err();
    assert!(panic_message(payload).contains("closed"));
    let payload = catch_unwind(AssertUnwindSafe(|| rt.run_forever())).unwrap_err();
    assert!(panic_message(payload).contains("closed"));
}

#[test]
fn dropping_the_runtime_drops_the_futures_it_holds() {
    let dropped = Rc::new(Cell::new(0));
    {
        let rt = LocalRuntime::new().unwrap();
        let flag = DropFlag(dropped.clone());
        drop(rt.spawn_local(async move {
            let _flag = flag;
            std::future::pending::<()>().await;
        }));
        rt.block_on(weft::task::yield_now());
    }
    assert_eq!(dropped.get(), 1);
}

#[test]
fn a_panicking_local_task_leaves_the_loop_running() {
    let rt = LocalRuntime::new().unwrap();
    let error = rt
        .block_on(rt.spawn_local(async { panic!("boom") }))
        .unwrap_err();
    assert!(error.is_panic());
    assert_eq!(rt.block_on(async { 1 }), 1);
}

#[test]
fn a_closed_multi_thread_runtime_refuses_block_on_and_run_forever() {
    let rt = weft::Runtime::new().unwrap();
    let pending = rt.spawn(std::future::pending::<()>());
    rt.close();
    let error = futures_lite::future::block_on(pending).unwrap_err();
    assert!(
        error.is_cancelled() && error.to_string().contains("closed"),
        "{error}"
    );
    let late = futures_lite::future::block_on(rt.spawn(async {})).unwrap_err();
    assert!(
        late.is_cancelled() && late.to_string().contains("closed"),
        "{late}"
    );
    let payload = catch_unwind(AssertUnwindSafe(|| rt.handle().block_on(async {}))).unwrap_err();
    assert!(panic_message(payload).contains("closed"));
    let payload = catch_unwind(AssertUnwindSafe(|| rt.block_on(async {}))).unwrap_err();
    assert!(panic_message(payload).contains("closed"));
    let payload = catch_unwind(AssertUnwindSafe(|| rt.run_forever())).unwrap_err();
    assert!(panic_message(payload).contains("closed"));
}

#[test]
fn a_socket_of_a_closed_local_runtime_says_what_to_do() {
    let rt = LocalRuntime::new().unwrap();
    let listener =
        rt.block_on(async { weft::net::TcpListener::bind("127.0.0.1:0").await.unwrap() });
    rt.close();
    let error = futures_lite::future::block_on(listener.accept()).unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("closed") && message.contains("make a new one"),
        "{message}"
    );
}
