//! Every asyncio pattern example (`examples/asyncio_NN_*.rs`, one per section of
//! docs/asyncio.md) runs to a successful exit and prints what a user of that pattern expects.
//! The checks are milestones and results, never timings (beyond "concurrent, not serial").

mod common;

use std::process::Command;

/// Runs `examples/<name>.rs` and
/// returns its standard output; fails unless it exits successfully.
fn run_example(name: &str) -> String {
    let out = Command::new(common::example_path(name))
        .output()
        .unwrap_or_else(|e| panic!("could not run example {name}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{name} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// Asserts that `out` contains every one of `lines`, in that order.
fn assert_in_order(name: &str, out: &str, lines: &[&str]) {
    let mut rest = out;
    for line in lines {
        match rest.find(line) {
            Some(i) => rest = &rest[i + line.len()..],
            None => panic!("{name}: expected {line:?} (in this order) in:\n{out}"),
        }
    }
}

#[test]
fn p01_run() {
    let out = run_example("asyncio_01_run");
    assert_in_order(
        "01",
        &out,
        &[
            "a helper task computed 42",
            "weft::run returned: hello from main()",
            "a runtime is current after run: false",
        ],
    );
}

#[test]
fn p02_future_set_later() {
    let out = run_example("asyncio_02_future_set_later");
    assert_in_order(
        "02",
        &out,
        &[
            "hello ...",
            "future result: ... world",
            "hello ...",
            "task result: ... world",
        ],
    );
}

#[test]
fn p03_protocol() {
    let out = run_example("asyncio_03_protocol");
    assert_in_order(
        "03",
        &out,
        &[
            "data sent: Hello World!",
            "data_received: Hello World!",
            "connection_lost (error: None)",
            "the server echoed \"Hello World!\"",
        ],
    );
}

#[test]
fn p04_callback_to_awaitable() {
    let out = run_example("asyncio_04_callback_to_awaitable");
    assert_in_order(
        "04",
        &out,
        &[
            "fetch(\"user:1\") = Ok(\"value of user:1\")",
            "fetch(\"\") = Err(\"empty key\")",
            "three at once: [\"value of a\", \"value of b\", \"value of c\"]",
        ],
    );
}

#[test]
fn p05_all_done() {
    let out = run_example("asyncio_05_all_done");
    assert_eq!(out.matches("done callback: task").count(), 3, "{out}");
    assert_in_order(
        "05",
        &out,
        &[
            "all done (callbacks): [0, 10, 20]",
            "all done (gather): [0, 10, 20]",
            "all done (join!): [0, 10, 20]",
        ],
    );
}

#[test]
fn p06_create_task_from_sync() {
    let out = run_example("asyncio_06_create_task_from_sync");
    assert_in_order(
        "06",
        &out,
        &[
            "created from main()",
            "run_until_complete(task) = 42",
            "run_until_complete(compute(2)) = 14",
            "closed: true",
        ],
    );
}

#[test]
fn p07_future_vs_task() {
    let out = run_example("asyncio_07_future_vs_task");
    assert_in_order(
        "07",
        &out,
        &[
            "future resolved by a callback: Ok(42)",
            "future whose sender was dropped: Err(RecvError)",
            "task resolved itself: Ok(\"task return value\")",
            "cancelled task: is_cancelled = true",
        ],
    );
}

#[test]
fn p08_callbacks() {
    let out = run_example("asyncio_08_callbacks");
    assert_in_order(
        "08",
        &out,
        &[
            "is_cancelled = true",
            "callback \"first\" ran",
            "callback \"second\" ran",
            "callback \"later\" ran",
            "no other callback ran: true",
        ],
    );
    assert!(!out.contains("\"never\" ran"), "{out}");
}

#[test]
fn p09_run_in_executor() {
    let out = run_example("asyncio_09_run_in_executor");
    assert_in_order(
        "09",
        &out,
        &[
            "default pool: read 16 bytes",
            "4 CPU-bound jobs gave [1999998, 3999997, 5999999, 7999999]",
            "the ticker ticked 5 times meanwhile",
        ],
    );
}

#[test]
fn p10_loop_lifecycle() {
    let out = run_example("asyncio_10_loop_lifecycle");
    assert_in_order(
        "10",
        &out,
        &[
            "is_running before: false",
            "run_until_complete: 42",
            "inside a task, is_running: true",
            "run_forever returned; is_running: false",
            "a pending task's cleanup ran during close",
            "is_closed: true",
            "was cancelled",
            "spawn after close:",
            "is_cancelled = true",
            "call_soon after close: is_cancelled = true",
        ],
    );
    assert!(!out.contains("this never prints"), "{out}");
}

#[test]
fn p11_loop_time() {
    let out = run_example("asyncio_11_loop_time");
    assert_in_order(
        "11",
        &out,
        &[
            "on the loop's clock",
            "at least the 250 ms asked for: true",
            "woke at or after the deadline: true",
        ],
    );
}

#[test]
fn p12_gather() {
    let out = run_example("asyncio_12_gather");
    // Tasks finish in duration order; gather returns them in input order.
    assert_in_order("12", &out, &["B finished", "A finished", "C finished"]);
    assert_in_order(
        "12",
        &out,
        &[
            "gather: [\"A done after 2 s\", \"B done after 1 s\", \"C done after 3 s\"]",
            "ran concurrently: true",
        ],
    );
}

#[test]
fn p13_loop_in_thread() {
    let out = run_example("asyncio_13_loop_in_thread");
    assert_in_order(
        "13",
        &out,
        &[
            "main thread got 1",
            "main thread got 4",
            "main thread got 9",
            "main thread got \"hello from a callback\"",
            "loop thread: run_forever returned",
            "is_closed = true",
            "main thread got 25 from the local loop (ran on the loop thread: true)",
            "local loop: [\"a local task ran\"], then stopped",
        ],
    );
}

#[test]
fn p14_wait_for() {
    let out = run_example("asyncio_14_wait_for");
    assert_in_order(
        "14",
        &out,
        &[
            "operation: started, needs 10 s",
            "operation: cleanup ran",
            "caller: deadline has elapsed",
            "the operation was cancelled",
            "task: cleanup ran",
            "the task timed out and was cancelled (is_cancelled = true)",
        ],
    );
    assert!(!out.contains("finished (never printed"), "{out}");
}

#[test]
fn p15_named_tasks() {
    let out = run_example("asyncio_15_named_tasks");
    // The task's own line and main's line about it may come in either order.
    for line in [
        "outside: task 1 is named Some(\"fetch-user-42\")",
        "inside: task 1 is named Some(\"fetch-user-42\")",
        "outside: an unnamed task: None",
        "inside: task 2 is named None",
    ] {
        assert!(out.contains(line), "15: expected {line:?} in:\n{out}");
    }
    assert_in_order(
        "15",
        &out,
        &[
            "it returned its own name: fetch-user-42",
            "outside any task (on the block_on thread): None",
        ],
    );
}

#[test]
fn p16_no_nesting() {
    let out = run_example("asyncio_16_no_nesting");
    assert_in_order(
        "16",
        &out,
        &[
            "panicked with:",
            "nested",
            "instead, .await: 7",
            "instead, spawn + await: 7",
            "instead, Handle::block_on inside spawn_blocking: 7",
            "the runtime kept serving: yes",
        ],
    );
}

#[test]
fn p17_subprocess() {
    let out = run_example("asyncio_17_subprocess");
    assert_in_order(
        "17",
        &out,
        &[
            "child said: HELLO FROM WEFT",
            "child exited: success = true",
            "echo said: and goodbye",
        ],
    );
}

#[test]
fn p18_signal_handler() {
    let out = run_example("asyncio_18_signal_handler");
    assert_in_order(
        "18",
        &out,
        &[
            "waiting for SIGTERM",
            "SIGTERM received: shutting down cleanly",
        ],
    );
}

#[test]
fn p19_queue() {
    let out = run_example("asyncio_19_queue");
    assert_in_order(
        "19",
        &out,
        &[
            "join returned: every job was processed",
            "total of all jobs: 45",
        ],
    );
    assert_eq!(out.matches("the queue was shut down").count(), 3, "{out}");
}

#[test]
fn p20_sync_primitives() {
    let out = run_example("asyncio_20_sync_primitives");
    assert_in_order(
        "20",
        &out,
        &[
            "Lock: counter = 10",
            "Event: the waiter saw it set",
            "Condition: the consumer woke with 3 items",
            "Semaphore: at most 2 inside at once",
            "Barrier: all 3 passed, 1 leader",
        ],
    );
}

#[test]
fn p21_wait_first_completed() {
    let out = run_example("asyncio_21_wait_first_completed");
    assert_in_order(
        "21",
        &out,
        &[
            "first completed: Some(\"the reply\")",
            "received until the channel ended: total = 6",
        ],
    );
}
