//! Observing a running runtime: task snapshots, the task dump, metrics.

mod common;

use std::future::pending;
use std::time::Duration;
use weft::task::{TaskState, all_tasks};

fn runtime(workers: usize) -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(workers)
        .build()
        .unwrap()
}

#[test]
fn snapshots_show_names_states_parents_locations_and_polls() {
    let rt = runtime(2);
    rt.block_on(async {
        let (tx, rx) = weft::sync::oneshot::channel::<()>();
        let waiter_line = line!() + 1;
        let waiter = weft::task::Builder::new().name("waiter").spawn(rx);
        let (report_tx, report_rx) = weft::sync::oneshot::channel();
        let parent_line = line!() + 1;
        let parent = weft::task::Builder::new().name("parent").spawn(async move {
            let me = weft::task::current().unwrap().id();
            let named = weft::task::Builder::new().name("child");
            let child_line = line!() + 1;
            let child = named.spawn(pending::<()>());
            for _ in 0..3 {
                weft::task::yield_now().await;
            }
            // Seen from inside: this task is running, its child idle.
            report_tx
                .send((me, child.id(), child_line, all_tasks()))
                .unwrap();
            pending::<()>().await;
        });
        let (me, child_id, child_line, seen) = report_rx.await.unwrap();
        assert_eq!(me, parent.id());
        let find = |id| seen.iter().find(|t| t.id() == id).unwrap().clone();

        let parent_snap = find(parent.id());
        assert_eq!(parent_snap.name(), Some("parent"));
        assert_eq!(parent_snap.state(), TaskState::Running);
        assert_eq!(parent_snap.spawned_at().file(), file!());
        assert_eq!(parent_snap.spawned_at().line(), parent_line);
        assert!(parent_snap.polls() >= 4, "polls: {}", parent_snap.polls());
        assert_eq!(
            parent_snap.parent(),
            None,
            "spawned from block_on, not from a task"
        );

        let child = find(child_id);
        assert_eq!(child.name(), Some("child"));
        assert_eq!(child.parent(), Some(parent.id()));
        assert_eq!(child.spawned_at().line(), child_line);

        let waiter_snap = find(waiter.id());
        assert_eq!(waiter_snap.state(), TaskState::Idle);
        assert_eq!(waiter_snap.spawned_at().line(), waiter_line);
        assert_eq!(waiter_snap.polls(), 1);

        // Polls grow; a finished task is gone.
        tx.send(()).unwrap();
        waiter.await.unwrap().unwrap();
        let now = weft::runtime::Handle::current().tasks();
        assert!(now.iter().all(|t| t.id() != child_id || t.polls() >= 1));
        assert!(
            now.iter().all(|t| t.name() != Some("waiter")),
            "a finished task is not listed"
        );
        parent.abort();
    });
}

#[test]
fn the_dump_is_a_table_with_children_under_their_parent() {
    let rt = runtime(1);
    let dump = rt.block_on(async {
        let (ready_tx, ready_rx) = weft::sync::oneshot::channel();
        let root = weft::task::Builder::new().name("root").spawn(async move {
            let _kid = weft::task::Builder::new()
                .name("kid")
                .spawn(std::future::pending::<()>());
            // One worker: after a few yields the kid has had its first poll (it is idle).
            for _ in 0..3 {
                weft::task::yield_now().await;
            }
            ready_tx.send(()).unwrap();
            pending::<()>().await;
        });
        ready_rx.await.unwrap();
        let dump = weft::runtime::Handle::current().dump().to_string();
        root.abort();
        dump
    });
    let lines: Vec<&str> = dump.lines().collect();
    assert!(lines[0].starts_with("id"), "{dump}");
    let root = lines
        .iter()
        .position(|l| l.contains(" root "))
        .expect(&dump);
    let kid = lines
        .iter()
        .position(|l| l.contains("  kid "))
        .expect(&dump);
    assert_eq!(kid, root + 1, "the child follows its parent:\n{dump}");
    assert!(lines[kid].contains("observe.rs:"), "{dump}");
    assert!(lines[kid].contains("idle"), "{dump}");
}

#[test]
fn metrics_move_with_known_work() {
    let rt = runtime(2);
    let before = rt.handle().metrics();
    assert_eq!(before.num_workers(), 2);
    rt.block_on(async {
        let tasks: Vec<_> = (0..100)
            .map(|_| weft::spawn(async { weft::task::yield_now().await }))
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        weft::spawn_blocking(|| std::thread::sleep(Duration::from_millis(1)))
            .await
            .unwrap();
    });
    // Let the workers go idle.
    std::thread::sleep(Duration::from_millis(20));
    let after = rt.handle().metrics();
    assert!(after.spawned_tasks() >= before.spawned_tasks() + 100);
    let polls: u64 = (0..2).map(|i| after.worker_polls(i)).sum();
    assert!(polls >= 200, "100 tasks polled twice each: {polls}");
    let parks: u64 = (0..2).map(|i| after.worker_parks(i)).sum();
    assert!(parks >= 1, "idle workers parked");
    assert!(after.blocking_threads() >= 1);
    assert_eq!(after.blocking_queue_depth(), 0);
    assert_eq!(after.injector_depth(), 0);
    assert_eq!(after.num_alive_tasks(), 0);
    assert_eq!(
        (0..2)
            .map(|i| after.worker_local_queue_depth(i))
            .sum::<usize>(),
        0
    );
}

#[test]
fn all_tasks_outside_a_runtime_panics_saying_so() {
    let message = common::panic_message(std::panic::catch_unwind(all_tasks).unwrap_err());
    assert!(message.contains("outside a runtime"), "{message}");
}

#[test]
fn a_local_runtime_lists_its_tasks_too() {
    let rt = weft::LocalRuntime::new().unwrap();
    let line = line!() + 1;
    let task = rt.spawn_local(std::future::pending::<()>());
    rt.block_on(weft::task::yield_now());
    let tasks = rt.handle().tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].id(), task.id());
    assert_eq!(tasks[0].spawned_at().line(), line);
    assert_eq!(tasks[0].state(), TaskState::Idle);
}

#[test]
fn ages_count_from_the_spawn_wherever_it_was_spawned() {
    let rt = runtime(2);
    // From this thread (no runtime's): stamped at the spawn, before any poll.
    let outside = rt.spawn(std::future::pending::<()>());
    // From a task on a worker (that worker's coarse clock).
    let inside = rt
        .block_on(rt.spawn(async {
            let child = weft::spawn(std::future::pending::<()>());
            child.id()
        }))
        .unwrap();
    std::thread::sleep(Duration::from_millis(20));
    let tasks = rt.handle().tasks();
    for id in [outside.id(), inside] {
        let task = tasks.iter().find(|t| t.id() == id).unwrap();
        assert!(
            task.age() >= Duration::from_millis(20),
            "task {id}: age {:?} after a 20 ms sleep",
            task.age()
        );
    }
}

#[test]
fn a_local_runtime_counts_its_work() {
    let rt = weft::LocalRuntime::new().unwrap();
    let before = rt.handle().metrics();
    assert_eq!(before.num_workers(), 1);
    let tasks: Vec<_> = (0..100)
        .map(|_| rt.spawn_local(weft::task::yield_now()))
        .collect();
    rt.block_on(async {
        for t in tasks {
            t.await.unwrap();
        }
        // Nothing else to run: the loop parks until the timer fires.
        weft::time::sleep(Duration::from_millis(1)).await;
    });
    let after = rt.handle().metrics();
    assert_eq!(after.spawned_tasks(), before.spawned_tasks() + 100);
    assert!(
        after.worker_polls(0) >= 200,
        "100 tasks polled twice each: {}",
        after.worker_polls(0)
    );
    assert!(after.worker_parks(0) >= 1, "the loop slept for the timer");
    assert_eq!(after.num_alive_tasks(), 0);
    assert_eq!(after.injector_depth(), 0);
    // Spawned from another thread: queued for the loop, seen as the injector's depth.
    let handle = rt.handle().clone();
    let remote = std::thread::spawn(move || handle.spawn(async {}))
        .join()
        .unwrap();
    assert_eq!(rt.handle().metrics().injector_depth(), 1);
    rt.block_on(remote).unwrap();
    assert_eq!(rt.handle().metrics().injector_depth(), 0);
}

#[test]
fn tasks_queued_behind_a_blocked_worker_run_on_the_other_worker() {
    // A task spawns 100 tasks (onto its own worker's LIFO slot and queue), then blocks that
    // worker until all 100 have run. Only the other worker can run them; if it does not take
    // them from the blocked worker, the wait below gives up and the test fails.
    let rt = runtime(2);
    let finished = rt.block_on(async {
        weft::spawn(async {
            let (done_tx, done_rx) = std::sync::mpsc::channel();
            let remaining = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(100));
            for _ in 0..100 {
                let (done_tx, remaining) = (done_tx.clone(), remaining.clone());
                drop(weft::spawn(async move {
                    if remaining.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                        done_tx.send(()).unwrap();
                    }
                }));
            }
            // Blocks this worker (the bug this test is about would make it wait 60 s).
            done_rx.recv_timeout(Duration::from_secs(60)).is_ok()
        })
        .await
        .unwrap()
    });
    assert!(finished, "the queued tasks waited for the blocked worker");
}
