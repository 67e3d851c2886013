//! The process tests, shared by `process.rs` (pidfds) and `process_sigchld.rs` (SIGCHLD
//! forced): each binary runs every case on its own reaping path.
//!
//! The cases run one at a time (`serial`): they count this process's descriptors and look for
//! zombie children, which other tests' children would disturb. Every case ends by checking
//! that no child of ours is left a zombie. Nothing asserts a duration: waits poll with a
//! generous watchdog ([`eventually`]).
#![allow(dead_code, unreachable_pub)]

use std::io::ErrorKind;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::process::{Command, Stdio};

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs one case alone; afterwards, no child of this process may stay a zombie.
pub fn serial(case: impl FnOnce()) {
    let _guard: MutexGuard<'_, ()> = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    case();
    assert!(
        eventually(|| zombie_children().is_empty()),
        "zombie children left: {:?}",
        zombie_children()
    );
}

pub fn rt() -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap()
}

/// Waits (at most 30 s) until `cond` holds; returns whether it did.
pub fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    cond()
}

/// `(state, ppid, starttime)` of process `pid`, from `/proc/<pid>/stat`; `None` if gone.
fn stat(pid: u32) -> Option<(char, u32, u64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: the fields follow its last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let state = fields.first()?.chars().next()?;
    let ppid = fields.get(1)?.parse().ok()?;
    let start = fields.get(19)?.parse().ok()?;
    Some((state, ppid, start))
}

/// The pids of this process's children that are zombies.
pub fn zombie_children() -> Vec<u32> {
    let me = std::process::id();
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| matches!(stat(pid), Some(('Z', ppid, _)) if ppid == me))
        .collect()
}

/// A process we spawned, seen from outside: to tell "still running", "a zombie" and "gone"
/// apart without touching its `Child`.
struct Watched {
    pid: u32,
    start: u64,
}

impl Watched {
    fn new(pid: u32) -> Watched {
        let (_, _, start) = stat(pid).expect("just spawned");
        Watched { pid, start }
    }

    /// Its state letter, or `None` once reaped (its pid gone, or reused by another process).
    fn state(&self) -> Option<char> {
        match stat(self.pid) {
            Some((state, _, start)) if start == self.start => Some(state),
            _ => None,
        }
    }

    fn reaped(&self) -> bool {
        self.state().is_none()
    }

    fn running(&self) -> bool {
        matches!(self.state(), Some(s) if s != 'Z' && s != 'X')
    }
}

/// A failed case must not leave a `sleep 1000` behind (holding the test harness's output pipe).
impl Drop for Watched {
    fn drop(&mut self) {
        if self.running() {
            // SAFETY: signalling a process of ours whose start time we checked just now.
            unsafe { libc::kill(self.pid as i32, libc::SIGKILL) };
        }
    }
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

pub fn echo_output() {
    rt().block_on(async {
        let out = Command::new("echo")
            .arg("hello")
            .arg("world")
            .output()
            .await
            .unwrap();
        assert!(out.status.success());
        assert_eq!(out.stdout, b"hello world\n");
        assert!(out.stderr.is_empty());
        let out = Command::new("sh")
            .args(["-c", "printf '%s' \"$A\" >&2"])
            .env_clear()
            .env("A", "from env")
            .output()
            .await
            .unwrap();
        assert_eq!(out.stderr, b"from env");
        // An explicit choice wins over output's default of piping.
        let out = Command::new("echo")
            .arg("gone")
            .stdout(Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(out.stdout.is_empty());
    });
}

pub fn exit_codes() {
    rt().block_on(async {
        assert_eq!(Command::new("true").status().await.unwrap().code(), Some(0));
        assert_eq!(
            Command::new("false").status().await.unwrap().code(),
            Some(1)
        );
        let seven = Command::new("sh")
            .args(["-c", "exit 7"])
            .status()
            .await
            .unwrap();
        assert_eq!(seven.code(), Some(7));
        assert!(!seven.success());
        let out = Command::new("sh")
            .args(["-c", "exit 42"])
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(42));
        let dir = Command::new("pwd")
            .current_dir("/tmp")
            .output()
            .await
            .unwrap();
        assert_eq!(dir.stdout, b"/tmp\n");
    });
}

pub fn cat_round_trip_of_a_mebibyte() {
    rt().block_on(async {
        let data: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let expected = data.clone();
        // Writing and reading at once: a pipe holds 64 KiB, so either alone would stall.
        let writer = weft::spawn(async move {
            stdin.write_all(&data).await?;
            stdin.close().await?;
            // Closed: a later write is refused, not sent.
            assert_eq!(
                stdin.write(b"x").await.unwrap_err().kind(),
                ErrorKind::BrokenPipe
            );
            Ok::<(), std::io::Error>(())
        });
        let mut got = Vec::new();
        stdout.read_to_end(&mut got).await.unwrap();
        writer.await.unwrap().unwrap();
        assert!(
            got == expected,
            "cat gave back {} bytes, not the 1 MiB sent",
            got.len()
        );
        assert!(child.wait().await.unwrap().success());
    });
}

pub fn a_missing_program_is_not_found() {
    rt().block_on(async {
        let err = Command::new("/definitely/not/a/program")
            .spawn()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = Command::new("weft-no-such-program-anywhere")
            .output()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let err = Command::new("weft-no-such-program-anywhere")
            .status()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}

pub fn kill_ends_a_long_sleep() {
    use std::os::unix::process::ExitStatusExt;
    rt().block_on(async {
        let mut child = Command::new("sleep")
            .arg("1000")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let watched = Watched::new(child.id().unwrap());
        child.kill().await.unwrap();
        assert!(
            watched.reaped(),
            "kill().await returns once the child is reaped"
        );
        let status = child.wait().await.unwrap();
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert_eq!(child.id(), None);
        // Killing a reaped child does nothing.
        child.start_kill().unwrap();
    });
}

pub fn wait_twice_gives_the_same_status() {
    rt().block_on(async {
        let mut child = Command::new("sh").args(["-c", "exit 3"]).spawn().unwrap();
        let pid = child.id().unwrap();
        let first = child.wait().await.unwrap();
        let second = child.wait().await.unwrap();
        assert_eq!(first.code(), Some(3));
        assert_eq!(first, second);
        assert_eq!(child.try_wait().unwrap(), Some(first));
        assert!(stat(pid).is_none_or(|(s, _, _)| s != 'Z'));
    });
}

pub fn try_wait_sees_a_running_then_an_exited_child() {
    rt().block_on(async {
        let mut child = Command::new("sleep")
            .arg("1000")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        assert_eq!(child.try_wait().unwrap(), None);
        assert!(child.id().is_some());
        child.start_kill().unwrap();
        assert!(eventually(|| child.try_wait().unwrap().is_some()));
        assert_eq!(child.id(), None);
        let status = child.wait().await.unwrap();
        assert_eq!(child.try_wait().unwrap(), Some(status));
    });
}

pub fn a_dropped_child_is_reaped() {
    let rt = rt();
    // One that exits at once, one that exits after its Child is gone.
    let (quick, slow) = rt.block_on(async {
        let quick = Command::new("true").spawn().unwrap();
        let slow = Command::new("sleep").arg("0.2").spawn().unwrap();
        let watched = (
            Watched::new(quick.id().unwrap()),
            Watched::new(slow.id().unwrap()),
        );
        drop(quick);
        drop(slow);
        watched
    });
    assert!(slow.running() || slow.reaped(), "not killed by the drop");
    assert!(eventually(|| quick.reaped()), "{:?}", quick.state());
    assert!(eventually(|| slow.reaped()), "{:?}", slow.state());
    assert!(eventually(|| weft::process::orphans_pending() == 0));
}

pub fn kill_on_drop_kills_the_child() {
    let rt = rt();
    let (killed, spared) = rt.block_on(async {
        let killed = Command::new("sleep")
            .arg("1000")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let spared = Command::new("sleep").arg("1000").spawn().unwrap();
        let watched = (
            Watched::new(killed.id().unwrap()),
            Watched::new(spared.id().unwrap()),
        );
        drop(killed);
        drop(spared);
        watched
    });
    assert!(eventually(|| killed.reaped()), "{:?}", killed.state());
    assert!(
        spared.running(),
        "a Child dropped without kill_on_drop leaves it running"
    );
    // SAFETY: signalling our own child, still unreaped (so its pid is still its own).
    assert_eq!(unsafe { libc::kill(spared.pid as i32, libc::SIGKILL) }, 0);
    assert!(eventually(|| spared.reaped()), "{:?}", spared.state());
}

pub fn a_runtime_close_kills_only_kill_on_drop_children() {
    let rt = rt();
    let (tx, rx) = std::sync::mpsc::channel();
    for kill_on_drop in [false, true] {
        let tx = tx.clone();
        rt.spawn(async move {
            let mut child = Command::new("sleep")
                .arg("1000")
                .kill_on_drop(kill_on_drop)
                .spawn()
                .unwrap();
            tx.send((kill_on_drop, Watched::new(child.id().unwrap())))
                .unwrap();
            let _ = child.wait().await; // never returns: the close drops this task
        });
    }
    let mut watched: Vec<(bool, Watched)> = vec![rx.recv().unwrap(), rx.recv().unwrap()];
    watched.sort_by_key(|(k, _)| *k);
    drop(rt);
    let [(_, spared), (_, killed)] = <[_; 2]>::try_from(watched).ok().unwrap();
    assert!(eventually(|| killed.reaped()), "{:?}", killed.state());
    assert!(spared.running(), "the close left it running");
    // SAFETY: signalling our own child, still unreaped.
    assert_eq!(unsafe { libc::kill(spared.pid as i32, libc::SIGKILL) }, 0);
    assert!(eventually(|| spared.reaped()), "{:?}", spared.state());
}

pub fn a_child_outlives_the_runtime_that_spawned_it() {
    let rt = rt();
    let mut child = rt
        .block_on(async { Command::new("sleep").arg("0.1").spawn() })
        .unwrap();
    drop(rt);
    let status = futures_lite::future::block_on(child.wait()).unwrap();
    assert!(status.success());
}

pub fn children_under_another_executor() {
    futures_lite::future::block_on(async {
        let out = Command::new("echo")
            .arg("no runtime")
            .output()
            .await
            .unwrap();
        assert_eq!(out.stdout, b"no runtime\n");
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = vec![7u8; 300_000];
        let write = async {
            stdin.write_all(&data).await.unwrap();
            stdin.close().await.unwrap();
        };
        let mut got = Vec::new();
        let read = child.stdout.as_mut().unwrap().read_to_end(&mut got);
        let ((), n) = futures_lite::future::zip(write, read).await;
        assert_eq!(n.unwrap(), data.len());
        assert!(child.wait().await.unwrap().success());
        let mut sleeper = Command::new("sleep")
            .arg("1000")
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        sleeper.kill().await.unwrap();
        // An orphan with no runtime anywhere: the fallback thread reaps it.
        let orphan = Command::new("sleep").arg("0.05").spawn().unwrap();
        let watched = Watched::new(orphan.id().unwrap());
        drop(orphan);
        assert!(eventually(|| watched.reaped()), "{:?}", watched.state());
    });
}

pub fn many_children_at_once() {
    rt().block_on(async {
        let children: Vec<_> = (0..64)
            .map(|i| {
                weft::spawn(async move {
                    let code = i % 3;
                    let status = Command::new("sh")
                        .args(["-c", &format!("exit {code}")])
                        .status()
                        .await
                        .unwrap();
                    assert_eq!(status.code(), Some(code));
                })
            })
            .collect();
        for c in weft::join_all(children).await {
            c.unwrap();
        }
        let trues: Vec<_> = (0..64)
            .map(|_| weft::spawn(async { Command::new("true").status().await }))
            .collect();
        for t in weft::join_all(trues).await {
            assert!(t.unwrap().unwrap().success());
        }
    });
}

pub fn no_descriptor_leaks() {
    // Warm up what is made once (the runtime's reactor, the fallback thread, the signal pipe).
    let workload = || {
        let rt = rt();
        rt.block_on(async {
            let out = Command::new("echo").arg("x").output().await.unwrap();
            assert_eq!(out.stdout, b"x\n");
            let mut c = Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            c.kill().await.unwrap();
            drop(c);
            drop(Command::new("true").stdout(Stdio::piped()).spawn().unwrap());
            drop(
                Command::new("sleep")
                    .arg("1000")
                    .kill_on_drop(true)
                    .spawn()
                    .unwrap(),
            );
            let _ = Command::new("weft-no-such-program").spawn();
        });
        drop(rt);
        futures_lite::future::block_on(async {
            let out = Command::new("echo").arg("y").output().await.unwrap();
            assert_eq!(out.stdout, b"y\n");
        });
    };
    workload();
    assert!(eventually(|| weft::process::orphans_pending() == 0));
    let before = open_fds();
    for _ in 0..3 {
        workload();
    }
    assert!(eventually(|| weft::process::orphans_pending() == 0));
    assert!(
        eventually(|| open_fds() == before),
        "descriptors: {before} before, {} after",
        open_fds()
    );
}
