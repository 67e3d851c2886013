//! Whole-runtime loom models: a real two-worker scheduler (`scheduler::start`) built from the
//! shimmed primitives, running tasks spawned from outside (the injector hand-off racing with
//! workers going to sleep), then closed; and a task that closes its own runtime from inside
//! its poll.
//!
//! Checked in every explored interleaving: every spawned task runs and its `JoinHandle`
//! resolves (a lost wake-up shows as a loom deadlock), and close joins the workers.
#![cfg(weft_loom)]

use weft_core::scheduler::{Config, start};

fn config(workers: usize) -> Config {
    Config {
        workers,
        ..Config::default()
    }
}

#[test]
fn a_task_spawned_from_outside_runs_while_workers_go_to_sleep() {
    let mut builder = loom::model::Builder::new();
    // The worker loops make the state space large; bound it so the suite stays fast.
    builder.max_branches = 20_000;
    builder.check(|| {
        let rt = start(config(2)).unwrap();
        let task = rt.spawn(async { 7 });
        assert_eq!(weft_core::block_on(task).unwrap(), 7);
        rt.close();
    });
}

#[test]
fn a_task_woken_from_outside_is_run_again() {
    let mut builder = loom::model::Builder::new();
    builder.max_branches = 20_000;
    builder.check(|| {
        let rt = start(config(1)).unwrap();
        let (tx, rx) = weft_core::oneshot::channel::<u8>();
        let task = rt.spawn(async move { rx.await.unwrap() + 1 });
        tx.send(1).unwrap();
        assert_eq!(weft_core::block_on(task).unwrap(), 2);
        rt.close();
    });
}

#[test]
fn close_cancels_a_pending_task_and_joins_the_workers() {
    let mut builder = loom::model::Builder::new();
    builder.max_branches = 20_000;
    builder.check(|| {
        let rt = start(config(1)).unwrap();
        let task = rt.spawn(std::future::pending::<()>());
        rt.close();
        assert!(weft_core::block_on(task).unwrap_err().is_cancelled());
    });
}

#[test]
fn a_task_that_closes_its_own_runtime_and_returns_pending_is_cancelled() {
    let mut builder = loom::model::Builder::new();
    builder.max_branches = 20_000;
    builder.check(|| {
        let rt = start(config(1)).unwrap();
        let own = rt.clone();
        // Close runs on the worker, inside this poll: the registry finds the task running and
        // can only mark it cancelled; the poll then returns Pending, and the worker must drop
        // the future and resolve the handle instead of letting the task go idle.
        let task = rt.spawn(async move {
            own.close();
            std::future::pending::<()>().await
        });
        assert!(weft_core::block_on(task).unwrap_err().is_cancelled());
    });
}
