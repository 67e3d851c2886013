//! Which way children are reaped, and the Linux process file descriptor (`pidfd`).
//!
//! A pidfd refers to one process and becomes readable when it exits; it stays valid (and
//! refers to the same process) until closed, even after the pid is reaped and reused. weft
//! opens one per child right after spawning it, before anything can reap that child, so it
//! can never name another process.
//!
//! # The switch
//!
//! pidfds are used unless one of these turned them off, process-wide and for good:
//! - the environment variable `WEFT_PROCESS_NO_PIDFD=1`, read once, at the first spawn;
//! - [`force_sigchld_reaping`] (for tests of the other path);
//! - the kernel refusing `pidfd_open` (`ENOSYS` before Linux 5.3, `EPERM` / `EACCES` under a
//!   seccomp filter, `EINVAL`): then this child and every later one use SIGCHLD.
//!
//! Any other failure (`EMFILE`: no descriptor left) sends only that child down the SIGCHLD
//! path; the next spawn tries a pidfd again.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once pidfds are off for good. Relaxed: a flag read on its own; a spawn that reads a
/// stale `false` only tries `pidfd_open` once more.
static DISABLED: AtomicBool = AtomicBool::new(false);

/// The environment's word, read at the first spawn.
static FROM_ENV: OnceLock<bool> = OnceLock::new();

/// Reap every child spawned from now on through SIGCHLD instead of a pidfd, as on a kernel
/// that refuses `pidfd_open`. Not public API: the tests of the SIGCHLD path call it before
/// they spawn anything.
#[doc(hidden)]
pub fn force_sigchld_reaping() {
    DISABLED.store(true, Ordering::Relaxed);
}

/// Whether the next child will be reaped through a pidfd. Not public API (tests).
#[doc(hidden)]
pub fn reaps_with_pidfd() -> bool {
    let env = *FROM_ENV
        .get_or_init(|| std::env::var_os("WEFT_PROCESS_NO_PIDFD").is_some_and(|v| v == "1"));
    !env && !DISABLED.load(Ordering::Relaxed)
}

/// A pidfd for the child `pid`, or `None` for the SIGCHLD path (switched off, refused by the
/// kernel, or out of descriptors).
pub(crate) fn open(pid: u32) -> Option<OwnedFd> {
    if !reaps_with_pidfd() {
        return None;
    }
    let pid = libc::pid_t::try_from(pid).ok()?;
    // SAFETY: pidfd_open takes a pid and flags (0) and returns a new descriptor or -1; it
    // touches no memory of ours.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        let err = io::Error::last_os_error();
        if refused(&err) {
            force_sigchld_reaping();
        }
        return None;
    }
    let fd = i32::try_from(fd).ok()?;
    // SAFETY: the kernel just returned `fd` as a new descriptor (close-on-exec) that nothing
    // else owns.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// An error that means "this kernel or sandbox will never give us a pidfd".
fn refused(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::ENOSYS | libc::EPERM | libc::EACCES | libc::EINVAL)
    )
}
