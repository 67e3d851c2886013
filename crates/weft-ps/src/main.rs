//! `weft-ps PID`: the task table and metrics of a running weft process (Python: `python -m
//! asyncio ps PID`).
//!
//! The process serves them only when it was built with `runtime::Builder::inspect(true)` or
//! run with `WEFT_INSPECT=1`, over a Unix socket in `$XDG_RUNTIME_DIR/weft` or
//! `/tmp/weft-<uid>` named `<pid>.sock` (`<pid>-<n>.sock` for a process's next inspected
//! runtimes), which only the process's own user can open. See weft's `runtime/inspect.rs` for
//! the server side and the one-line protocol (`text` or `json`, answered, then closed).
//!
//! ```text
//! weft-ps [--json] [--watch] PID[-N]
//! ```

use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: weft-ps [--json] [--watch] PID[-N]

Prints the task table and metrics of a running weft process that serves inspection (built
with runtime::Builder::inspect(true), or run with WEFT_INSPECT=1).

  PID      the process; PID-N picks one of its runtimes when it inspects several
  --json   print the report as JSON (durations in nanoseconds)
  --watch  redraw the report every second, like top, until Ctrl-C";

/// What the command line asks for.
struct Args {
    pid: u32,
    /// `Some(n)` for `PID-N`.
    runtime: Option<u32>,
    json: bool,
    watch: bool,
}

/// An error for the user: the message, and the exit code.
struct Failure(String, u8);

fn fail<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure(message.into(), 1))
}

fn parse_args() -> Result<Args, Failure> {
    let mut json = false;
    let mut watch = false;
    let mut target = None;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "--watch" => watch = true,
            "-h" | "--help" => return Err(Failure(USAGE.to_owned(), 0)),
            _ if target.is_none() && !arg.starts_with('-') => target = Some(arg),
            _ => {
                return Err(Failure(
                    format!("unexpected argument {arg:?}\n\n{USAGE}"),
                    2,
                ));
            }
        }
    }
    let Some(target) = target else {
        return Err(Failure(USAGE.to_owned(), 2));
    };
    let (pid, runtime) = match target.split_once('-') {
        Some((pid, n)) => (pid, Some(n)),
        None => (target.as_str(), None),
    };
    let bad = || Failure(format!("not a process id: {target:?}\n\n{USAGE}"), 2);
    let pid = pid.parse().map_err(|_| bad())?;
    let runtime = runtime.map(str::parse).transpose().map_err(|_| bad())?;
    Ok(Args {
        pid,
        runtime,
        json,
        watch,
    })
}

fn euid() -> u32 {
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The directories an inspected process of our user may have put its socket in (the same
/// choice as the server's, tried both ways since its environment may differ from ours); each
/// must be a directory of ours, not a symlink, to be believed.
fn socket_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(runtime_dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        dirs.push(PathBuf::from(runtime_dir).join("weft"));
    }
    dirs.push(PathBuf::from(format!("/tmp/weft-{}", euid())));
    dirs.retain(|dir| {
        std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && m.uid() == euid())
    });
    dirs
}

/// One inspected runtime of the process: its label (`PID` or `PID-N`) and socket.
struct Socket {
    label: String,
    n: u32,
    path: PathBuf,
}

/// The inspection sockets of process `pid`, in runtime order.
fn sockets_of(pid: u32) -> Vec<Socket> {
    let mut found: Vec<Socket> = Vec::new();
    for dir in socket_dirs() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(label) = name.to_str().and_then(|n| n.strip_suffix(".sock")) else {
                continue;
            };
            let n = match label.split_once('-') {
                None if label == pid.to_string() => 0,
                Some((p, n)) if p == pid.to_string() => match n.parse() {
                    Ok(n) => n,
                    Err(_) => continue,
                },
                _ => continue,
            };
            if found.iter().all(|s| s.label != label) {
                found.push(Socket {
                    label: label.to_owned(),
                    n,
                    path: entry.path(),
                });
            }
        }
    }
    found.sort_by_key(|s| s.n);
    found
}

/// Whether process `pid` exists (ours or not).
fn process_exists(pid: u32) -> bool {
    // SAFETY: signal 0 sends nothing: it only checks that the process exists and may be
    // signalled.
    let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
}

/// Why process `pid` has no socket we can see.
fn no_socket(pid: u32) -> Failure {
    if !process_exists(pid) {
        return Failure(format!("no process {pid}"), 1);
    }
    let owner = std::fs::metadata(format!("/proc/{pid}")).map(|m| m.uid());
    if let Ok(owner) = owner
        && owner != euid()
    {
        return Failure(
            format!(
                "permission refused: process {pid} belongs to uid {owner}, and its inspection \
                 socket serves only that user; run weft-ps as uid {owner}"
            ),
            1,
        );
    }
    Failure(
        format!(
            "process {pid} serves no inspection: start it with WEFT_INSPECT=1 or \
             Builder::inspect(true)"
        ),
        1,
    )
}

/// The socket the arguments choose.
fn choose(args: &Args) -> Result<Socket, Failure> {
    let mut sockets = sockets_of(args.pid);
    if sockets.is_empty() {
        return Err(no_socket(args.pid));
    }
    match args.runtime {
        Some(n) => match sockets.iter().position(|s| s.n == n) {
            Some(i) => Ok(sockets.swap_remove(i)),
            None => fail(format!(
                "process {} serves no inspected runtime {}-{n}; it serves: {}",
                args.pid,
                args.pid,
                labels(&sockets)
            )),
        },
        None if sockets.len() == 1 => Ok(sockets.remove(0)),
        None => fail(format!(
            "process {} serves {} inspected runtimes: {}; choose one, e.g. weft-ps {}",
            args.pid,
            sockets.len(),
            labels(&sockets),
            sockets[0].label
        )),
    }
}

fn labels(sockets: &[Socket]) -> String {
    let all: Vec<&str> = sockets.iter().map(|s| s.label.as_str()).collect();
    all.join(", ")
}

/// Asks the runtime behind `socket` for its report.
fn fetch(socket: &Socket, pid: u32, json: bool) -> Result<String, Failure> {
    let path = socket.path.display();
    let mut stream = match UnixStream::connect(&socket.path) {
        Ok(stream) => stream,
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            return fail(format!("permission refused: cannot open {path}: {e}"));
        }
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            if !process_exists(pid) {
                return fail(format!("no process {pid} (it left {path} behind)"));
            }
            return fail(format!(
                "{path} refuses connections: process {pid} may be closing its runtime"
            ));
        }
        Err(e) => return fail(format!("cannot connect to {path}: {e}")),
    };
    let timeout = Some(Duration::from_secs(5));
    let mut answer = String::new();
    let io = (|| {
        stream.set_read_timeout(timeout)?;
        stream.set_write_timeout(timeout)?;
        stream.write_all(if json { b"json\n" } else { b"text\n" })?;
        stream.read_to_string(&mut answer)
    })();
    match io {
        Ok(_) if answer.is_empty() => fail(format!(
            "permission refused: process {pid} closed {path} without answering (it answers \
             only the user it runs as)"
        )),
        Ok(_) => Ok(answer),
        Err(e) => fail(format!("reading from {path}: {e}")),
    }
}

fn run(args: &Args) -> Result<(), Failure> {
    let socket = choose(args)?;
    let mut out = io::stdout().lock();
    if !args.watch {
        let answer = fetch(&socket, args.pid, args.json)?;
        // A closed stdout (`weft-ps PID | head`) is no error of ours.
        let _ = out.write_all(answer.as_bytes());
        return Ok(());
    }
    loop {
        let answer = fetch(&socket, args.pid, args.json)?;
        // Clear the screen, cursor home, redraw (as `top` does).
        let frame = format!(
            "\x1b[2J\x1b[Hweft-ps {}: every 1s, Ctrl-C to quit\n\n{answer}",
            socket.label
        );
        if out
            .write_all(frame.as_bytes())
            .and_then(|()| out.flush())
            .is_err()
        {
            return Ok(());
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn main() -> ExitCode {
    match parse_args().and_then(|args| run(&args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message, 0)) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(Failure(message, code)) => {
            eprintln!("weft-ps: {message}");
            ExitCode::from(code)
        }
    }
}
