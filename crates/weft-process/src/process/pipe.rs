//! The parent's ends of a child's standard streams: [`ChildStdin`], [`ChildStdout`],
//! [`ChildStderr`].
//!
//! Each is std's pipe end made non-blocking (only the parent's end: the child's end is a
//! separate open file) and registered with the reactor of the runtime that spawned the child,
//! or the fallback one outside a runtime, through [`Async`]. They implement the futures-io
//! traits, so `weft::io`'s `read_to_end`, `write_all`, `BufReader`, `copy` work on them.
//!
//! A pipe transfers all it can, as a stream socket does: a read shorter than asked drained
//! it, a write shorter than given filled it, so either clears readiness at once (weft-io's
//! `poll_read_stream`) instead of paying one more syscall for its `WouldBlock`. The ends are
//! kept as `File`s (std's `Read` for `&File` is a plain `read(2)` on the descriptor).

use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use weft_io::Async;

/// The child's standard input, for writing (`AsyncWrite`); from [`Child::stdin`](super::Child).
///
/// Closing it (`AsyncWriteExt::close`, or dropping it) closes the
/// pipe: the child reads end-of-file.
pub struct ChildStdin {
    /// `None` once closed.
    io: Option<Async<File>>,
}

/// The child's standard output, for reading (`AsyncRead`); from
/// [`Child::stdout`](super::Child).
pub struct ChildStdout {
    io: Async<File>,
}

/// The child's standard error, for reading (`AsyncRead`); from
/// [`Child::stderr`](super::Child).
pub struct ChildStderr {
    io: Async<File>,
}

impl ChildStdin {
    /// Wraps std's handle (made non-blocking, registered with the reactor).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    pub fn from_std(stdin: std::process::ChildStdin) -> io::Result<ChildStdin> {
        Ok(ChildStdin {
            io: Some(Async::new(File::from(OwnedFd::from(stdin)))?),
        })
    }

    fn closed() -> io::Error {
        io::Error::new(io::ErrorKind::BrokenPipe, "the child's stdin was closed")
    }
}

impl ChildStdout {
    /// Wraps std's handle (made non-blocking, registered with the reactor).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    pub fn from_std(stdout: std::process::ChildStdout) -> io::Result<ChildStdout> {
        Ok(ChildStdout {
            io: Async::new(File::from(OwnedFd::from(stdout)))?,
        })
    }
}

impl ChildStderr {
    /// Wraps std's handle (made non-blocking, registered with the reactor).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    pub fn from_std(stderr: std::process::ChildStderr) -> io::Result<ChildStderr> {
        Ok(ChildStderr {
            io: Async::new(File::from(OwnedFd::from(stderr)))?,
        })
    }
}

impl futures_io::AsyncWrite for ChildStdin {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &self.io {
            Some(io) => io.poll_write_stream(cx, buf.len(), |mut f| f.write(buf)),
            None => Poll::Ready(Err(ChildStdin::closed())),
        }
    }

    /// A pipe has no buffer of ours to flush.
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    /// Closes the pipe (the child reads end-of-file); later writes fail with `BrokenPipe`.
    fn poll_close(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.io = None;
        Poll::Ready(Ok(()))
    }
}

macro_rules! impl_read {
    ($t:ty) => {
        impl futures_io::AsyncRead for $t {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let len = buf.len();
                self.io.poll_read_stream(cx, len, |mut f| f.read(buf))
            }
        }

        impl AsFd for $t {
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.io.as_fd()
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($t))
                    .field("fd", &self.io.as_fd())
                    .finish()
            }
        }
    };
}

impl_read!(ChildStdout);
impl_read!(ChildStderr);

impl fmt::Debug for ChildStdin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChildStdin")
            .field("fd", &self.io.as_ref().map(|io| io.as_fd()))
            .finish()
    }
}
