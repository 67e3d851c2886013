//! Misuse panics at once with a message that says what to do; bad configuration is an error.

mod common;

use common::panic_message;

use std::io::ErrorKind;
use std::panic::{AssertUnwindSafe, catch_unwind};
use weft::runtime::{Builder, Handle};

fn runtime() -> weft::Runtime {
    Builder::new().worker_threads(1).build().unwrap()
}

#[test]
fn zero_worker_threads_is_invalid_input() {
    let err = Builder::new().worker_threads(0).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("worker_threads(0)"), "{err}");
}

#[test]
fn zero_stack_size_is_invalid_input() {
    let err = Builder::new().thread_stack_size(0).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("thread_stack_size(0)"), "{err}");
}

#[test]
fn spawn_outside_a_runtime_panics_saying_no_runtime_is_running() {
    let payload = catch_unwind(|| weft::spawn(async {})).unwrap_err();
    let msg = panic_message(payload);
    assert!(msg.contains("no weft runtime is running"), "{msg}");
}

#[test]
fn handle_current_outside_a_runtime_panics_and_try_current_is_none() {
    assert!(Handle::try_current().is_none());
    let msg = panic_message(catch_unwind(Handle::current).unwrap_err());
    assert!(msg.contains("no weft runtime is running"), "{msg}");
}

#[test]
fn handle_current_inside_block_on_and_tasks_is_this_runtime() {
    let rt = runtime();
    rt.block_on(async {
        assert!(Handle::current().num_workers() == 1);
        let in_task = weft::spawn(async { Handle::try_current().is_some() });
        assert!(in_task.await.unwrap());
    });
    assert!(
        Handle::try_current().is_none(),
        "block_on leaves no runtime behind"
    );
}

#[test]
fn nested_block_on_inside_block_on_panics_with_nested() {
    let rt = runtime();
    let other = runtime();
    let msg = rt.block_on(async {
        let payload = catch_unwind(AssertUnwindSafe(|| other.block_on(async {}))).unwrap_err();
        panic_message(payload)
    });
    assert!(msg.contains("nested"), "{msg}");
    assert!(msg.contains(".await"), "the message says what to do: {msg}");
}

#[test]
fn block_on_in_a_task_panics_with_nested_and_the_worker_survives() {
    let rt = runtime();
    let handle = rt.handle().clone();
    let task = rt.spawn(async move { handle.block_on(async { 1 }) });
    let err = rt.block_on(task).unwrap_err();
    assert!(err.is_panic());
    let msg = panic_message(err.into_panic());
    assert!(msg.contains("nested"), "{msg}");
    assert_eq!(rt.block_on(rt.spawn(async { 2 })).unwrap(), 2);
}

#[test]
fn run_inside_a_task_panics_with_nested() {
    let rt = runtime();
    let task = rt.spawn(async { weft::run(async {}) });
    let msg = panic_message(rt.block_on(task).unwrap_err().into_panic());
    assert!(msg.contains("nested"), "{msg}");
}

#[test]
fn run_drives_a_future_and_closes_its_runtime() {
    let (value, handle) = weft::run(async {
        let h = Handle::current();
        (weft::spawn(async { 42 }).await.unwrap(), h)
    });
    assert_eq!(value, 42);
    assert!(handle.is_closed());
}
