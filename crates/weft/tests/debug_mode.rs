//! Debug mode: slow polls reported with the task's name and spawn location, a stuck worker
//! reported while it is stuck, both on a `LocalRuntime` too, `WEFT_DEBUG=1`, and a handler
//! that panics.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Reports = Arc<Mutex<Vec<(Option<String>, u32, Duration, bool)>>>;

/// A builder in debug mode with `threshold` whose handler records every report and sends
/// whether it came while the poll still ran.
fn debug_builder(
    workers: usize,
    threshold: Duration,
) -> (weft::runtime::Builder, Reports, mpsc::Receiver<bool>) {
    let reports: Reports = Arc::default();
    let (tx, rx) = mpsc::channel();
    let seen = reports.clone();
    let tx = Mutex::new(tx);
    let mut builder = weft::runtime::Builder::new();
    builder
        .worker_threads(workers)
        .slow_poll_threshold(threshold)
        .on_slow_poll(move |poll| {
            seen.lock().unwrap().push((
                poll.name().map(String::from),
                poll.spawned_at().line(),
                poll.duration(),
                poll.is_still_running(),
            ));
            let _ = tx.lock().unwrap().send(poll.is_still_running());
        });
    (builder, reports, rx)
}

fn debug_runtime(threshold: Duration) -> (weft::Runtime, Reports, mpsc::Receiver<bool>) {
    let (builder, reports, rx) = debug_builder(1, threshold);
    (builder.build().unwrap(), reports, rx)
}

/// Checks that the slow poll of the task `name` spawned on `line` was reported when it ended,
/// with at least `took`. The report comes once the poll returns, which is after the task's
/// completion woke its handle: wait for it (a report while it ran may come first).
fn assert_reported_when_done(
    reports: &Reports,
    rx: &mpsc::Receiver<bool>,
    name: &str,
    line: u32,
    took: Duration,
) {
    while rx.recv_timeout(Duration::from_secs(30)) == Ok(true) {}
    let reports = reports.lock().unwrap();
    let done = reports
        .iter()
        .find(|r| !r.3)
        .expect("the slow poll is reported when it ends");
    assert_eq!(done.0.as_deref(), Some(name));
    assert_eq!(done.1, line);
    assert!(done.2 >= took);
}

#[test]
fn a_blocking_sleep_in_a_task_is_reported_with_its_name_and_location() {
    let (rt, reports, rx) = debug_runtime(Duration::from_millis(100));
    let line = rt.block_on(async {
        let line = line!() + 1;
        let task = weft::task::Builder::new().name("sleeper").spawn(async {
            std::thread::sleep(Duration::from_millis(300)); // blocks the worker
        });
        task.await.unwrap();
        line
    });
    assert_reported_when_done(&reports, &rx, "sleeper", line, Duration::from_millis(300));
}

#[test]
fn a_stuck_worker_is_reported_while_it_is_still_stuck() {
    let (rt, reports, rx) = debug_runtime(Duration::from_millis(50));
    let rx = Mutex::new(rx);
    let reported_while_stuck = rt.block_on(async move {
        weft::task::Builder::new()
            .name("stuck")
            .spawn(async move {
                // Stays inside this one poll until the watchdog has reported it (or gives up).
                rx.lock().unwrap().recv_timeout(Duration::from_secs(30)) == Ok(true)
            })
            .await
            .unwrap()
    });
    assert!(
        reported_while_stuck,
        "no report came while the worker was stuck"
    );
    let reports = reports.lock().unwrap();
    let stuck = reports.iter().find(|r| r.3).unwrap();
    assert_eq!(stuck.0.as_deref(), Some("stuck"));
    assert!(stuck.2 > Duration::from_millis(50));
}

#[test]
fn a_local_runtime_reports_a_slow_poll_and_a_stuck_loop() {
    let (builder, reports, rx) = debug_builder(1, Duration::from_millis(50));
    let rt = builder.build_local().unwrap();
    let line = rt.block_on(async {
        let builder = weft::task::Builder::new().name("local-sleeper");
        let line = line!() + 1;
        let slow = builder.spawn_local(async {
            std::thread::sleep(Duration::from_millis(200)); // blocks the loop
        });
        slow.await.unwrap();
        line
    });
    assert_reported_when_done(
        &reports,
        &rx,
        "local-sleeper",
        line,
        Duration::from_millis(200),
    );
    // The loop's thread stuck in one poll: the watchdog reports it meanwhile. (A late
    // report of the sleeper's poll may still come: wait for one that names this task.)
    let rx = Mutex::new(rx);
    let seen = reports.clone();
    let reported_while_stuck = rt.block_on(async move {
        weft::task::Builder::new()
            .name("local-stuck")
            .spawn_local(async move {
                let rx = rx.lock().unwrap();
                while rx.recv_timeout(Duration::from_secs(30)).is_ok() {
                    let reports = seen.lock().unwrap();
                    if reports
                        .iter()
                        .any(|r| r.3 && r.0.as_deref() == Some("local-stuck"))
                    {
                        return true;
                    }
                }
                false
            })
            .await
            .unwrap()
    });
    assert!(
        reported_while_stuck,
        "no report came while the loop was stuck"
    );
    rt.close();
}

#[test]
fn a_panicking_handler_leaves_the_runtime_running() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(1)
        .slow_poll_threshold(Duration::from_millis(10))
        .on_slow_poll(|_| panic!("the handler itself is buggy"))
        .build()
        .unwrap();
    rt.block_on(async {
        weft::spawn(async { std::thread::sleep(Duration::from_millis(30)) })
            .await
            .unwrap();
        assert_eq!(weft::spawn(async { 7 }).await.unwrap(), 7);
    });
}

/// Run by `weft_debug_1_prints_slow_polls_on_stderr` in a child process with `WEFT_DEBUG=1`.
#[test]
fn child_with_weft_debug() {
    if std::env::var_os("WEFT_DEBUG_CHILD").is_none() {
        return;
    }
    let rt = weft::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        weft::task::Builder::new()
            .name("slow-in-child")
            .spawn(async { std::thread::sleep(Duration::from_millis(150)) })
            .await
            .unwrap();
    });
}

#[test]
fn weft_debug_1_prints_slow_polls_on_stderr() {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_with_weft_debug",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("WEFT_DEBUG", "1")
        .env("WEFT_DEBUG_CHILD", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("slow poll") && stderr.contains("\"slow-in-child\""),
        "stderr: {stderr}"
    );
    assert!(
        stderr.contains("debug_mode.rs:"),
        "the spawn location: {stderr}"
    );
}
