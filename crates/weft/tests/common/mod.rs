//! Helpers shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A runtime with `workers` worker threads.
pub fn runtime(workers: usize) -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(workers)
        .build()
        .unwrap()
}

/// Counts its drops.
pub struct DropCounter(pub Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Waits (at most ten seconds) until `cond` holds; returns whether it did.
pub fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    cond()
}

/// The message of a panic payload (`&str` or `String`).
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

/// The path of `examples/<name>.rs`'s binary: `cargo test --workspace` builds the examples;
/// when a lone `--test` run did not, it is built here.
pub fn example_path(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    if !dir.join(name).exists() {
        let mut build = std::process::Command::new(env!("CARGO"));
        build.args(["build", "-q", "-p", "weft", "--example", name]);
        if name.starts_with("hyper_") {
            build.args(["--features", "hyper"]);
        }
        let built = build.status().unwrap();
        assert!(built.success(), "cargo could not build example {name}");
    }
    dir.join(name)
}

/// Starts example `name` with `args`, its stdout piped; returns it and the last word of the
/// first line it printed (the examples that serve print their address there).
pub fn start_example(name: &str, args: &[&str]) -> (std::process::Child, String) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(example_path(name))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("could not start example {name}: {e}"));
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    let last = line
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned();
    (child, last)
}

/// Threads of this process whose name starts with `prefix`.
pub fn threads_named(prefix: &str) -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .filter(|comm| comm.trim_end().starts_with(prefix))
        .count()
}
