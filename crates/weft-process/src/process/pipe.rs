//! The parent's ends of a child's standard streams: [`ChildStdin`], [`ChildStdout`],
//! [`ChildStderr`].
//!
//! Each is std's pipe end made non-blocking (only the parent's end: the child's end is a
//! separate open file) and registered with the reactor of the runtime that spawned the child,
//! or the fallback one outside a runtime, through [`Async`]. They implement the futures-io
//! traits, so `weft::io`'s `read_to_end`, `write_all`, `BufReader`, `copy` work on them.

use std::fmt;
use std::io;
use std::os::fd::{AsFd, BorrowedFd};
use std::pin::Pin;
use std::task::{Context, Poll};
use weft_io::Async;

/// The child's standard input, for writing (`AsyncWrite`); from [`Child::stdin`](super::Child).
///
/// Closing it (`AsyncWriteExt::close`, or dropping it) closes the
/// pipe: the child reads end-of-file.
pub struct ChildStdin {
    /// `None` once closed.
    io: Option<Async<std::process::ChildStdin>>,
}

/// The child's standard output, for reading (`AsyncRead`); from
/// [`Child::stdout`](super::Child).
pub struct ChildStdout {
    io: Async<std::process::ChildStdout>,
}

/// The child's standard error, for reading (`AsyncRead`); from
/// [`Child::stderr`](super::Child).
pub struct ChildStderr {
    io: Async<std::process::ChildStderr>,
}

impl ChildStdin {
    /// Wraps std's handle (made non-blocking, registered with the reactor).
    ///
    /// # Errors
    ///
    /// When it cannot be made non-blocking or registered.
    pub fn from_std(stdin: std::process::ChildStdin) -> io::Result<ChildStdin> {
        Ok(ChildStdin {
            io: Some(Async::new(stdin)?),
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
            io: Async::new(stdout)?,
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
            io: Async::new(stderr)?,
        })
    }
}

impl futures_io::AsyncWrite for ChildStdin {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match &mut self.io {
            Some(io) => Pin::new(io).poll_write(cx, buf),
            None => Poll::Ready(Err(ChildStdin::closed())),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match &mut self.io {
            Some(io) => Pin::new(io).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    /// Closes the pipe (the child reads end-of-file); later writes fail with `BrokenPipe`.
    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if let Some(io) = &mut self.io {
            std::task::ready!(Pin::new(io).poll_flush(cx))?;
        }
        self.io = None;
        Poll::Ready(Ok(()))
    }
}

macro_rules! impl_read {
    ($t:ty) => {
        impl futures_io::AsyncRead for $t {
            fn poll_read(
                mut self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                Pin::new(&mut self.io).poll_read(cx, buf)
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
