//! The answers of the inspection socket: the task table and the metrics, as text for people
//! (`weft-ps PID`) and as one JSON object for scripts (`weft-ps --json PID`; durations in
//! nanoseconds, tasks in tree order with their depth). Both are built from the public views
//! (`Handle::dump`, `Handle::metrics`), so they show nothing a program could not see itself.

use crate::runtime::Handle;
use std::fmt::Write as _;
use std::time::Duration;
use weft_core::task::{TaskDump, TaskId, TaskState};

fn millis(d: Duration) -> String {
    format!("{:.1}ms", d.as_secs_f64() * 1000.0)
}

/// A worker's current poll for the text report: `-` when it polls nothing, else the task (by
/// name when it has one) and for how long, so a stuck worker stands out.
fn current_poll(dump: &TaskDump, polling: Option<(TaskId, Duration)>) -> String {
    let Some((id, running)) = polling else {
        return "-".to_owned();
    };
    let name = dump
        .tree()
        .into_iter()
        .find(|(_, task)| task.id() == id)
        .and_then(|(_, task)| task.name().map(str::to_owned));
    match name {
        Some(name) => format!("task {id} {name:?} for {}", millis(running)),
        None => format!("task {id} for {}", millis(running)),
    }
}

/// The task table and the metrics, for people.
pub(super) fn text(handle: &Handle, label: &str) -> String {
    let dump = handle.dump();
    let m = handle.metrics();
    let mut out = String::new();
    // `write!` to a `String` cannot fail.
    let _ = writeln!(
        out,
        "weft runtime {label} (pid {}): {} workers, {} tasks alive, {} spawned, {} in the \
         injector",
        std::process::id(),
        m.num_workers(),
        m.num_alive_tasks(),
        m.spawned_tasks(),
        m.injector_depth(),
    );
    let _ = writeln!(
        out,
        "blocking pool: {} threads ({} idle), {} jobs queued\n",
        m.blocking_threads(),
        m.idle_blocking_threads(),
        m.blocking_queue_depth(),
    );
    let _ = writeln!(out, "{dump}");
    let _ = writeln!(
        out,
        "{:<8} {:>10} {:>8} {:>8} {:>10} {:>6}  polling now",
        "worker", "polls", "steals", "parks", "busy", "queue"
    );
    for i in 0..m.num_workers() {
        let _ = writeln!(
            out,
            "{:<8} {:>10} {:>8} {:>8} {:>10} {:>6}  {}",
            i,
            m.worker_polls(i),
            m.worker_steals(i),
            m.worker_parks(i),
            millis(m.worker_busy(i)),
            m.worker_local_queue_depth(i),
            current_poll(&dump, m.worker_current_poll(i)),
        );
    }
    out
}

/// Appends `s` as a JSON string.
fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The same, for scripts: one JSON object (durations in nanoseconds).
pub(super) fn json(handle: &Handle, label: &str) -> String {
    let dump = handle.dump();
    let m = handle.metrics();
    let mut out = String::from("{\"runtime\":");
    json_string(&mut out, label);
    let _ = write!(
        out,
        ",\"pid\":{},\"metrics\":{{\"num_workers\":{},\"num_alive_tasks\":{},\
         \"spawned_tasks\":{},\"injector_depth\":{},\"blocking_threads\":{},\
         \"idle_blocking_threads\":{},\"blocking_queue_depth\":{},\"workers\":[",
        std::process::id(),
        m.num_workers(),
        m.num_alive_tasks(),
        m.spawned_tasks(),
        m.injector_depth(),
        m.blocking_threads(),
        m.idle_blocking_threads(),
        m.blocking_queue_depth(),
    );
    for i in 0..m.num_workers() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(
            out,
            "{{\"polls\":{},\"steals\":{},\"parks\":{},\"busy_ns\":{},\"local_queue_depth\":{},\
             \"polling\":",
            m.worker_polls(i),
            m.worker_steals(i),
            m.worker_parks(i),
            m.worker_busy(i).as_nanos(),
            m.worker_local_queue_depth(i),
        );
        match m.worker_current_poll(i) {
            Some((id, running)) => {
                let _ = write!(
                    out,
                    "{{\"task\":{id},\"running_ns\":{}}}}}",
                    running.as_nanos()
                );
            }
            None => out.push_str("null}"),
        }
    }
    out.push_str("]},\"tasks\":[");
    tasks_json(&mut out, &dump);
    out.push_str("]}\n");
    out
}

/// The tasks in tree order, each with its depth in the tree.
fn tasks_json(out: &mut String, dump: &TaskDump) {
    for (i, (depth, task)) in dump.tree().into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let _ = write!(out, "{{\"id\":{},\"name\":", task.id());
        match task.name() {
            Some(name) => json_string(out, name),
            None => out.push_str("null"),
        }
        let state = match task.state() {
            TaskState::Idle => "idle",
            TaskState::Scheduled => "scheduled",
            TaskState::Running => "running",
        };
        let _ = write!(out, ",\"state\":\"{state}\",\"parent\":");
        match task.parent() {
            Some(parent) => {
                let _ = write!(out, "{parent}");
            }
            None => out.push_str("null"),
        }
        let _ = write!(out, ",\"depth\":{depth},\"spawned_at\":");
        json_string(out, &task.spawned_at().to_string());
        let _ = write!(out, ",\"polls\":{},\"busy_ns\":", task.polls());
        match task.busy() {
            Some(busy) => {
                let _ = write!(out, "{}", busy.as_nanos());
            }
            None => out.push_str("null"),
        }
        let _ = write!(out, ",\"age_ns\":{}}}", task.age().as_nanos());
    }
}

#[cfg(test)]
mod tests {
    use super::json_string;

    #[test]
    fn json_strings_escape_quotes_backslashes_and_control_characters() {
        let mut out = String::new();
        json_string(&mut out, "a\"b\\c\nd\u{1}e\u{7f}é");
        assert_eq!(out, r#""a\"b\\c\nd\u0001e\u007fé""#);
    }
}
