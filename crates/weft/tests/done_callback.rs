//! `JoinHandle::add_done_callback` (asyncio `Task.add_done_callback`): order, outcomes, late
//! adds, dropped handles, close, where callbacks run, and panicking callbacks.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use weft::task::Outcome;

const WAIT: Duration = Duration::from_secs(10);

fn runtime(workers: usize, prefix: &str) -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(workers)
        .thread_name(prefix)
        .build()
        .unwrap()
}

/// Sets its flag when dropped: tells whether a closure (and what it captured) was dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[test]
fn callbacks_run_once_each_in_the_order_added() {
    let rt = runtime(2, "done-order");
    let (release, released) = weft::sync::oneshot::channel::<()>();
    let task = rt.spawn(async move {
        let _ = released.await;
    });
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    for i in 0..20 {
        let (log, tx) = (log.clone(), tx.clone());
        task.add_done_callback(move |outcome| {
            log.lock().unwrap().push(i);
            tx.send(outcome).unwrap();
        });
    }
    assert!(
        rx.try_recv().is_err(),
        "no callback runs before the task finished"
    );
    release.send(()).unwrap();
    for _ in 0..20 {
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Completed);
    }
    // Added after the task finished (some while the earlier ones may still run): still in order.
    for i in 20..40 {
        let (log, tx) = (log.clone(), tx.clone());
        task.add_done_callback(move |outcome| {
            log.lock().unwrap().push(i);
            tx.send(outcome).unwrap();
        });
    }
    for _ in 20..40 {
        assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Completed);
    }
    drop(tx);
    assert!(
        rx.recv_timeout(Duration::from_millis(50)).is_err(),
        "one run each"
    );
    assert_eq!(*log.lock().unwrap(), (0..40).collect::<Vec<_>>());
    rt.close();
}

#[test]
fn callbacks_of_one_task_run_one_at_a_time_also_when_added_after_it_finished() {
    let rt = runtime(4, "done-serial");
    let mut task = rt.spawn(async {});
    rt.block_on(&mut task).unwrap();
    let in_flight = Arc::new(AtomicUsize::new(0));
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    for i in 0..20 {
        let (in_flight, log, tx) = (in_flight.clone(), log.clone(), tx.clone());
        task.add_done_callback(move |_| {
            let overlapping = in_flight.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(2));
            in_flight.fetch_sub(1, Ordering::SeqCst);
            log.lock().unwrap().push(i);
            tx.send(overlapping).unwrap();
        });
    }
    for _ in 0..20 {
        assert_eq!(
            rx.recv_timeout(WAIT).unwrap(),
            0,
            "two callbacks ran at once"
        );
    }
    assert_eq!(*log.lock().unwrap(), (0..20).collect::<Vec<_>>());
    rt.close();
}

fn outcome_of(task: &weft::task::JoinHandle<()>) -> Outcome {
    let (tx, rx) = mpsc::channel();
    task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    rx.recv_timeout(WAIT).unwrap()
}

#[test]
fn a_completed_task_reports_completed() {
    let rt = runtime(1, "done-completed");
    let task = rt.spawn(async {});
    assert_eq!(outcome_of(&task), Outcome::Completed);
    assert!(rt.block_on(task).is_ok());
}

#[test]
fn a_panicked_task_reports_panicked() {
    let rt = runtime(1, "done-panicked");
    let task = rt.spawn(async { panic!("the task panics") });
    assert_eq!(outcome_of(&task), Outcome::Panicked);
    assert!(rt.block_on(task).unwrap_err().is_panic());
}

#[test]
fn an_aborted_task_reports_cancelled() {
    let rt = runtime(1, "done-aborted");
    let task = rt.spawn(std::future::pending::<()>());
    let (tx, rx) = mpsc::channel();
    task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    task.abort();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Cancelled);
    assert!(rt.block_on(task).unwrap_err().is_cancelled());
}

#[test]
fn a_callback_added_after_the_task_finished_runs_at_once() {
    let rt = runtime(1, "done-late");
    let mut task = rt.spawn(async { 5 });
    // Finished, and its output already taken: the outcome is still known.
    assert_eq!(rt.block_on(&mut task).unwrap(), 5);
    assert!(task.is_finished());
    let (tx, rx) = mpsc::channel();
    task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Completed);

    let failed = rt.spawn(async { panic!("late panic") });
    while !failed.is_finished() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let (tx, rx) = mpsc::channel();
    failed.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Panicked);
}

#[test]
fn a_callback_runs_after_its_join_handle_was_dropped() {
    let rt = runtime(2, "done-detached");
    let (release, released) = weft::sync::oneshot::channel::<()>();
    let task = rt.spawn(async move {
        let _ = released.await;
    });
    let (tx, rx) = mpsc::channel();
    task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    drop(task);
    release.send(()).unwrap();
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Completed);
    rt.close();
}

#[test]
fn after_close_a_callback_is_dropped_and_never_called() {
    let rt = runtime(2, "done-close");
    let pending = rt.spawn(std::future::pending::<()>());
    let (called, dropped) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let (c, flag) = (called.clone(), DropFlag(dropped.clone()));
    pending.add_done_callback(move |_| {
        let _flag = flag;
        c.store(true, Ordering::SeqCst);
    });
    rt.close();
    assert!(dropped.load(Ordering::SeqCst), "close drops the callback");
    // Nothing is left to call it later, either.
    std::thread::sleep(Duration::from_millis(20));
    assert!(
        !called.load(Ordering::SeqCst),
        "a callback never runs after close"
    );
    assert!(pending.is_finished());

    // Added after close, to the task close cancelled: dropped at once, never called.
    let (called, dropped) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let (c, flag) = (called.clone(), DropFlag(dropped.clone()));
    pending.add_done_callback(move |_| {
        let _flag = flag;
        c.store(true, Ordering::SeqCst);
    });
    assert!(dropped.load(Ordering::SeqCst));
    assert!(!called.load(Ordering::SeqCst));
}

#[test]
fn callbacks_run_on_a_worker_of_the_runtime_as_a_step_of_their_own() {
    let rt = runtime(2, "done-where");
    let (release, released) = weft::sync::oneshot::channel::<()>();
    let task = rt.spawn(async move {
        let _ = released.await;
    });
    let id = task.id();
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    let report = move |tx: mpsc::Sender<(Option<String>, Option<weft::task::TaskId>)>| {
        move |_| {
            let name = std::thread::current().name().map(str::to_owned);
            let current = weft::task::current().map(|t| t.id());
            tx.send((name, current)).unwrap();
        }
    };
    task.add_done_callback(report(tx));
    release.send(()).unwrap();
    // One added from this (non-worker) thread after the task finished goes to a worker too.
    while !task.is_finished() {
        std::thread::sleep(Duration::from_millis(1));
    }
    task.add_done_callback(report(tx2));
    for _ in 0..2 {
        let (name, current) = rx.recv_timeout(WAIT).unwrap();
        let name = name.expect("workers are named");
        assert!(name.starts_with("done-where-"), "ran on {name}");
        assert!(!name.contains("blocking"), "ran on {name}");
        // Inside a task of its own (a fresh scheduling step), not the finished task's harness.
        assert!(current.is_some() && current != Some(id), "{current:?}");
    }
    rt.close();
}

#[test]
fn a_local_runtime_runs_callbacks_on_the_loop_thread() {
    let rt = weft::LocalRuntime::new().unwrap();
    let loop_thread = std::thread::current().id();
    let (tx, rx) = mpsc::channel();
    let ran = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        // A `!Send` task of the loop and a `Send` one spawned through the handle.
        let local = weft::task::spawn_local(async {
            let rc = std::rc::Rc::new(1);
            weft::task::yield_now().await;
            *rc
        });
        let sent = rt.handle().spawn(async { 2 });
        for task_tx in [tx.clone(), tx.clone()] {
            let ran = ran.clone();
            local.add_done_callback(move |outcome| {
                ran.fetch_add(1, Ordering::SeqCst);
                task_tx
                    .send((std::thread::current().id(), outcome))
                    .unwrap();
            });
        }
        let (ran2, tx2) = (ran.clone(), tx.clone());
        sent.add_done_callback(move |outcome| {
            ran2.fetch_add(1, Ordering::SeqCst);
            tx2.send((std::thread::current().id(), outcome)).unwrap();
        });
        assert_eq!(local.await.unwrap(), 1);
        assert_eq!(sent.await.unwrap(), 2);
        while ran.load(Ordering::SeqCst) < 3 {
            weft::task::yield_now().await;
        }
    });
    for _ in 0..3 {
        let (thread, outcome) = rx.try_recv().unwrap();
        assert_eq!(thread, loop_thread);
        assert_eq!(outcome, Outcome::Completed);
    }
    rt.close();
}

#[test]
fn a_local_runtime_drops_callbacks_at_close() {
    let rt = weft::LocalRuntime::new().unwrap();
    let pending = rt.spawn_local(std::future::pending::<()>());
    let (called, dropped) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicBool::new(false)),
    );
    let (c, flag) = (called.clone(), DropFlag(dropped.clone()));
    pending.add_done_callback(move |_| {
        let _flag = flag;
        c.store(true, Ordering::SeqCst);
    });
    rt.close();
    assert!(dropped.load(Ordering::SeqCst));
    assert!(!called.load(Ordering::SeqCst));
}

#[test]
fn a_blocking_job_runs_its_callbacks_on_its_pool() {
    let rt = runtime(1, "done-blocking");
    let job = rt.spawn_blocking(|| 3);
    let (tx, rx) = mpsc::channel();
    job.add_done_callback(move |outcome| {
        let name = std::thread::current().name().map(str::to_owned);
        tx.send((name, outcome)).unwrap();
    });
    let (name, outcome) = rx.recv_timeout(WAIT).unwrap();
    assert_eq!(outcome, Outcome::Completed);
    let name = name.unwrap();
    assert!(name.starts_with("done-blocking-"), "ran on {name}");
    assert_eq!(rt.block_on(job).unwrap(), 3);

    let failed = rt.spawn_blocking(|| panic!("the job panics"));
    let (tx, rx) = mpsc::channel();
    failed.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Panicked);
    rt.close();
}

#[test]
fn a_panicking_callback_leaves_the_runtime_and_the_other_callbacks_working() {
    // One worker: the panic happens on the only thread that runs tasks.
    let rt = runtime(1, "done-panic");
    let task = rt.spawn(async { 1 });
    let (tx, rx) = mpsc::channel();
    let tx2 = tx.clone();
    task.add_done_callback(move |outcome| tx.send((1, outcome)).unwrap());
    task.add_done_callback(|_| panic!("a done callback panics"));
    task.add_done_callback(move |outcome| tx2.send((3, outcome)).unwrap());
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), (1, Outcome::Completed));
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), (3, Outcome::Completed));
    // The worker is alive: tasks and new callbacks still run.
    assert_eq!(rt.block_on(rt.spawn(async { 2 })).unwrap(), 2);
    let (tx, rx) = mpsc::channel();
    task.add_done_callback(move |outcome| tx.send(outcome).unwrap());
    assert_eq!(rx.recv_timeout(WAIT).unwrap(), Outcome::Completed);
    rt.close();
}

#[test]
fn adds_racing_completion_from_many_threads_each_run_once() {
    let rt = runtime(2, "done-race");
    for _ in 0..200 {
        let task = Arc::new(rt.spawn(async { weft::task::yield_now().await }));
        let count = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = mpsc::channel();
        let threads: Vec<_> = (0..3)
            .map(|_| {
                let (task, count, tx) = (task.clone(), count.clone(), tx.clone());
                std::thread::spawn(move || {
                    task.add_done_callback(move |_| {
                        count.fetch_add(1, Ordering::SeqCst);
                        tx.send(()).unwrap();
                    })
                })
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        for _ in 0..3 {
            rx.recv_timeout(WAIT).unwrap();
        }
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }
    rt.close();
}
