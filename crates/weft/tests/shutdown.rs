//! Cancellation, panics and closing the runtime, as a user sees them.

mod common;

use common::{DropCounter, eventually, runtime, threads_named};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;
use weft::runtime::Builder;

/// A future that never completes.
fn forever() -> std::future::Pending<()> {
    std::future::pending()
}

#[test]
fn abort_drops_an_idle_future_and_the_handle_says_cancelled() {
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel();
    let guard = DropCounter(drops.clone());
    let task = rt.spawn(async move {
        let _guard = guard;
        started_tx.send(()).unwrap();
        forever().await;
    });
    started_rx.recv().unwrap();
    task.abort();
    let err = rt.block_on(task).unwrap_err();
    assert!(err.is_cancelled());
    assert!(!err.is_panic());
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the future's destructor ran once"
    );
}

#[test]
fn abort_before_the_first_poll_never_runs_the_task() {
    let rt = runtime(1);
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let (block_tx, block_rx) = mpsc::channel::<()>();
    // Occupy the only worker so the next task cannot start before it is aborted.
    let blocker = rt.spawn(async move { block_rx.recv().unwrap() });
    let task = rt.spawn(async move {
        r.fetch_add(1, Ordering::SeqCst);
    });
    task.abort();
    block_tx.send(()).unwrap();
    assert!(rt.block_on(task).unwrap_err().is_cancelled());
    rt.block_on(blocker).unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn aborting_a_finished_task_changes_nothing() {
    let rt = runtime(1);
    let task = rt.spawn(async { 5 });
    while !task.is_finished() {
        std::thread::yield_now();
    }
    task.abort();
    assert_eq!(rt.block_on(task).unwrap(), 5);
}

#[test]
fn a_panicking_task_yields_is_panic_and_the_worker_keeps_serving() {
    let rt = runtime(1);
    let bad = rt.spawn(async { panic!("boom") });
    let err = rt.block_on(bad).unwrap_err();
    assert!(err.is_panic());
    assert!(err.to_string().contains("boom"), "{err}");
    let payload = err.into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
    // The single worker survived and still runs tasks.
    let good = rt.spawn(async { 1 + 1 });
    assert_eq!(rt.block_on(good).unwrap(), 2);
}

#[test]
fn a_panicking_destructor_during_abort_does_not_take_down_the_worker() {
    struct PanicOnDrop;
    impl Drop for PanicOnDrop {
        fn drop(&mut self) {
            panic!("destructor panic");
        }
    }
    let rt = runtime(1);
    let (tx, rx) = mpsc::channel();
    let task = rt.spawn(async move {
        let _p = PanicOnDrop;
        tx.send(()).unwrap();
        forever().await;
    });
    rx.recv().unwrap();
    task.abort();
    let err = rt.block_on(task).unwrap_err();
    assert!(err.is_panic());
    assert_eq!(rt.block_on(rt.spawn(async { 3 })).unwrap(), 3);
}

#[test]
fn close_drops_pending_futures_resolves_handles_and_joins_threads() {
    let rt = Builder::new()
        .worker_threads(2)
        .thread_name("closetest")
        .build()
        .unwrap();
    assert!(
        eventually(|| threads_named("closetest-") == 2),
        "both workers started"
    );

    // A thread-local whose destructor counts: it runs when a worker thread exits, before a
    // join of that thread returns. Two tasks meet at a barrier, so each worker gets one.
    thread_local! {
        static EXIT: std::cell::RefCell<Option<DropCounter>> = const { std::cell::RefCell::new(None) };
    }
    let exited = Arc::new(AtomicUsize::new(0));
    let barrier = Arc::new(std::sync::Barrier::new(2));
    let markers: Vec<_> = (0..2)
        .map(|_| {
            let (exited, barrier) = (exited.clone(), barrier.clone());
            rt.spawn(async move {
                EXIT.with(|e| *e.borrow_mut() = Some(DropCounter(exited)));
                barrier.wait();
            })
        })
        .collect();
    rt.block_on(async {
        for m in markers {
            m.await.unwrap();
        }
    });

    let drops = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let guard = DropCounter(drops.clone());
        let started = started_tx.clone();
        tasks.push(rt.spawn(async move {
            let _guard = guard;
            let _ = started.send(());
            forever().await;
        }));
    }
    for _ in 0..50 {
        started_rx.recv().unwrap();
    }
    rt.close();
    assert!(rt.is_closed());
    assert_eq!(
        drops.load(Ordering::SeqCst),
        50,
        "every pending future was dropped"
    );
    assert_eq!(
        exited.load(Ordering::SeqCst),
        2,
        "both worker threads exited and were joined"
    );
    // The kernel may list an exited thread for a moment after the join.
    assert!(
        eventually(|| threads_named("closetest-") == 0),
        "no worker thread is left"
    );
    for task in tasks {
        assert!(task.is_finished());
        let err = futures_lite::future::block_on(task).unwrap_err();
        assert!(err.is_cancelled());
    }
    rt.close(); // idempotent
}

#[test]
fn close_drops_queued_tasks_that_never_ran() {
    let rt = runtime(1);
    let drops = Arc::new(AtomicUsize::new(0));
    let (block_tx, block_rx) = mpsc::channel::<()>();
    let blocker = rt.spawn(async move {
        let _ = block_rx.recv();
    });
    let queued: Vec<_> = (0..10)
        .map(|_| {
            let guard = DropCounter(drops.clone());
            rt.spawn(async move {
                let _guard = guard;
            })
        })
        .collect();
    // Release the blocker from another thread while close is waiting for the worker.
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        // The blocker may have been cancelled before it ever ran; then nobody listens.
        let _ = block_tx.send(());
    });
    rt.close();
    releaser.join().unwrap();
    assert_eq!(drops.load(Ordering::SeqCst), 10);
    for t in queued {
        // Each either ran before close saw it, or was cancelled: it resolved either way.
        assert!(t.is_finished());
    }
    assert!(blocker.is_finished());
}

#[test]
fn spawn_after_close_resolves_to_a_cancelled_error() {
    let rt = runtime(1);
    rt.close();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCounter(drops.clone());
    let task = rt.spawn(async move {
        let _guard = guard;
        1
    });
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the future was dropped at once"
    );
    let err = futures_lite::future::block_on(task).unwrap_err();
    assert!(err.is_cancelled());
    let via_handle = rt.handle().spawn(async { 2 });
    assert!(
        futures_lite::future::block_on(via_handle)
            .unwrap_err()
            .is_cancelled()
    );
}

#[test]
fn a_task_that_spawns_while_the_runtime_closes_loses_nothing() {
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    // Each task spawns a successor from its destructor and body; close must still drop all.
    let task = rt.spawn(async move {
        loop {
            let guard = DropCounter(d.clone());
            weft::spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
            weft::task::yield_now().await;
        }
    });
    std::thread::sleep(Duration::from_millis(20));
    let handle = rt.handle().clone();
    drop(rt);
    assert!(handle.is_closed());
    assert_eq!(handle.num_live_tasks(), 0);
    assert!(
        futures_lite::future::block_on(task)
            .unwrap_err()
            .is_cancelled()
    );
    assert!(drops.load(Ordering::SeqCst) > 0);
}

#[test]
fn dropping_a_runtime_inside_a_task_of_another_runtime_works() {
    let outer = runtime(1);
    let inner = runtime(1);
    let inner_task = inner.spawn(async { 9 });
    outer
        .block_on(outer.spawn(async move {
            drop(inner);
        }))
        .unwrap();
    // inner_task either completed before the close or was cancelled by it.
    let _ = futures_lite::future::block_on(inner_task);
}

#[test]
fn dropping_a_runtime_in_a_thread_local_destructor_works() {
    struct Holder(#[allow(dead_code)] weft::Runtime);
    thread_local! {
        static RT: std::cell::RefCell<Option<Holder>> = const { std::cell::RefCell::new(None) };
    }
    std::thread::spawn(|| {
        let rt = runtime(1);
        rt.block_on(async { weft::spawn(async {}).await.unwrap() });
        RT.with(|r| *r.borrow_mut() = Some(Holder(rt)));
    })
    .join()
    .unwrap();
}

#[test]
fn dropping_the_join_handle_of_a_finished_task_drops_its_output_once() {
    let rt = runtime(1);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let task = rt.spawn(async move { DropCounter(d) });
    while !task.is_finished() {
        std::thread::yield_now();
    }
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(task);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn the_output_of_a_detached_task_is_dropped_when_it_completes() {
    let rt = runtime(1);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let (tx, rx) = mpsc::channel::<()>();
    drop(rt.spawn(async move {
        rx.recv().unwrap();
        DropCounter(d)
    }));
    tx.send(()).unwrap();
    assert!(
        eventually(|| drops.load(Ordering::SeqCst) == 1),
        "output dropped on completion"
    );
    rt.close();
    assert_eq!(drops.load(Ordering::SeqCst), 1, "and only once");
}
