//! Inspection (`Builder::inspect`, `WEFT_INSPECT`): the socket, its permissions, its protocol,
//! its life, and who it refuses. `weft-ps` itself is tested in crates/weft-ps/tests.
//!
//! Tests about what the whole process opens (nothing, without inspection) or that set
//! environment variables run in a child process: the `child_*` tests, ignored in a normal run,
//! are run by their parents as `current_exe --exact child_... --ignored`.

use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn inspected() -> weft::runtime::Builder {
    let mut builder = weft::runtime::Builder::new();
    builder.worker_threads(2).inspect(true);
    builder
}

fn euid() -> u32 {
    // SAFETY: `geteuid` has no preconditions.
    unsafe { libc::geteuid() }
}

/// Sends `request` and reads the whole answer.
fn ask(socket: &Path, request: &str) -> String {
    let mut stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

/// Runs the ignored test `name` in a child process with `env` set (and `WEFT_INSPECT` unset
/// unless given), and checks it passed.
fn run_child(name: &str, env: &[(&str, &str)]) {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([
            "--exact",
            name,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env_remove("WEFT_INSPECT");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "child {name} failed:\n{all}");
    assert!(all.contains("1 passed"), "child {name} did not run:\n{all}");
}

/// The threads of this process named `weft-inspect`.
fn inspect_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .flatten()
        .filter(|t| {
            std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim() == "weft-inspect")
        })
        .count()
}

/// Files named for this process's pid in every directory a socket could be in.
fn files_for_our_pid() -> Vec<PathBuf> {
    let pid = std::process::id().to_string();
    let mut dirs = vec![PathBuf::from(format!("/tmp/weft-{}", euid()))];
    if let Some(xdg) = std::env::var_os("XDG_RUNTIME_DIR") {
        dirs.push(PathBuf::from(xdg).join("weft"));
    }
    dirs.iter()
        .filter_map(|d| std::fs::read_dir(d).ok())
        .flatten()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name == format!("{pid}.sock") || name.starts_with(&format!("{pid}-"))
        })
        .map(|e| e.path())
        .collect()
}

/// A fresh private directory (0700) under /tmp, removed by the caller.
fn private_tmp(tag: &str) -> PathBuf {
    let dir = PathBuf::from(format!("/tmp/weft-test-{tag}-{}", std::process::id()));
    drop(std::fs::remove_dir_all(&dir));
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

#[test]
fn the_socket_is_mode_0600_in_a_0700_directory_of_ours() {
    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    let meta = std::fs::symlink_metadata(&socket).unwrap();
    assert!(std::os::unix::fs::FileTypeExt::is_socket(&meta.file_type()));
    assert_eq!(meta.mode() & 0o777, 0o600);
    assert_eq!(meta.uid(), euid());
    let dir = std::fs::symlink_metadata(socket.parent().unwrap()).unwrap();
    assert!(dir.is_dir() && !dir.file_type().is_symlink());
    assert_eq!(dir.mode() & 0o777, 0o700);
    assert_eq!(dir.uid(), euid());
    let name = socket.file_name().unwrap().to_str().unwrap();
    let pid = std::process::id().to_string();
    assert!(
        name == format!("{pid}.sock")
            || (name.starts_with(&format!("{pid}-")) && name.ends_with(".sock")),
        "{name}"
    );
}

#[test]
fn the_socket_answers_text_and_json_with_the_task_names() {
    let rt = inspected().build().unwrap();
    let (tx, rx) = weft::sync::oneshot::channel::<()>();
    let waiting = weft::task::Builder::new()
        .name("inspected \"waiter\"")
        .spawn_on(rx, rt.handle());
    let socket = rt.handle().inspection_socket().unwrap();

    let text = ask(&socket, "text\n");
    assert!(text.contains("inspected \"waiter\""), "{text}");
    assert!(text.contains("workers"), "{text}");
    assert!(text.contains(file!()), "{text}");

    let json = ask(&socket, "json\n");
    assert!(
        json.starts_with('{') && json.trim_end().ends_with('}'),
        "{json}"
    );
    assert!(json.contains(r#""name":"inspected \"waiter\"""#), "{json}");
    assert!(
        json.contains(&format!(r#"{{"id":{},"#, waiting.id())),
        "{json}"
    );
    assert!(json.contains(r#""num_workers":2"#), "{json}");
    drop(tx);
}

#[test]
fn a_worker_stuck_in_one_poll_shows_the_task_it_polls() {
    let rt = inspected().build().unwrap();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let stuck = weft::task::Builder::new().name("stuck-in-a-poll").spawn_on(
        async move {
            started_tx.send(()).unwrap();
            // Blocks its worker until the test has looked.
            release_rx.recv().unwrap();
        },
        rt.handle(),
    );
    started_rx.recv().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();

    let text = ask(&socket, "text\n");
    let worker_lines: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("worker"))
        .skip(1)
        .collect();
    assert_eq!(worker_lines.len(), 2, "{text}");
    let polling: Vec<&&str> = worker_lines
        .iter()
        .filter(|line| line.contains("\"stuck-in-a-poll\" for"))
        .collect();
    assert_eq!(polling.len(), 1, "one worker polls the stuck task:\n{text}");
    assert!(
        polling[0].contains(&format!("task {} ", stuck.id())),
        "{text}"
    );

    let json = ask(&socket, "json\n");
    assert!(
        json.contains(&format!(
            r#""polling":{{"task":{},"running_ns":"#,
            stuck.id()
        )),
        "{json}"
    );
    assert!(
        json.contains(r#""polling":null"#),
        "the other worker: {json}"
    );
    release_tx.send(()).unwrap();
    rt.block_on(stuck).unwrap();
}

#[test]
fn an_unknown_request_gets_an_error_line() {
    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    let answer = ask(&socket, "tasks please\n");
    assert!(answer.starts_with("error: unknown request"), "{answer}");
}

#[test]
fn a_local_runtime_serves_inspection_too() {
    let rt = inspected().build_local().unwrap();
    let task = weft::task::Builder::new()
        .name("local-waiter")
        .spawn_on(std::future::pending::<()>(), rt.handle());
    let socket = rt.handle().inspection_socket().unwrap();
    // The loop need not be running: the server reads the registry from its own thread.
    assert!(ask(&socket, "text\n").contains("local-waiter"));
    drop(task);
    drop(rt);
    assert!(!socket.exists());
}

#[test]
fn the_socket_file_is_removed_when_the_runtime_closes() {
    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    assert!(socket.exists());
    rt.close();
    assert!(!socket.exists());
    assert_eq!(rt.handle().inspection_socket(), None);
    assert!(UnixStream::connect(&socket).is_err());

    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    rt.shutdown_timeout(Duration::from_secs(1));
    assert!(!socket.exists());

    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    drop(rt);
    assert!(!socket.exists());

    let rt = inspected().build_local().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    rt.close();
    assert!(!socket.exists());
}

#[test]
fn each_inspected_runtime_of_a_process_gets_its_own_socket() {
    let a = inspected().build().unwrap();
    let b = inspected().build().unwrap();
    let (sa, sb) = (
        a.handle().inspection_socket().unwrap(),
        b.handle().inspection_socket().unwrap(),
    );
    assert_ne!(sa, sb);
    weft::task::Builder::new()
        .name("only-in-b")
        .spawn_on(std::future::pending::<()>(), b.handle());
    assert!(!ask(&sa, "text\n").contains("only-in-b"));
    assert!(ask(&sb, "text\n").contains("only-in-b"));
}

#[test]
fn a_runtime_without_inspection_opens_nothing() {
    run_child("child_without_inspection_nothing_is_opened", &[]);
}

#[test]
#[ignore = "run in a child process by a_runtime_without_inspection_opens_nothing"]
fn child_without_inspection_nothing_is_opened() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    let local = weft::LocalRuntime::new().unwrap();
    rt.block_on(async {
        weft::task::Builder::new()
            .name("uninspected")
            .spawn(async {})
            .await
            .unwrap();
    });
    assert_eq!(rt.handle().inspection_socket(), None);
    assert_eq!(local.handle().inspection_socket(), None);
    assert_eq!(files_for_our_pid(), Vec::<PathBuf>::new());
    assert_eq!(inspect_threads(), 0);
}

#[test]
fn weft_inspect_env_turns_inspection_on() {
    run_child("child_weft_inspect_1_serves", &[("WEFT_INSPECT", "1")]);
    run_child("child_weft_inspect_0_does_not", &[("WEFT_INSPECT", "0")]);
}

#[test]
#[ignore = "run in a child process by weft_inspect_env_turns_inspection_on"]
fn child_weft_inspect_1_serves() {
    let rt = weft::Runtime::new().unwrap();
    let socket = rt
        .handle()
        .inspection_socket()
        .expect("WEFT_INSPECT=1 turns it on");
    assert!(ask(&socket, "text\n").contains("weft runtime"));
    let local = weft::LocalRuntime::new().unwrap();
    assert!(local.handle().inspection_socket().is_some());
}

#[test]
#[ignore = "run in a child process by weft_inspect_env_turns_inspection_on"]
fn child_weft_inspect_0_does_not() {
    let rt = weft::Runtime::new().unwrap();
    assert_eq!(rt.handle().inspection_socket(), None);
    assert_eq!(files_for_our_pid(), Vec::<PathBuf>::new());
}

#[test]
fn close_leaves_no_thread_and_no_file_behind() {
    run_child("child_close_leaves_nothing", &[]);
}

#[test]
#[ignore = "run in a child process by close_leaves_no_thread_and_no_file_behind"]
fn child_close_leaves_nothing() {
    let rt = inspected().build().unwrap();
    let local = inspected().build_local().unwrap();
    // Once a server answered, its thread has started and named itself.
    for handle in [rt.handle(), local.handle()] {
        ask(&handle.inspection_socket().unwrap(), "text\n");
    }
    assert_eq!(inspect_threads(), 2);
    assert_eq!(files_for_our_pid().len(), 2);
    rt.close();
    assert_eq!(inspect_threads(), 1);
    drop(local);
    assert_eq!(inspect_threads(), 0);
    assert_eq!(files_for_our_pid(), Vec::<PathBuf>::new());
}

#[test]
fn the_socket_goes_in_a_private_xdg_runtime_dir() {
    let xdg = private_tmp("xdg");
    run_child(
        "child_socket_in_xdg_runtime_dir",
        &[("XDG_RUNTIME_DIR", xdg.to_str().unwrap())],
    );
    std::fs::remove_dir_all(&xdg).unwrap();
}

#[test]
#[ignore = "run in a child process by the_socket_goes_in_a_private_xdg_runtime_dir"]
fn child_socket_in_xdg_runtime_dir() {
    let xdg = PathBuf::from(std::env::var_os("XDG_RUNTIME_DIR").unwrap());
    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    assert_eq!(
        socket,
        xdg.join("weft")
            .join(format!("{}.sock", std::process::id()))
    );
    let dir = std::fs::symlink_metadata(xdg.join("weft")).unwrap();
    assert_eq!(dir.mode() & 0o777, 0o700);
}

#[test]
fn an_unsafe_socket_directory_is_refused() {
    // A `weft` directory other users could write.
    let open = private_tmp("open");
    std::fs::create_dir(open.join("weft")).unwrap();
    std::fs::set_permissions(open.join("weft"), std::fs::Permissions::from_mode(0o777)).unwrap();
    run_child(
        "child_build_is_refused",
        &[("XDG_RUNTIME_DIR", open.to_str().unwrap())],
    );
    // A symlink to a directory that would pass.
    let link = private_tmp("link");
    let target = private_tmp("target");
    std::os::unix::fs::symlink(&target, link.join("weft")).unwrap();
    run_child(
        "child_build_is_refused",
        &[("XDG_RUNTIME_DIR", link.to_str().unwrap())],
    );
    for dir in [open, link, target] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
#[ignore = "run in a child process by an_unsafe_socket_directory_is_refused"]
fn child_build_is_refused() {
    let err = inspected().build().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied, "{err}");
    assert!(err.to_string().contains("mode 0700"), "{err}");
    let err = inspected().build_local().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied, "{err}");
    assert_eq!(inspect_threads(), 0);
}

/// How the child that became `nobody` fared (its exit code).
#[derive(Debug, PartialEq, Eq)]
enum AsNobody {
    /// It could not become nobody (no CAP_SETUID): the test cannot run.
    CouldNotDrop,
    /// `connect` failed (the directory or the socket's mode kept it out).
    ConnectFailed,
    /// Connected, and the server closed without a byte.
    NoAnswer,
    /// Connected, and the server closed without a byte, discarding our request unread (the
    /// read fails with `ECONNRESET`).
    Reset,
    /// Connected, and reading failed otherwise (timed out: nobody closed it).
    ReadFailed,
    /// Connected and got an answer: the server answered another user.
    Answered,
}

/// Forks a child that becomes uid/gid `nobody` (65534), connects to `socket`, sends `text`
/// and reads. With `fs_as_root`, the child keeps root's file-system uid (`setfsuid(0)`, its
/// saved uid staying 0), so the directory and file modes let it reach the socket and only the
/// server's `SO_PEERCRED` check (which sees the effective uid, nobody) stands in its way.
fn connect_as_nobody(socket: &Path, fs_as_root: bool) -> AsNobody {
    const NOBODY: libc::uid_t = 65534;
    // Everything the child needs is made before `fork`: after it, the child only makes
    // system calls (it is a copy of a multi-threaded process; no allocation is safe there).
    // SAFETY: `sockaddr_un` is plain data; all zeroes is a valid value.
    let mut addr: libc::sockaddr_un = unsafe { std::mem::zeroed() };
    addr.sun_family = libc::AF_UNIX as libc::sa_family_t;
    let path = socket.as_os_str().as_encoded_bytes();
    assert!(path.len() < addr.sun_path.len());
    for (dst, src) in addr.sun_path.iter_mut().zip(path) {
        *dst = *src as libc::c_char;
    }
    let addr_len = std::mem::size_of::<libc::sockaddr_un>() as libc::socklen_t;
    let timeout = libc::timeval {
        tv_sec: 5,
        tv_usec: 0,
    };
    let mut buf = [0u8; 64];
    // SAFETY: the child below calls only async-signal-safe functions and ends in `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork: {}", std::io::Error::last_os_error());
    if pid == 0 {
        let exit = |code: i32| -> ! {
            // SAFETY: `_exit` ends the child at once, running nothing of the parent's.
            unsafe { libc::_exit(code) }
        };
        // In the child, only plain system calls, on values made before the fork; every
        // pointer below points into this stack frame and is valid for the size given.
        // SAFETY: a null list of length 0 is what `setgroups` takes to clear the groups.
        if unsafe { libc::setgroups(0, std::ptr::null()) } != 0 {
            exit(10);
        }
        // SAFETY: no pointers.
        if unsafe { libc::setresgid(NOBODY, NOBODY, NOBODY) } != 0 {
            exit(10);
        }
        let saved = if fs_as_root { 0 } else { NOBODY };
        // SAFETY: no pointers.
        if unsafe { libc::setresuid(NOBODY, NOBODY, saved) } != 0 {
            exit(10);
        }
        if fs_as_root {
            // SAFETY: no pointers.
            unsafe { libc::setfsuid(0) };
        }
        // SAFETY: no pointers.
        let fd = unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_STREAM, 0) };
        if fd < 0 {
            exit(11);
        }
        let timeval_len = std::mem::size_of::<libc::timeval>() as libc::socklen_t;
        // SAFETY: `timeout` is a `timeval`, valid for reads of `timeval_len` bytes.
        unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&raw const timeout).cast(),
                timeval_len,
            )
        };
        // SAFETY: `addr` is a `sockaddr_un` of `addr_len` bytes.
        if unsafe { libc::connect(fd, (&raw const addr).cast(), addr_len) } != 0 {
            exit(20);
        }
        // SAFETY: the 5 bytes of a static string.
        unsafe { libc::send(fd, b"text\n".as_ptr().cast(), 5, libc::MSG_NOSIGNAL) };
        // SAFETY: `buf` is valid for writes of its length.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        // Reads errno; allocates nothing.
        let errno = std::io::Error::last_os_error().raw_os_error();
        exit(match n {
            0 => 21,
            n if n < 0 && errno == Some(libc::ECONNRESET) => 22,
            n if n < 0 => 24,
            _ => 23,
        });
    }
    let mut status = 0;
    // SAFETY: `pid` is our child; `status` is valid for writes.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    assert!(libc::WIFEXITED(status), "child status {status}");
    match libc::WEXITSTATUS(status) {
        10 => AsNobody::CouldNotDrop,
        20 => AsNobody::ConnectFailed,
        21 => AsNobody::NoAnswer,
        22 => AsNobody::Reset,
        23 => AsNobody::Answered,
        24 => AsNobody::ReadFailed,
        code => panic!("child exited with {code}"),
    }
}

fn running_as_root() -> bool {
    if euid() == 0 {
        return true;
    }
    println!("note: not running as root, so no child can become another user: skipped");
    false
}

#[test]
fn another_user_gets_no_answer() {
    if !running_as_root() {
        return;
    }
    let rt = inspected().build().unwrap();
    weft::task::Builder::new()
        .name("secret")
        .spawn_on(std::future::pending::<()>(), rt.handle());
    let socket = rt.handle().inspection_socket().unwrap();
    let seen = connect_as_nobody(&socket, false);
    if seen == AsNobody::CouldNotDrop {
        println!("note: could not become nobody (no CAP_SETUID?): skipped");
        return;
    }
    assert!(
        matches!(
            seen,
            AsNobody::ConnectFailed | AsNobody::NoAnswer | AsNobody::Reset
        ),
        "{seen:?}"
    );
    // We still get ours.
    assert!(ask(&socket, "text\n").contains("secret"));
}

#[test]
fn another_user_that_reaches_the_socket_is_refused_by_its_peer_credentials() {
    if !running_as_root() {
        return;
    }
    let rt = inspected().build().unwrap();
    let socket = rt.handle().inspection_socket().unwrap();
    let seen = connect_as_nobody(&socket, true);
    if seen == AsNobody::CouldNotDrop {
        println!("note: could not become nobody (no CAP_SETUID?): skipped");
        return;
    }
    // The file-system checks let it through (fsuid 0): the server itself must close the
    // connection unanswered.
    assert!(
        matches!(seen, AsNobody::NoAnswer | AsNobody::Reset),
        "{seen:?}"
    );
    assert!(ask(&socket, "text\n").contains("weft runtime"));
}
