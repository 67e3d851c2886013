//! `Io<T>`: a weft stream as hyper's `Read` and `Write`.
//!
//! hyper reads into buffers it has not initialised; futures-io's `AsyncRead` takes an
//! initialised `&mut [u8]`, so the part handed to the stream is zeroed first. Zeroing all of
//! hyper's spare buffer (8 KiB and more) for a request of a hundred bytes was 2% of a hello
//! server's CPU (perf), so each `Io` hands the stream a window that adapts to what its reads
//! bring: it doubles after a read that filled it (up to [`MAX_WINDOW`]) and halves after one
//! that used less than a quarter of it (down to [`MIN_WINDOW`]). A large body still moves in
//! large reads after a few doublings; a small request costs half a kilobyte of zeroing.

use futures_io::{AsyncRead, AsyncWrite};
use std::io;
use std::mem::MaybeUninit;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project_lite::pin_project! {
    /// Any weft stream (`TcpStream`, `UnixStream`, `Async<T>`, anything futures-io
    /// `AsyncRead + AsyncWrite`) as hyper's `Read + Write`, and as a hyper-util client
    /// `Connection`.
    ///
    /// ```
    /// # weft::run(async {
    /// let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    /// let stream = weft::net::TcpStream::connect(listener.local_addr()?).await?;
    /// let io = weft::hyper::Io::new(stream);
    /// let stream: weft::net::TcpStream = io.into_inner();
    /// # drop(stream);
    /// # Ok::<(), std::io::Error>(())
    /// # })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    #[derive(Debug)]
    pub struct Io<T> {
        #[pin]
        inner: T,
        // The most bytes the next read may bring (see the module doc).
        window: usize,
    }
}

/// The smallest read window.
const MIN_WINDOW: usize = 512;

/// The largest read window.
const MAX_WINDOW: usize = 64 * 1024;

/// The first read's window: a request head fits.
const START_WINDOW: usize = 4 * 1024;

impl<T> Io<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Io<T> {
        Io {
            inner,
            window: START_WINDOW,
        }
    }

    /// The stream back.
    pub fn into_inner(self) -> T {
        self.inner
    }

    /// The stream.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The stream, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

/// Zeroes `buf` and returns it as initialised bytes.
fn zeroed(buf: &mut [MaybeUninit<u8>]) -> &mut [u8] {
    for byte in buf.iter_mut() {
        byte.write(0);
    }
    // SAFETY: every element was just written; `MaybeUninit<u8>` has `u8`'s layout.
    unsafe { &mut *(buf as *mut [MaybeUninit<u8>] as *mut [u8]) }
}

impl<T: AsyncRead> hyper::rt::Read for Io<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.project();
        // SAFETY: the slice is only written (zeroed, then read into); no uninitialised byte is
        // read, and `advance` below counts only what the stream wrote.
        let unfilled = unsafe { buf.as_mut() };
        let len = unfilled.len().min(*this.window);
        let n = match this.inner.poll_read(cx, zeroed(&mut unfilled[..len])) {
            Poll::Ready(Ok(n)) => n,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
            Poll::Pending => return Poll::Pending,
        };
        if n > len {
            // `AsyncRead` is a safe trait: a wrong count must not reach `advance`.
            return Poll::Ready(Err(io::Error::other(format!(
                "the stream claimed {n} bytes read into a buffer of {len}"
            ))));
        }
        if n == *this.window {
            *this.window = (*this.window * 2).min(MAX_WINDOW);
        } else if n < *this.window / 4 {
            *this.window = (*this.window / 2).max(MIN_WINDOW);
        }
        // SAFETY: `n` is at most the slice's length (checked above), and those bytes are
        // initialised (zeroed, then written by the stream).
        unsafe { buf.advance(n) };
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite> hyper::rt::Write for Io<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.project().inner.poll_close(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.project().inner.poll_write_vectored(cx, bufs)
    }
}

impl<T> hyper_util::client::legacy::connect::Connection for Io<T> {
    fn connected(&self) -> hyper_util::client::legacy::connect::Connected {
        hyper_util::client::legacy::connect::Connected::new()
    }
}
