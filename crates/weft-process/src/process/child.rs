//! A spawned child process: [`Child`].
//!
//! # Ownership and invariants
//!
//! - A `Child` owns std's child (whose pipes it took out into [`ChildStdin`] and friends) and
//!   its [`Exit`] (a pidfd or a SIGCHLD listener, `reap.rs`).
//! - Once reaped, the status is kept in `status`; `wait` and `try_wait` return it again
//!   without another `waitpid`, and [`Child::id`] says `None` (the pid may be reused).
//! - Every child is reaped by someone: by its `Child` (`wait`, `try_wait` that saw the exit)
//!   or, when the `Child` is dropped before, by the orphan reaper (`orphans.rs`), after a
//!   `SIGKILL` if it was spawned with `kill_on_drop(true)`.

use super::orphans;
use super::pipe::{ChildStderr, ChildStdin, ChildStdout};
use super::reap::Exit;
use futures_lite::AsyncReadExt;
use std::future::poll_fn;
use std::io;
use std::process::{ExitStatus, Output};

/// A child process spawned by [`Command::spawn`](super::Command::spawn) (asyncio: the
/// `Process` of `create_subprocess_exec`).
///
/// ```
/// use weft::io::{AsyncReadExt, AsyncWriteExt};
/// use weft::process::{Command, Stdio};
///
/// weft::run(async {
///     let mut child = Command::new("cat")
///         .stdin(Stdio::piped())
///         .stdout(Stdio::piped())
///         .spawn()?;
///     let mut stdin = child.stdin.take().expect("piped");
///     stdin.write_all(b"meow").await?;
///     stdin.close().await?; // cat sees end-of-file
///     let mut out = String::new();
///     child.stdout.take().expect("piped").read_to_string(&mut out).await?;
///     assert_eq!(out, "meow");
///     assert!(child.wait().await?.success());
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// Dropping a `Child` does not wait for the process, nor (unless it was spawned with
/// [`kill_on_drop(true)`](super::Command::kill_on_drop)) kill it: it runs on, and is reaped in
/// the background when it exits, so it never stays a zombie.
#[derive(Debug)]
pub struct Child {
    /// The child's standard input, if it was [`Stdio::piped`](std::process::Stdio::piped).
    pub stdin: Option<ChildStdin>,
    /// The child's standard output, if it was piped.
    pub stdout: Option<ChildStdout>,
    /// The child's standard error, if it was piped.
    pub stderr: Option<ChildStderr>,
    /// `None` only while being dropped.
    inner: Option<Inner>,
    status: Option<ExitStatus>,
    kill_on_drop: bool,
}

#[derive(Debug)]
struct Inner {
    child: std::process::Child,
    exit: Exit,
}

impl Child {
    /// Takes over a child std just spawned: its pipes are registered with the reactor and its
    /// exit is watched. If a pipe cannot be registered, the child is killed (and reaped in the
    /// background) and the error returned.
    pub(crate) fn from_std(
        mut child: std::process::Child,
        kill_on_drop: bool,
    ) -> io::Result<Child> {
        let exit = Exit::for_child(child.id());
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let mut this = Child {
            stdin: None,
            stdout: None,
            stderr: None,
            inner: Some(Inner { child, exit }),
            status: None,
            kill_on_drop: true,
        };
        // Should a registration fail, dropping `this` kills and reaps the child.
        this.stdin = stdin.map(ChildStdin::from_std).transpose()?;
        this.stdout = stdout.map(ChildStdout::from_std).transpose()?;
        this.stderr = stderr.map(ChildStderr::from_std).transpose()?;
        this.kill_on_drop = kill_on_drop;
        Ok(this)
    }

    fn inner(&mut self) -> &mut Inner {
        self.inner.as_mut().expect("present until drop")
    }

    /// The child's process id, or `None` once it has been reaped (its pid may then belong to
    /// another process).
    pub fn id(&self) -> Option<u32> {
        match (&self.inner, self.status) {
            (Some(inner), None) => Some(inner.child.id()),
            _ => None,
        }
    }

    /// Waits for the child to exit and returns its status. Closes the child's stdin first (if
    /// still held here), so a child that reads to the end of its input does not wait forever.
    /// Once the child exited, returns the same status again, as std does.
    ///
    /// Waiting never blocks a thread: the child's exit is an event of the reactor (a pidfd on
    /// Linux, SIGCHLD elsewhere). The stdout and stderr pipes are not read here: a child that
    /// writes more than a pipe holds waits for a reader (see
    /// [`wait_with_output`](Child::wait_with_output)).
    ///
    /// # Errors
    ///
    /// When `waitpid` fails (the child was reaped by someone else), or the SIGCHLD listener
    /// cannot be made.
    pub async fn wait(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        // The pidfd's first look waits for its event (`reap.rs`), which the driver may not
        // have dispatched yet for a child that exited while nobody waited: ask once first,
        // so such a wait returns at once instead of after the driver's next turn.
        if self.inner().exit.is_pidfd() && self.try_wait()?.is_some() {
            return Ok(self.status.expect("set by try_wait"));
        }
        self.wait_for_exit().await
    }

    /// [`wait`](Child::wait) without the first look: for a child just spawned (`status`),
    /// which has not exited yet, almost surely.
    pub(crate) async fn wait_for_exit(&mut self) -> io::Result<ExitStatus> {
        drop(self.stdin.take());
        if let Some(status) = self.status {
            return Ok(status);
        }
        let inner = self.inner();
        let status = poll_fn(|cx| inner.exit.poll_exit(&mut inner.child, cx)).await?;
        self.status = Some(status);
        Ok(status)
    }

    /// The child's status if it has exited (reaping it), `None` if it still runs. Never
    /// blocks.
    ///
    /// # Errors
    ///
    /// When `waitpid` fails.
    pub fn try_wait(&mut self) -> io::Result<Option<ExitStatus>> {
        if self.status.is_none() {
            self.status = self.inner().child.try_wait()?;
        }
        Ok(self.status)
    }

    /// Sends `SIGKILL` to the child and returns at once; [`wait`](Child::wait) then reaps
    /// it. Once the child has been reaped, does nothing and returns `Ok(())`.
    ///
    /// # Errors
    ///
    /// When the signal cannot be sent.
    pub fn start_kill(&mut self) -> io::Result<()> {
        if self.status.is_some() {
            return Ok(());
        }
        self.inner().child.kill()
    }

    /// Kills the child (`SIGKILL`) and waits for it to exit (reaping it).
    ///
    /// # Errors
    ///
    /// As [`start_kill`](Child::start_kill) and [`wait`](Child::wait).
    pub async fn kill(&mut self) -> io::Result<()> {
        self.start_kill()?;
        self.wait().await.map(drop)
    }

    /// Closes stdin, reads stdout and stderr to their ends (those that are piped) while waiting
    /// for the child to exit, and returns all three.
    ///
    /// # Errors
    ///
    /// As [`wait`](Child::wait), and a read error of either pipe.
    pub async fn wait_with_output(mut self) -> io::Result<Output> {
        drop(self.stdin.take());
        let stdout = self.stdout.take();
        let stderr = self.stderr.take();
        let read_out = read_all(stdout);
        let read_err = read_all(stderr);
        let ((stdout, stderr), status) =
            futures_lite::future::zip(futures_lite::future::zip(read_out, read_err), self.wait())
                .await;
        Ok(Output {
            status: status?,
            stdout: stdout?,
            stderr: stderr?,
        })
    }

    /// Whether this child's exit is watched through a pidfd (else through SIGCHLD). Not
    /// public API (tests).
    #[doc(hidden)]
    pub fn reaped_with_pidfd(&self) -> bool {
        self.inner.as_ref().is_some_and(|i| i.exit.is_pidfd())
    }
}

async fn read_all(pipe: Option<impl futures_io::AsyncRead + Unpin>) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if let Some(mut pipe) = pipe {
        pipe.read_to_end(&mut buf).await?;
    }
    Ok(buf)
}

impl Drop for Child {
    fn drop(&mut self) {
        let Some(mut inner) = self.inner.take() else {
            return;
        };
        if self.status.is_some() {
            return;
        }
        if let Ok(Some(_)) = inner.child.try_wait() {
            return;
        }
        if self.kill_on_drop {
            // An error means it already exited: the reaper collects it either way.
            let _ = inner.child.kill();
        }
        orphans::adopt(inner.child, inner.exit);
    }
}
