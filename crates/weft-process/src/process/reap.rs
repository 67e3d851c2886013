//! Waiting for one child to exit without blocking a thread: [`Exit`].
//!
//! Two ways, chosen per child at spawn (`pidfd.rs` says which):
//!
//! - **pidfd** (Linux 5.3+): the child's pidfd, registered with the reactor, turns readable
//!   when the child exits. An `Exit` tries `waitpid(pid, WNOHANG)` (std's `try_wait`) as a
//!   read operation: "still running" is `WouldBlock`, which clears the readiness unless an
//!   event came meanwhile (weft-io's tick), and waits for the next one. The pidfd is
//!   registered with its read readiness clear (`Async::new_watched`): the first look waits
//!   for the pidfd's first event, which comes at once if the child exited already, so
//!   `Command::status` costs one `waitpid`, not one that says "still running" and one after
//!   the exit; and its flags are left alone (it is never read: no `fcntl`). `Child::wait`,
//!   which may come long after the exit, asks once first (`child.rs`): the exit's event may
//!   not be dispatched yet when every worker is busy. No signal handler is
//!   installed for this path.
//! - **SIGCHLD**: a listener of `SIGCHLD` (weft's signal module; its pipe lives on the fallback
//!   reactor). The listener is made before the first `try_wait`, so an exit after that look
//!   is a delivery the listener sees; each delivery wakes every waiting child, and each one
//!   tries `try_wait` again. Several exits may merge into one delivery: every child looks.
//!
//! `try_wait` is std's: it caches the status once reaped, so a second wait returns the same
//! status and never calls `waitpid` on a pid that may have been reused.
//!
//! The pidfd is registered with the current runtime's reactor (or the fallback one). If that
//! runtime closes while the child still runs, the pidfd moves to the fallback reactor and the
//! wait goes on; an orphan's moves there at once ([`Exit::into_fallback`]).

use crate::signal::unix::{Signal, SignalKind, signal};
use std::io;
use std::os::fd::OwnedFd;
use std::process::ExitStatus;
use std::task::{Context, Poll};
use weft_io::Async;

/// How one child's exit is awaited.
#[derive(Debug)]
pub(crate) enum Exit {
    /// The child's pidfd, and whether it is registered with the fallback reactor.
    Pidfd {
        pidfd: Async<OwnedFd>,
        on_fallback: bool,
    },
    /// The SIGCHLD path; the listener is made at the first wait.
    Sigchld(Option<Signal>),
}

impl Exit {
    /// The way to await the child `pid`, just spawned and not yet reaped.
    pub(crate) fn for_child(pid: u32) -> Exit {
        let Some(fd) = super::pidfd::open(pid) else {
            return Exit::Sigchld(None);
        };
        // Watched, not read: no `fcntl`, and no `waitpid` before the pidfd's first event
        // (the child was just spawned; if it already exited, that event comes at once).
        match Async::new_watched(fd) {
            Ok(pidfd) => Exit::Pidfd {
                pidfd,
                on_fallback: false,
            },
            // No room in the reactor (or no reactor): the signal path still works.
            Err(_) => Exit::Sigchld(None),
        }
    }

    /// Whether this child is awaited through a pidfd.
    pub(crate) fn is_pidfd(&self) -> bool {
        matches!(self, Exit::Pidfd { .. })
    }

    /// The same wait, driven by the fallback reactor: for an orphan, which must be reaped
    /// whatever becomes of the runtime it was spawned in.
    pub(crate) fn into_fallback(self) -> Exit {
        match self {
            Exit::Pidfd {
                pidfd,
                on_fallback: false,
            } => match Async::new_fallback(pidfd.into_inner()) {
                Ok(pidfd) => Exit::Pidfd {
                    pidfd,
                    on_fallback: true,
                },
                Err(_) => Exit::Sigchld(None),
            },
            exit => exit,
        }
    }

    /// Ready with the child's status once it exited (and was reaped); `Pending` with `cx`'s
    /// waker registered otherwise.
    pub(crate) fn poll_exit(
        &mut self,
        child: &mut std::process::Child,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<ExitStatus>> {
        loop {
            match self {
                Exit::Pidfd { pidfd, on_fallback } => {
                    let mut wait_failed = false;
                    let poll = pidfd.poll_read_with(cx, |_| match child.try_wait() {
                        Ok(Some(status)) => Ok(status),
                        Ok(None) => Err(io::ErrorKind::WouldBlock.into()),
                        Err(e) => {
                            wait_failed = true;
                            Err(e)
                        }
                    });
                    match poll {
                        Poll::Ready(Err(_)) if !wait_failed && !*on_fallback => {
                            // The reactor refused (its runtime closed): go on with the
                            // fallback reactor, which never closes.
                            let exit = std::mem::replace(self, Exit::Sigchld(None));
                            *self = exit.into_fallback();
                        }
                        poll => return poll,
                    }
                }
                Exit::Sigchld(listener) => {
                    let listener = match listener {
                        Some(listener) => listener,
                        None => listener.insert(signal(SignalKind::child())?),
                    };
                    if let Some(status) = child.try_wait()? {
                        return Poll::Ready(Ok(status));
                    }
                    match listener.poll_recv(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(Some(())) => {}
                        Poll::Ready(None) => {
                            return Poll::Ready(Err(io::Error::other(
                                "the SIGCHLD listener stopped; the child cannot be awaited",
                            )));
                        }
                    }
                }
            }
        }
    }
}
