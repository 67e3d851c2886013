//! Inspection: a runtime serving its task table and metrics to `weft-ps` over a Unix socket
//! (Python: `python -m asyncio ps PID`).
//!
//! Off unless asked for, by [`Builder::inspect(true)`](super::Builder::inspect) or the
//! environment variable `WEFT_INSPECT` set to anything but empty or `0`. A runtime that was
//! not asked opens nothing: no socket, no thread, no directory.
//!
//! # Where
//!
//! The socket lives in a directory only the process's (effective) user can write:
//! `$XDG_RUNTIME_DIR/weft` when `XDG_RUNTIME_DIR` is set and is a directory owned by the user
//! with mode 0700, else `/tmp/weft-<uid>`. The directory is created with mode 0700; whether
//! created now or found, it must be a real directory (not a symlink), owned by the user, with
//! mode 0700, or `build` fails with `PermissionDenied` (someone else could otherwise swap the
//! socket for their own). The socket file is `<pid>.sock` for the process's first inspected
//! runtime and `<pid>-<n>.sock` for the next ones, mode 0600. A file of that name left by a
//! dead process of the same pid (killed before it could clean up) is replaced.
//!
//! # Who may connect
//!
//! Three locks, each enough alone: the directory (0700) and the socket (0600) keep other users
//! from reaching it through the file system, and every connection's peer is checked with
//! `SO_PEERCRED` (`getpeereid` elsewhere): a peer whose effective uid is not ours is closed
//! without an answer.
//!
//! # Protocol
//!
//! The client sends one line, `text` or `json`; the server answers the task table and the
//! metrics in that form and closes the connection. Anything else gets one line starting with
//! `error:`. Reads and writes time out after a second, so a stuck client cannot hold the
//! server (or the runtime's close) for longer.
//!
//! # Life
//!
//! One thread per inspected runtime (`weft-inspect`), blocking in `accept`; it holds the
//! runtime weakly and needs no runtime to run. It is started by `build` / `build_local` once
//! the runtime exists, and stopped by the runtime's close (`close`, `shutdown_timeout`, drop):
//! the listener is shut down (which wakes `accept`), the thread joined, the socket file
//! removed. While it lives, polls are timed (weft-core's `task::enable_timing`), so busy times
//! show.

mod report;

use super::handle::{Handle, HandleInner};
use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// The environment variable that turns inspection on for every runtime of the process.
pub(crate) const ENV: &str = "WEFT_INSPECT";

/// How long the server waits for a client's request line, or for its answer to be taken.
const IO_TIMEOUT: Duration = Duration::from_secs(1);

/// Whether inspection is asked for: by the builder, or by `WEFT_INSPECT`.
pub(crate) fn asked(by_builder: bool) -> bool {
    by_builder || std::env::var_os(ENV).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The inspector of a runtime, if it has one (a field of `HandleInner`).
#[derive(Default)]
pub(crate) struct Slot(Mutex<Option<Inspector>>);

impl Slot {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Inspector>> {
        // A poisoned slot still holds a valid `Option`: nothing panics while it is changed.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stops the server, if any (the runtime's close): joins its thread, removes the socket.
    pub(crate) fn stop(&self) {
        let inspector = self.lock().take();
        drop(inspector);
    }
}

/// A running inspection server. Dropping it stops the server.
struct Inspector {
    path: PathBuf,
    /// Shared with the thread, so the descriptor stays open (and is the listener's) until
    /// both are done with it.
    listener: Arc<UnixListener>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    _timing: weft_core::task::TimingGuard,
}

impl Drop for Inspector {
    fn drop(&mut self) {
        // Release: pairs with the Acquire in `serve`, which sees the flag after `accept` wakes.
        self.stop.store(true, Release);
        // Wakes the blocking `accept` (on Linux it then fails with EINVAL).
        // SAFETY: the descriptor is the listener's, kept open by our `Arc`; `shutdown` touches
        // no memory.
        unsafe { libc::shutdown(self.listener.as_raw_fd(), libc::SHUT_RDWR) };
        // Where `shutdown` does not wake `accept`, a connection does (the server sees the flag
        // before it answers).
        drop(UnixStream::connect(&self.path));
        if let Some(thread) = self.thread.take() {
            // The last handle to the runtime can drop on the server's own thread (it upgrades
            // its weak reference to answer); it must not wait for itself.
            if thread.thread().id() != std::thread::current().id() {
                drop(thread.join());
            }
        }
        drop(fs::remove_file(&self.path));
    }
}

/// Starts serving `handle`'s runtime (called by `build` / `build_local` when [`asked`]),
/// keeping polls timed with `timing` (taken by the builder before the workers started) for as
/// long as it serves.
pub(crate) fn start(handle: &Handle, timing: weft_core::task::TimingGuard) -> io::Result<()> {
    let dir = socket_dir()?;
    let (listener, path, label) = bind(&dir)?;
    let listener = Arc::new(listener);
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = Arc::downgrade(&handle.inner);
    let thread = std::thread::Builder::new()
        .name("weft-inspect".to_owned())
        .spawn({
            let listener = listener.clone();
            let stop = stop.clone();
            move || serve(&listener, &runtime, &stop, &label)
        });
    let thread = match thread {
        Ok(thread) => thread,
        Err(e) => {
            drop(fs::remove_file(&path));
            return Err(e);
        }
    };
    *handle.inner.inspector.lock() = Some(Inspector {
        path,
        listener,
        stop,
        thread: Some(thread),
        _timing: timing,
    });
    Ok(())
}

impl Handle {
    /// The path of the Unix socket this runtime serves its task table and metrics on (for
    /// `weft-ps`), or `None` when inspection is off or the runtime is closed; see
    /// [`Builder::inspect`](super::Builder::inspect).
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new().inspect(true).build()?;
    /// let socket = rt.handle().inspection_socket().unwrap();
    /// assert!(socket.exists());
    /// rt.close();
    /// assert!(!socket.exists());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn inspection_socket(&self) -> Option<PathBuf> {
        self.inner.inspector.lock().as_ref().map(|i| i.path.clone())
    }
}

/// The process's effective uid.
fn euid() -> u32 {
    // SAFETY: `geteuid` has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The directory the socket goes in, created if need be, checked either way.
fn socket_dir() -> io::Result<PathBuf> {
    let uid = euid();
    if let Some(runtime_dir) = std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        let runtime_dir = PathBuf::from(runtime_dir);
        if check_private(&runtime_dir, uid).is_ok() {
            let dir = runtime_dir.join("weft");
            make_private(&dir, uid)?;
            return Ok(dir);
        }
    }
    let dir = PathBuf::from(format!("/tmp/weft-{uid}"));
    make_private(&dir, uid)?;
    Ok(dir)
}

/// Creates `dir` with mode 0700 unless it exists, then checks it is private.
fn make_private(dir: &Path, uid: u32) -> io::Result<()> {
    match fs::DirBuilder::new().mode(0o700).create(dir) {
        // The umask may have taken bits away; set exactly 0700 on what we made.
        Ok(()) => fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(e),
    }
    check_private(dir, uid)
}

/// Whether `dir` is a directory (not a symlink) owned by `uid` with mode 0700.
fn check_private(dir: &Path, uid: u32) -> io::Result<()> {
    let meta = fs::symlink_metadata(dir)?;
    let refuse = |what: String| {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "weft inspection: {} {what}; the socket directory must be a directory owned by \
                 uid {uid} with mode 0700, so that no other user can replace the socket",
                dir.display()
            ),
        )
    };
    if meta.file_type().is_symlink() {
        return Err(refuse("is a symlink".to_owned()));
    }
    if !meta.is_dir() {
        return Err(refuse("is not a directory".to_owned()));
    }
    if meta.uid() != uid {
        return Err(refuse(format!("is owned by uid {}", meta.uid())));
    }
    let mode = meta.mode() & 0o7777;
    if mode != 0o700 {
        return Err(refuse(format!("has mode {mode:04o}")));
    }
    Ok(())
}

/// Binds the runtime's socket in `dir`: `<pid>.sock` for the process's first inspected
/// runtime, `<pid>-<n>.sock` after. Returns the listener, its path, and its label (the file
/// name without `.sock`).
fn bind(dir: &Path) -> io::Result<(UnixListener, PathBuf, String)> {
    static RUNTIMES: AtomicUsize = AtomicUsize::new(0);
    let pid = std::process::id();
    loop {
        // Relaxed: it only hands out distinct numbers.
        let label = match RUNTIMES.fetch_add(1, Relaxed) {
            0 => pid.to_string(),
            n => format!("{pid}-{n}"),
        };
        let path = dir.join(format!("{label}.sock"));
        let listener = match UnixListener::bind(&path) {
            Ok(listener) => listener,
            // Our pid and a number no runtime of ours took: a live server there belongs to
            // another pid namespace sharing the directory (take the next number); a dead one
            // was left by a process that had our pid (replace it).
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => {
                if UnixStream::connect(&path).is_ok() {
                    continue;
                }
                fs::remove_file(&path)?;
                UnixListener::bind(&path)?
            }
            Err(e) => return Err(e),
        };
        // The directory already keeps others out; 0600 whatever the umask made it.
        if let Err(e) = fs::set_permissions(&path, fs::Permissions::from_mode(0o600)) {
            drop(fs::remove_file(&path));
            return Err(e);
        }
        return Ok((listener, path, label));
    }
}

/// The server's loop: answer each connection in turn until told to stop.
fn serve(listener: &UnixListener, runtime: &Weak<HandleInner>, stop: &AtomicBool, label: &str) {
    loop {
        let accepted = listener.accept();
        // Acquire: pairs with the Release in `Inspector::drop`.
        if stop.load(Acquire) {
            return;
        }
        match accepted {
            Ok((stream, _)) => {
                if peer_uid(&stream).is_ok_and(|uid| uid == euid()) {
                    drop(answer(stream, runtime, label));
                }
                // Another user's connection drops here, unanswered.
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            // Out of descriptors, say: wait a little rather than spin.
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

/// The effective uid of the process at the other end of `stream`.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: `cred` and `len` are valid for writes and `len` is `cred`'s size, as
    // `SO_PEERCRED` requires; the descriptor is the stream's, open while it lives.
    let rc = unsafe {
        libc::getsockopt(
            stream.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&raw mut cred).cast(),
            &mut len,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(cred.uid)
}

/// The effective uid of the process at the other end of `stream`.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn peer_uid(stream: &UnixStream) -> io::Result<u32> {
    let mut uid: libc::uid_t = 0;
    let mut gid: libc::gid_t = 0;
    // SAFETY: both pointers are valid for writes; the descriptor is the stream's.
    let rc = unsafe { libc::getpeereid(stream.as_raw_fd(), &mut uid, &mut gid) };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(uid)
}

/// Reads the request line and writes the answer.
fn answer(stream: UnixStream, runtime: &Weak<HandleInner>, label: &str) -> io::Result<()> {
    stream.set_read_timeout(Some(IO_TIMEOUT))?;
    stream.set_write_timeout(Some(IO_TIMEOUT))?;
    let mut request = String::new();
    BufReader::new((&stream).take(64)).read_line(&mut request)?;
    let Some(inner) = runtime.upgrade() else {
        return Ok(());
    };
    let handle = Handle { inner };
    let text = match request.trim() {
        "text" => report::text(&handle, label),
        "json" => report::json(&handle, label),
        other => format!("error: unknown request {other:?}: send \"text\" or \"json\"\n"),
    };
    drop(handle);
    (&stream).write_all(text.as_bytes())
}
