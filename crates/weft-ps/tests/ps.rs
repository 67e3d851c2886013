//! `weft-ps` against a live weft runtime: this test process builds one with inspection on
//! and runs the built `weft-ps` binary against its own pid.

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;

/// One inspected runtime at a time in this process, so that `weft-ps PID` has one to pick:
/// every test that builds one holds this lock.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

fn inspected_runtime() -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(2)
        .inspect(true)
        .build()
        .unwrap()
}

/// Spawns `parent` with children `children` (all waiting forever), and returns once they
/// all exist.
fn spawn_tree(rt: &weft::Runtime, parent: &'static str, children: &'static [&'static str]) {
    let (tx, rx) = std::sync::mpsc::channel();
    weft::task::Builder::new().name(parent).spawn_on(
        async move {
            for child in children {
                weft::task::Builder::new()
                    .name(child)
                    .spawn(std::future::pending::<()>());
            }
            tx.send(()).unwrap();
            std::future::pending::<()>().await;
        },
        rt.handle(),
    );
    rx.recv().unwrap();
}

fn weft_ps(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weft-ps"))
        .args(args)
        .output()
        .expect("weft-ps runs")
}

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "weft-ps failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn weft_ps_prints_the_task_tree_and_metrics_of_a_running_process() {
    let _serial = serial();
    let rt = inspected_runtime();
    spawn_tree(&rt, "ps-parent", &["ps-child-a", "ps-child-b"]);
    let pid = std::process::id().to_string();
    let text = stdout(&weft_ps(&[&pid]));
    assert!(text.contains(&format!("weft runtime {pid}")), "{text}");
    let line_of = |name: &str| {
        text.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no line for {name} in:\n{text}"))
            .to_owned()
    };
    let parent = line_of("ps-parent");
    let child = line_of("ps-child-a");
    line_of("ps-child-b");
    // The children are indented under their parent.
    let indent = |line: &str, name: &str| line.find(name).unwrap();
    assert_eq!(
        indent(&child, "ps-child-a"),
        indent(&parent, "ps-parent") + 2,
        "{text}"
    );
    assert!(child.contains("idle"), "{child}");
    assert!(child.contains("crates/weft-ps/tests/ps.rs"), "{child}");
    assert!(text.contains("worker") && text.contains("steals"), "{text}");
}

#[test]
fn weft_ps_json_parses_and_names_the_tasks_and_their_parents() {
    let _serial = serial();
    let rt = inspected_runtime();
    spawn_tree(&rt, "json-parent", &["json-child \"quoted\"\n"]);
    let pid = std::process::id();
    let json = stdout(&weft_ps(&["--json", &pid.to_string()]));
    let report: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(report["pid"], pid);
    assert_eq!(report["metrics"]["num_workers"], 2);
    assert_eq!(report["metrics"]["workers"].as_array().unwrap().len(), 2);
    let tasks = report["tasks"].as_array().unwrap();
    let find = |name: &str| {
        tasks
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("no task {name:?} in {json}"))
    };
    let parent = find("json-parent");
    let child = find("json-child \"quoted\"\n");
    assert_eq!(child["parent"], parent["id"]);
    assert_eq!(child["depth"], 1);
    assert_eq!(child["state"], "idle");
    assert!(parent["polls"].as_u64().unwrap() >= 1);
    // Inspection times polls.
    assert!(parent["busy_ns"].is_u64(), "{parent}");
    drop(rt);
}

#[test]
fn weft_ps_explains_a_process_that_serves_no_inspection() {
    let mut sleeper = Command::new("sleep").arg("30").spawn().unwrap();
    let out = weft_ps(&[&sleeper.id().to_string()]);
    sleeper.kill().unwrap();
    sleeper.wait().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "process {} serves no inspection: start it with WEFT_INSPECT=1 or \
             Builder::inspect(true)",
            sleeper.id()
        )),
        "{err}"
    );
}

#[test]
fn weft_ps_says_when_there_is_no_such_process() {
    // Beyond the kernel's pid limit (4194304 at most on Linux).
    let out = weft_ps(&["999999999"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no process 999999999"), "{err}");
}

#[test]
fn weft_ps_lists_several_runtimes_and_picks_one_by_label() {
    let _serial = serial();
    let first = inspected_runtime();
    let second = inspected_runtime();
    spawn_tree(&second, "second-runtime-task", &[]);
    let label = |rt: &weft::Runtime| {
        let path = rt.handle().inspection_socket().unwrap();
        path.file_stem().unwrap().to_str().unwrap().to_owned()
    };
    let (a, b) = (label(&first), label(&second));
    assert_ne!(a, b);
    let pid = std::process::id().to_string();
    let out = weft_ps(&[&pid]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&a) && err.contains(&b), "{err}");
    let text = stdout(&weft_ps(&[&b]));
    assert!(text.contains("second-runtime-task"), "{text}");
    assert!(!stdout(&weft_ps(&[&a])).contains("second-runtime-task"));
}

#[test]
fn weft_ps_watch_redraws_the_screen_until_stopped() {
    let _serial = serial();
    let rt = inspected_runtime();
    spawn_tree(&rt, "watched-task", &[]);
    let mut watch = Command::new(env!("CARGO_BIN_EXE_weft-ps"))
        .args(["--watch", &std::process::id().to_string()])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    let mut stdout = watch.stdout.take().unwrap();
    let clear = b"\x1b[2J\x1b[H";
    let frames = |seen: &[u8]| seen.windows(clear.len()).filter(|w| w == clear).count();
    let mut buf = [0u8; 4096];
    // Two clears mean the first frame was drawn whole, then redrawn.
    while frames(&seen) < 2 {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "weft-ps --watch exited early");
        seen.extend_from_slice(&buf[..n]);
    }
    watch.kill().unwrap();
    watch.wait().unwrap();
    let seen = String::from_utf8_lossy(&seen);
    assert!(seen.contains("watched-task"), "{seen}");
    assert!(seen.contains("Ctrl-C to quit"), "{seen}");
}

#[test]
fn weft_ps_names_the_socket_a_dead_process_left_behind() {
    let _serial = serial();
    // An inspected runtime creates the directory; a pid beyond the kernel's limit is dead.
    let rt = inspected_runtime();
    let dir = rt.handle().inspection_socket().unwrap();
    let stale = dir.parent().unwrap().join("999999998.sock");
    drop(std::os::unix::net::UnixListener::bind(&stale).unwrap());
    let out = weft_ps(&["999999998"]);
    std::fs::remove_file(&stale).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "no process 999999998 (it left {} behind)",
            stale.display()
        )),
        "{err}"
    );
}
