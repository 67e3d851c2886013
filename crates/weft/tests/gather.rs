//! Gathering: join_all, try_join_all, join!, JoinSet.

mod common;

use common::{DropCounter, runtime};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use weft::sync::oneshot;
use weft::task::JoinSet;

type BoxFuture<T> = std::pin::Pin<Box<dyn Future<Output = T> + Send>>;

#[test]
fn join_all_keeps_input_order_when_tasks_finish_in_reverse() {
    let rt = runtime(2);
    let out = rt.block_on(async {
        // Task i waits for task i+1 to finish first: they complete in reverse order.
        let (txs, rxs): (Vec<_>, Vec<_>) = (0..10).map(|_| oneshot::channel::<()>()).unzip();
        let mut txs: Vec<Option<oneshot::Sender<()>>> = txs.into_iter().map(Some).collect();
        let finished = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for (i, rx) in rxs.into_iter().enumerate() {
            let unblock_previous = if i > 0 { txs[i - 1].take() } else { None };
            let finished = finished.clone();
            tasks.push(weft::spawn(async move {
                if i < 9 {
                    rx.await.unwrap();
                }
                finished.lock().unwrap().push(i);
                if let Some(tx) = unblock_previous {
                    tx.send(()).unwrap();
                }
                i * 100
            }));
        }
        let results = weft::join_all(tasks).await;
        let order = finished.lock().unwrap().clone();
        (
            results.into_iter().map(Result::unwrap).collect::<Vec<_>>(),
            order,
        )
    });
    assert_eq!(out.0, (0..10).map(|i| i * 100).collect::<Vec<_>>());
    assert_eq!(
        out.1,
        (0..10).rev().collect::<Vec<_>>(),
        "they finished in reverse"
    );
}

#[test]
fn join_all_of_plain_futures_that_depend_on_each_other_completes() {
    let rt = runtime(1);
    let out = rt.block_on(async {
        let (tx, rx) = oneshot::channel();
        let first = Box::pin(async move { rx.await.unwrap() }) as BoxFuture<u32>;
        let second = Box::pin(async move {
            tx.send(7u32).unwrap();
            1u32
        });
        weft::join_all([first, second]).await
    });
    assert_eq!(out, vec![7, 1]);
}

#[test]
fn join_all_with_a_failing_task_reports_each_result() {
    let rt = runtime(2);
    let results = rt.block_on(async {
        let ok = weft::spawn(async { 1 });
        let bad = weft::spawn(async { panic!("task failed") });
        weft::join_all([ok, bad]).await
    });
    assert_eq!(*results[0].as_ref().unwrap(), 1);
    assert!(results[1].as_ref().unwrap_err().is_panic());
}

#[test]
fn try_join_all_returns_the_first_error_and_drops_the_rest() {
    let rt = runtime(1);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let result: Result<Vec<u32>, String> = rt.block_on(async move {
        let futures: Vec<BoxFuture<Result<u32, String>>> = vec![
            Box::pin(async { Ok(1u32) }),
            Box::pin(async { Err("second failed".to_owned()) }),
            {
                let guard = DropCounter(d.clone());
                Box::pin(async move {
                    let _guard = guard;
                    std::future::pending::<()>().await;
                    Ok(3)
                })
            },
        ];
        weft::try_join_all(futures).await
    });
    assert_eq!(result, Err("second failed".to_owned()));
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the pending future was dropped"
    );
}

#[test]
fn try_join_all_collects_every_success_in_order() {
    let rt = runtime(2);
    let out: Result<Vec<u64>, weft::task::JoinError> = rt.block_on(async {
        let tasks = (0..100u64).map(|i| async move { weft::spawn(async move { i }).await });
        weft::try_join_all(tasks).await
    });
    assert_eq!(out.unwrap(), (0..100).collect::<Vec<_>>());
}

#[test]
fn join_macro_returns_a_tuple_of_outputs() {
    let rt = runtime(2);
    let (a, b, c) = rt.block_on(async {
        let (tx, rx) = oneshot::channel();
        weft::join!(
            async { rx.await.unwrap() + 1 },
            async move {
                tx.send(41).unwrap();
                "sent"
            },
            weft::spawn(async { 3.5 }),
        )
    });
    assert_eq!(a, 42);
    assert_eq!(b, "sent");
    assert_eq!(c.unwrap(), 3.5);
}

#[test]
fn join_set_returns_every_task_in_completion_order() {
    let rt = runtime(2);
    let (order, len_before) = rt.block_on(async {
        let mut set = JoinSet::new();
        let mut gates = Vec::new();
        for i in 0..5u32 {
            let (tx, rx) = oneshot::channel::<()>();
            gates.push(tx);
            set.spawn(async move {
                rx.await.unwrap();
                i
            });
        }
        let len_before = set.len();
        let mut order = Vec::new();
        // Release them in reverse; each is returned as it finishes.
        for gate in gates.into_iter().rev() {
            gate.send(()).unwrap();
            order.push(set.join_next().await.unwrap().unwrap());
        }
        assert!(set.join_next().await.is_none());
        assert!(set.is_empty());
        (order, len_before)
    });
    assert_eq!(len_before, 5);
    assert_eq!(order, vec![4, 3, 2, 1, 0]);
}

#[test]
fn join_set_abort_all_cancels_and_still_returns_them() {
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let cancelled = rt.block_on(async move {
        let mut set = JoinSet::new();
        for _ in 0..10 {
            let guard = DropCounter(d.clone());
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
        }
        set.abort_all();
        assert_eq!(set.len(), 10, "aborted tasks count until returned");
        let mut cancelled = 0;
        while let Some(r) = set.join_next().await {
            assert!(r.unwrap_err().is_cancelled());
            cancelled += 1;
        }
        cancelled
    });
    assert_eq!(cancelled, 10);
    assert_eq!(drops.load(Ordering::SeqCst), 10);
}

#[test]
fn dropping_a_join_set_aborts_its_tasks() {
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let (started_tx, started_rx) = mpsc::channel();
    let mut set = JoinSet::new();
    for _ in 0..4 {
        let guard = DropCounter(drops.clone());
        let started = started_tx.clone();
        set.spawn_on(
            async move {
                let _guard = guard;
                started.send(()).unwrap();
                std::future::pending::<()>().await;
            },
            rt.handle(),
        );
    }
    for _ in 0..4 {
        started_rx.recv().unwrap();
    }
    drop(set);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while drops.load(Ordering::SeqCst) < 4 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    assert_eq!(
        drops.load(Ordering::SeqCst),
        4,
        "every task's future was dropped"
    );
}

#[test]
fn join_set_shutdown_waits_for_every_task_to_go() {
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    rt.block_on(async move {
        let mut set = JoinSet::new();
        for _ in 0..8 {
            let guard = DropCounter(d.clone());
            set.spawn(async move {
                let _guard = guard;
                std::future::pending::<()>().await;
            });
        }
        set.shutdown().await;
        assert!(set.is_empty());
    });
    assert_eq!(drops.load(Ordering::SeqCst), 8);
}

#[test]
fn a_join_set_of_ten_thousand_tasks_drains() {
    let rt = runtime(2);
    let sum = rt.block_on(async {
        let mut set = JoinSet::new();
        for i in 0..10_000u64 {
            set.spawn(async move {
                weft::task::yield_now().await;
                i
            });
        }
        let mut sum = 0;
        while let Some(r) = set.join_next().await {
            sum += r.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..10_000u64).sum());
}
