//! `AbortHandle` (cancel a task without owning its `JoinHandle`) and the JoinSet methods that
//! hand them out: `spawn`, `build_task`, `spawn_blocking`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use weft::task::JoinSet;

struct SetOnDrop(Arc<AtomicBool>);

impl Drop for SetOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

fn runtime(workers: usize) -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(workers)
        .max_blocking_threads(1)
        .build()
        .unwrap()
}

#[test]
fn an_abort_handle_cancels_from_another_thread_and_the_future_is_dropped_first() {
    let rt = runtime(2);
    rt.block_on(async {
        let dropped = Arc::new(AtomicBool::new(false));
        let guard = SetOnDrop(dropped.clone());
        let handle = weft::spawn(async move {
            let _guard = guard;
            std::future::pending::<()>().await;
        });
        let abort = handle.abort_handle();
        assert_eq!(abort.id(), handle.id());
        assert!(!abort.is_finished());
        std::thread::spawn(move || abort.abort()).join().unwrap();
        let err = handle.await.unwrap_err();
        assert!(err.is_cancelled());
        assert!(
            dropped.load(Ordering::SeqCst),
            "the future was dropped before the handle resolved"
        );
    });
    rt.close();
}

#[test]
fn an_abort_handle_outlives_the_task_and_its_join_handle() {
    let rt = runtime(1);
    let abort = rt.block_on(async {
        let handle = weft::spawn(async { 5 });
        let abort = handle.abort_handle();
        let copy = abort.clone();
        assert_eq!(handle.await.unwrap(), 5, "aborting later changes nothing");
        drop(abort);
        copy
    });
    // The task finished and its JoinHandle is gone; the handle still answers.
    assert!(abort.is_finished());
    abort.abort();
    assert!(abort.is_finished());
    rt.close();
    abort.abort();
}

#[test]
fn a_join_set_abort_handle_cancels_that_task_only() {
    let rt = runtime(2);
    rt.block_on(async {
        let mut set = JoinSet::new();
        let stuck = set.spawn(async {
            std::future::pending::<()>().await;
            0
        });
        for i in 1..=3 {
            set.spawn(async move { i });
        }
        stuck.abort();
        let mut outputs = Vec::new();
        let mut cancelled = 0;
        while let Some(result) = set.join_next().await {
            match result {
                Ok(v) => outputs.push(v),
                Err(e) if e.is_cancelled() => cancelled += 1,
                Err(e) => panic!("{e}"),
            }
        }
        outputs.sort_unstable();
        assert_eq!(outputs, [1, 2, 3]);
        assert_eq!(cancelled, 1);
        assert!(stuck.is_finished());
    });
    rt.close();
}

#[test]
fn build_task_names_a_task_in_the_set() {
    let rt = runtime(1);
    rt.block_on(async {
        let mut set = JoinSet::new();
        let abort = set
            .build_task()
            .name("worker-7")
            .spawn(async { weft::task::current().and_then(|t| t.name().map(str::to_owned)) });
        assert_eq!(set.len(), 1);
        let name = set.join_next().await.unwrap().unwrap();
        assert_eq!(name.as_deref(), Some("worker-7"));
        assert!(abort.is_finished());
    });
    rt.close();
}

#[test]
fn spawn_blocking_in_a_set_returns_the_result_and_an_abort_stops_a_job_not_started() {
    let rt = runtime(2);
    rt.block_on(async {
        let mut set = JoinSet::new();
        // The pool has one thread: the first job holds it, so the second waits in the queue.
        let (started_tx, started_rx) = weft::sync::oneshot::channel();
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        set.spawn_blocking(move || {
            started_tx.send(()).unwrap();
            release_rx.recv().unwrap();
            1
        });
        let ran = Arc::new(AtomicBool::new(false));
        let flag = ran.clone();
        let queued = set.spawn_blocking(move || {
            flag.store(true, Ordering::SeqCst);
            2
        });
        started_rx.await.unwrap();
        queued.abort();
        release_tx.send(()).unwrap();
        let mut got = Vec::new();
        while let Some(result) = set.join_next().await {
            got.push(result.map_err(|e| e.is_cancelled()));
        }
        got.sort_unstable();
        assert_eq!(got, [Ok(1), Err(true)]);
        assert!(
            !ran.load(Ordering::SeqCst),
            "an aborted job that had not started never runs"
        );
    });
    rt.close();
}
