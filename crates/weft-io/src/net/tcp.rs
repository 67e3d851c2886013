//! TCP.

use super::{each_addr, resolve};
use crate::Async;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, ToSocketAddrs};
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
    /// Binds to `addr` (the first address that works, if it resolves to several).
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let addrs = resolve(addr)?;
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
        let (stream, peer) = self.io.read_with(|l| l.accept()).await?;
        Ok((TcpStream::from_std(stream)?, peer))
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// The std listener inside.
    pub fn get_ref(&self) -> &std::net::TcpListener {
        self.io.get_ref()
    }
}

/// A TCP connection (asyncio: the streams of `open_connection`). Implements `AsyncRead` and
/// `AsyncWrite`, also through `&TcpStream` (read and write halves from one stream).
#[derive(Debug)]
pub struct TcpStream {
    io: Async<std::net::TcpStream>,
}

impl TcpStream {
    /// Connects to `addr` (the first address that accepts, if it resolves to several).
    ///
    /// # Errors
    ///
    /// `ConnectionRefused` and the like, for this caller only.
    pub async fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        let addrs = resolve(addr)?;
        each_addr(addrs, connect_one).await
    }

    /// Wraps a std stream (made non-blocking).
    pub fn from_std(stream: std::net::TcpStream) -> io::Result<TcpStream> {
        Ok(TcpStream {
            io: Async::new(stream)?,
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
}

async fn connect_one(addr: SocketAddr) -> io::Result<TcpStream> {
    let socket = socket2::Socket::new(
        socket2::Domain::for_address(addr),
        socket2::Type::STREAM,
        Some(socket2::Protocol::TCP),
    )?;
    socket.set_nonblocking(true)?;
    match socket.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    let stream = TcpStream::from_std(std::net::TcpStream::from(socket))?;
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

macro_rules! impl_async_io {
    ($ty:ty) => {
        impl futures_io::AsyncRead for $ty {
            fn poll_read(
                self: Pin<&mut Self>,
                cx: &mut Context<'_>,
                buf: &mut [u8],
            ) -> Poll<io::Result<usize>> {
                let len = buf.len();
                self.io
                    .poll_stream($crate::readiness::Direction::Read, cx, len, &mut |mut s| {
                        std::io::Read::read(&mut s, buf)
                    })
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

impl_async_io!(TcpStream);
impl_async_io!(&TcpStream);

// `Read`/`Write` are implemented for `&std::net::TcpStream`, which `&Async<_>` needs.
const _: fn() = || {
    fn assert_read_write<T: Read + Write>() {}
    assert_read_write::<&std::net::TcpStream>();
};
