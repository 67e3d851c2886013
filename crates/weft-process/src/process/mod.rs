//! Child processes (asyncio: `create_subprocess_exec`, the event loop runs subprocesses):
//! [`Command`] spawns a [`Child`], whose pipes ([`ChildStdin`], [`ChildStdout`],
//! [`ChildStderr`]) and exit are events of the reactor.
//!
//! # Invariants
//!
//! - **Every child is reaped, and no thread blocks for it.** A child's exit is awaited
//!   through its pidfd (Linux 5.3+), registered with the reactor, or else through SIGCHLD
//!   (`reap.rs`); either way the reaping `waitpid` is `WNOHANG`, after the event said the
//!   child exited.
//! - **Orphans are reaped too.** A [`Child`] dropped before its process exited hands the
//!   process to a background reaper driven by the fallback thread (`orphans.rs`,
//!   `detached.rs`), which works with no runtime at all and outlives every runtime. With
//!   `kill_on_drop(true)` the process is killed first. A runtime's close kills nothing by
//!   itself.
//! - **One choice of path per process, made early** (`pidfd.rs`): pidfds unless the kernel
//!   refuses them, `WEFT_PROCESS_NO_PIDFD=1` is set, or a test forced SIGCHLD.
//! - **Pipes are the parent's ends only**, made non-blocking and registered with the reactor
//!   of the runtime that spawned the child (`pipe.rs`).
//!
//! Locks: the detached reaper's state is a plain mutex (one poll per child exit is not hot);
//! there is no lock-free protocol here.

mod child;
mod command;
pub(crate) mod detached;
mod orphans;
mod pidfd;
mod pipe;
mod reap;

pub use child::Child;
pub use command::Command;
#[doc(hidden)]
pub use orphans::pending as orphans_pending;
#[doc(hidden)]
pub use pidfd::{force_sigchld_reaping, reaps_with_pidfd};
pub use pipe::{ChildStderr, ChildStdin, ChildStdout};
pub use std::process::{ExitStatus, Output, Stdio};

const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Command>();
    assert_send_sync::<Child>();
    assert_send_sync::<ChildStdin>();
    assert_send_sync::<ChildStdout>();
    assert_send_sync::<ChildStderr>();
};
