//! TCP.

use super::split::{self, impl_split_stream};
use super::tcp_sys;
use super::{ToSocketAddrs, each_addr, resolve};
use crate::Async;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A TCP listening socket (asyncio: `start_server`).
///
/// ```
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
///     let client = weft::net::TcpStream::connect(listener.local_addr()?).await?;
///     let (stream, peer) = listener.accept().await?;
///     assert_eq!(peer, client.local_addr()?);
///     # drop(stream);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct TcpListener {
    io: Async<std::net::TcpListener>,
}

impl TcpListener {
    /// Binds to `addr` (the first address that works, if it resolves to several; a host name
    /// is looked up off the workers, see [`lookup_host`](super::lookup_host)).
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let addrs = resolve(addr).await?;
        each_addr(addrs, |a| async move {
            TcpListener::from_std(std::net::TcpListener::bind(a)?)
        })
        .await
    }

    /// Wraps a std listener (made non-blocking).
    pub fn from_std(listener: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(TcpListener {
            io: Async::new(listener)?,
        })
    }

    /// Accepts a connection. Errors (for example `EMFILE`, too many open files) go to this
    /// caller only; the listener keeps serving, and the pending connection is accepted on a
    /// later call once descriptors free up.
    pub async fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (stream, peer) = self.io.read_with(tcp_sys::accept).await?;
        Ok((TcpStream::from_nonblocking(stream)?, peer))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The accepted connections as a [`Stream`](futures_core::Stream) of
    /// `io::Result<TcpStream>` (an error, such as `EMFILE`, is one item: the stream goes on).
    ///
    /// ```
    /// use weft::stream::StreamExt;
    ///
    /// weft::run(async {
    ///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let addr = listener.local_addr()?;
    ///     weft::spawn(async move { weft::net::TcpStream::connect(addr).await });
    ///     let mut incoming = listener.incoming();
    ///     let stream = incoming.next().await.expect("never ends")?;
    ///     assert_eq!(stream.local_addr()?, addr);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn incoming(&self) -> Incoming<'_> {
        Incoming { listener: self }
    }

    /// The std listener inside.
    pub fn get_ref(&self) -> &std::net::TcpListener {
        self.io.get_ref()
    }
}

/// The stream of connections a [`TcpListener`] accepts (from [`TcpListener::incoming`]);
/// it never ends.
#[derive(Debug)]
pub struct Incoming<'a> {
    listener: &'a TcpListener,
}

impl futures_core::Stream for Incoming<'_> {
    type Item = io::Result<TcpStream>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let accepted = std::task::ready!(self.listener.io.poll_with(
            crate::readiness::Direction::Read,
            cx,
            &mut tcp_sys::accept
        ));
        Poll::Ready(Some(
            accepted.and_then(|(s, _)| TcpStream::from_nonblocking(s)),
        ))
    }
}

/// The owned reading half of a [`TcpStream`], from [`TcpStream::into_split`].
pub type OwnedReadHalf = split::OwnedReadHalf<TcpStream>;
/// The owned writing half of a [`TcpStream`], from [`TcpStream::into_split`]; dropping it
/// shuts the write side down.
pub type OwnedWriteHalf = split::OwnedWriteHalf<TcpStream>;
/// The borrowed reading half of a [`TcpStream`], from [`TcpStream::split`].
pub type ReadHalf<'a> = split::ReadHalf<'a, TcpStream>;
/// The borrowed writing half of a [`TcpStream`], from [`TcpStream::split`].
pub type WriteHalf<'a> = split::WriteHalf<'a, TcpStream>;
/// Two halves of different streams given to `reunite`.
pub type ReuniteError = split::ReuniteError<TcpStream>;

/// A TCP connection (asyncio: the streams of `open_connection`). Implements `AsyncRead` and
/// `AsyncWrite`, also through `&TcpStream` (read and write halves from one stream).
#[derive(Debug)]
pub struct TcpStream {
    io: Async<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr`: each address it resolves to in turn, until one accepts (a host
    /// name is looked up off the workers, see [`lookup_host`](super::lookup_host)).
    ///
    /// ```
    /// weft::run(async {
    ///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let port = listener.local_addr()?.port();
    ///     // "localhost" may resolve to ::1 first: that refuses, and 127.0.0.1 is tried next.
    ///     let stream = weft::net::TcpStream::connect(("localhost", port)).await?;
    ///     assert_eq!(stream.peer_addr()?, listener.local_addr()?);
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The last address's error (`ConnectionRefused` and the like), for this caller only; the
    /// lookup's error if the lookup failed; `InvalidInput` if `addr` resolved to nothing.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let addrs = resolve(addr).await?;
        each_addr(addrs, connect_one).await
    }

    /// Wraps a std stream (made non-blocking; on Linux also given `TCP_INQ`, so that a read
    /// which leaves nothing queued saves the syscall after it).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        tcp_sys::report_queued(&stream);
        Ok(TcpStream {
            io: Async::new(stream)?,
        })
    }

    /// Wraps a stream that is non-blocking already (accepted or made by weft).
    fn from_nonblocking(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        tcp_sys::report_queued(&stream);
        Ok(TcpStream {
            io: Async::new_nonblocking(stream)?,
        })
    }

    /// The remote address.
    pub fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().peer_addr()
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sets `TCP_NODELAY` (Nagle's algorithm off when `true`).
    pub fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.io.get_ref().set_nodelay(nodelay)
    }

    /// Shuts down the read half, the write half (a half-close: the peer reads end-of-file),
    /// or both.
    pub fn shutdown(&self, how: Shutdown) -> io::Result<()> {
        self.io.get_ref().shutdown(how)
    }

    /// The std stream inside.
    pub fn get_ref(&self) -> &std::net::TcpStream {
        self.io.get_ref()
    }

    /// Splits the stream into a reading half and a writing half that can move into tasks of
    /// their own (asyncio: the `StreamReader` and `StreamWriter` of one connection). Dropping
    /// the write half shuts the write side down; [`OwnedReadHalf::reunite`] puts them back.
    ///
    /// ```
    /// use weft::io::{AsyncReadExt, AsyncWriteExt};
    ///
    /// weft::run(async {
    ///     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
    ///     let client = weft::net::TcpStream::connect(listener.local_addr()?).await?;
    ///     let (server, _) = listener.accept().await?;
    ///     let (mut read, mut write) = server.into_split();
    ///     let writer = weft::spawn(async move { write.write_all(b"hi").await });
    ///     let mut client = client;
    ///     client.write_all(b"yo").await?;
    ///     let mut buf = [0; 2];
    ///     read.read_exact(&mut buf).await?;
    ///     assert_eq!(&buf, b"yo");
    ///     writer.await??; // the write half is dropped here: the client reads end-of-file
    ///     let mut got = Vec::new();
    ///     client.read_to_end(&mut got).await?;
    ///     assert_eq!(got, b"hi");
    ///     Ok::<(), std::io::Error>(())
    /// })?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn into_split(self) -> (OwnedReadHalf, OwnedWriteHalf) {
        split::into_split(self)
    }

    /// Borrowed reading and writing halves, usable at once (for example in one
    /// `weft::join!`); no allocation.
    pub fn split(&mut self) -> (ReadHalf<'_>, WriteHalf<'_>) {
        split::split(self)
    }
}

async fn connect_one(addr: SocketAddr) -> io::Result<TcpStream> {
    let socket = tcp_sys::connecting_socket(addr)?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    let stream = TcpStream::from_nonblocking(std::net::TcpStream::from(socket))?;
    // Writable once the connection is established (or failed: SO_ERROR says which).
    stream.io.writable().await?;
    loop {
        if let Some(e) = stream.io.get_ref().take_error()? {
            return Err(e);
        }
        match stream.io.get_ref().peer_addr() {
            Ok(_) => return Ok(stream),
            Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                // Woken before the handshake finished: wait again.
                stream.io.writable().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

/// `AsyncRead` and `AsyncWrite` for a stream type with an `io: Async<_>` field, reading with
/// `$read` (`fn(&Async<_>, &mut Context, &mut [u8]) -> Poll<io::Result<usize>>`).
macro_rules! impl_async_io {
    ($ty:ty, $read:path) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                $read(&self.io, cx, buf)
            }
        }

        impl futures_io::AsyncWrite for $ty {
            fn poll_write(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &[u8],
            ) -> Poll<io::Result<usize>> {
                self.io.poll_stream(
                    $crate::readiness::Direction::Write,
                    cx,
                    buf.len(),
                    &mut |mut s| std::io::Write::write(&mut s, buf),
                )
            }

            /// One `writev` for all of `bufs`; a write shorter than their total means the
            /// send buffer is full, and clears readiness (as a short `poll_write`).
            fn poll_write_vectored(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                bufs: &[io::IoSlice<'_>],
            ) -> Poll<io::Result<usize>> {
                let len = bufs.iter().map(|b| b.len()).sum();
                self.io.poll_stream(
                    $crate::readiness::Direction::Write,
                    cx,
                    len,
                    &mut |mut s| std::io::Write::write_vectored(&mut s, bufs),
                )
            }

            fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                Pin::new(&mut &self.io).poll_flush(cx)
            }

            fn poll_close(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
                // Closing a stream's writing side sends FIN to the peer.
                Poll::Ready(
                    self.io
                        .get_ref()
                        .shutdown(Shutdown::Write)
                        .or_else($crate::net::not_connected_ok),
                )
            }
        }
    };
}

pub(crate) use impl_async_io;

/// A stream read of a socket without a queued-bytes report (see `tcp_sys.rs`): a short read
/// clears readiness.
pub(crate) fn poll_read_plain<T: std::os::fd::AsFd>(
    io: &Async<T>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>>
where
    for<'a> &'a T: Read,
{
    let len = buf.len();
    io.poll_stream(crate::readiness::Direction::Read, cx, len, &mut |mut s| {
        s.read(buf)
    })
}

/// A TCP read: also clears readiness when the kernel says the read left nothing queued, so a
/// read that fills the buffer exactly is not followed by a `recv` that only says `WouldBlock`
/// (see `tcp_sys.rs`).
fn poll_read_tcp(
    io: &Async<std::net::TcpStream>,
    cx: &mut Context<'_>,
    buf: &mut [u8],
) -> Poll<io::Result<usize>> {
    let len = buf.len();
    io.poll_with_drained(
        crate::readiness::Direction::Read,
        cx,
        &mut |s| tcp_sys::recv(s, buf),
        |&(n, queued)| n > 0 && (n < len || queued == Some(0)),
    )
    .map_ok(|(n, _)| n)
}

impl_async_io!(TcpStream, poll_read_tcp);
impl_async_io!(&TcpStream, poll_read_tcp);
impl_split_stream!(TcpStream);

// `Read`/`Write` are implemented for `&std::net::TcpStream`, which `&Async<_>` needs.
const _: fn() = || {
    fn assert_read_write<T: Read + Write>() {}
    assert_read_write::<&std::net::TcpStream>();
};
