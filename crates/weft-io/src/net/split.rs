//! Read and write halves of a stream socket, for a reader task and a writer task.
//!
//! - Owned halves ([`OwnedReadHalf`], [`OwnedWriteHalf`], from `into_split`) share the stream
//!   through an `Arc`, so each can move into a task of its own; `reunite` puts them back.
//! - Borrowed halves ([`ReadHalf`], [`WriteHalf`], from `split(&mut self)`) cost nothing.
//!
//! No lock is needed: the stream's reads and writes already work through a shared reference
//! (a waiter list per direction), so a half only forwards to `&S`. The write half owns the
//! write side: closing it, or dropping an owned one, shuts that side down (the peer reads
//! end-of-file), as tokio's do.

use futures_io::{AsyncRead, AsyncWrite};
use std::fmt;
use std::io;
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// A stream socket that reads and writes through a shared reference (TCP, Unix): what a half
/// forwards to. Implemented by weft's stream types.
pub trait SplitStream: Send + Sync + 'static {
    /// `AsyncRead::poll_read` through `&self`.
    fn poll_read_shared(&self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    /// `AsyncWrite::poll_write` through `&self`.
    fn poll_write_shared(&self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
    /// `AsyncWrite::poll_write_vectored` through `&self`: by default the first non-empty
    /// buffer, as `AsyncWrite`'s own default.
    fn poll_write_vectored_shared(
        &self,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let buf = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &**b);
        self.poll_write_shared(cx, buf)
    }
    /// `AsyncWrite::poll_flush` through `&self`.
    fn poll_flush_shared(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>>;
    /// Shuts down one side, or both (a peer that is gone already is not an error).
    ///
    /// # Errors
    ///
    /// As the socket's `shutdown`.
    fn shutdown_side(&self, how: Shutdown) -> io::Result<()>;
}

/// Implements [`SplitStream`] for a stream type whose `&Self` is `AsyncRead + AsyncWrite`
/// and which has `shutdown(Shutdown)`.
macro_rules! impl_split_stream {
    ($ty:ty) => {
        impl $crate::net::split::SplitStream for $ty {
            fn poll_read_shared(
                &self,
                cx: &mut std::task::Context<'_>,
                buf: &mut [u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_io::AsyncRead::poll_read(std::pin::Pin::new(&mut &*self), cx, buf)
            }

            fn poll_write_shared(
                &self,
                cx: &mut std::task::Context<'_>,
                buf: &[u8],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_io::AsyncWrite::poll_write(std::pin::Pin::new(&mut &*self), cx, buf)
            }

            fn poll_write_vectored_shared(
                &self,
                cx: &mut std::task::Context<'_>,
                bufs: &[std::io::IoSlice<'_>],
            ) -> std::task::Poll<std::io::Result<usize>> {
                futures_io::AsyncWrite::poll_write_vectored(
                    std::pin::Pin::new(&mut &*self),
                    cx,
                    bufs,
                )
            }

            fn poll_flush_shared(
                &self,
                cx: &mut std::task::Context<'_>,
            ) -> std::task::Poll<std::io::Result<()>> {
                futures_io::AsyncWrite::poll_flush(std::pin::Pin::new(&mut &*self), cx)
            }

            fn shutdown_side(&self, how: std::net::Shutdown) -> std::io::Result<()> {
                self.shutdown(how).or_else($crate::net::not_connected_ok)
            }
        }
    };
}

pub(crate) use impl_split_stream;

/// The reading half of a stream, owned (from `into_split`).
pub struct OwnedReadHalf<S> {
    stream: Arc<S>,
}

/// The writing half of a stream, owned (from `into_split`). Dropping it shuts the write side
/// down: the peer reads end-of-file.
pub struct OwnedWriteHalf<S: SplitStream> {
    stream: Arc<S>,
    shut: bool,
}

/// The error of `reunite` given halves of two different streams; it holds both back.
pub struct ReuniteError<S: SplitStream>(pub OwnedReadHalf<S>, pub OwnedWriteHalf<S>);

pub(crate) fn into_split<S: SplitStream>(stream: S) -> (OwnedReadHalf<S>, OwnedWriteHalf<S>) {
    let stream = Arc::new(stream);
    (
        OwnedReadHalf {
            stream: stream.clone(),
        },
        OwnedWriteHalf {
            stream,
            shut: false,
        },
    )
}

impl<S: SplitStream> OwnedReadHalf<S> {
    /// The stream both halves share (for its addresses and options).
    pub fn stream(&self) -> &S {
        &self.stream
    }

    /// Puts the two halves of one stream back together.
    ///
    /// # Errors
    ///
    /// [`ReuniteError`], holding both halves, when they come from different streams.
    pub fn reunite(self, write: OwnedWriteHalf<S>) -> Result<S, ReuniteError<S>> {
        if !Arc::ptr_eq(&self.stream, &write.stream) {
            return Err(ReuniteError(self, write));
        }
        // Dropped without shutting the write side down: the stream lives on whole.
        let mut write = write;
        write.shut = true;
        drop(write);
        Ok(Arc::into_inner(self.stream).expect("the two halves held the only references"))
    }
}

impl<S: SplitStream> OwnedWriteHalf<S> {
    /// The stream both halves share (for its addresses and options).
    pub fn stream(&self) -> &S {
        &self.stream
    }
}

impl<S: SplitStream> AsyncRead for OwnedReadHalf<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.stream.poll_read_shared(cx, buf)
    }
}

impl<S: SplitStream> AsyncWrite for OwnedWriteHalf<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.stream.poll_write_shared(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.stream.poll_write_vectored_shared(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.stream.poll_flush_shared(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.shut = true;
        Poll::Ready(self.stream.shutdown_side(Shutdown::Write))
    }
}

impl<S: SplitStream> Drop for OwnedWriteHalf<S> {
    fn drop(&mut self) {
        if !self.shut {
            // The peer may be gone already; nothing to report from a destructor.
            let _ = self.stream.shutdown_side(Shutdown::Write);
        }
    }
}

/// The reading half of a borrowed stream (from `split`).
pub struct ReadHalf<'a, S>(&'a S);

/// The writing half of a borrowed stream (from `split`). Closing it shuts the write side
/// down; dropping it does not.
pub struct WriteHalf<'a, S>(&'a S);

pub(crate) fn split<S>(stream: &mut S) -> (ReadHalf<'_, S>, WriteHalf<'_, S>) {
    let stream = &*stream;
    (ReadHalf(stream), WriteHalf(stream))
}

impl<S: SplitStream> AsyncRead for ReadHalf<'_, S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_read_shared(cx, buf)
    }
}

impl<S: SplitStream> AsyncWrite for WriteHalf<'_, S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_shared(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.0.poll_write_vectored_shared(cx, bufs)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.0.poll_flush_shared(cx)
    }

    fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(self.0.shutdown_side(Shutdown::Write))
    }
}

impl<S: fmt::Debug> fmt::Debug for OwnedReadHalf<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedReadHalf").field(&self.stream).finish()
    }
}

impl<S: SplitStream + fmt::Debug> fmt::Debug for OwnedWriteHalf<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("OwnedWriteHalf").field(&self.stream).finish()
    }
}

impl<S: SplitStream> fmt::Debug for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReuniteError(..)")
    }
}

impl<S: SplitStream> fmt::Display for ReuniteError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the two halves come from different streams")
    }
}

impl<S: SplitStream> std::error::Error for ReuniteError<S> {}

impl<S: fmt::Debug> fmt::Debug for ReadHalf<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ReadHalf").field(self.0).finish()
    }
}

impl<S: fmt::Debug> fmt::Debug for WriteHalf<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WriteHalf").field(self.0).finish()
    }
}
