//! UDP.

use super::{ToSocketAddrs, each_addr, resolve};
use crate::Async;
use std::io;
use std::net::SocketAddr;

/// A UDP socket (asyncio: a datagram endpoint).
#[derive(Debug)]
pub struct UdpSocket {
    io: Async<std::net::UdpSocket>,
}

impl UdpSocket {
    /// Binds to `addr` (the first address that works, if it resolves to several; a host name
    /// is looked up off the workers, see [`lookup_host`](super::lookup_host)).
    pub async fn bind(addr: impl ToSocketAddrs) -> io::Result<UdpSocket> {
        let addrs = resolve(addr).await?;
        each_addr(addrs, |a| async move {
            UdpSocket::from_std(std::net::UdpSocket::bind(a)?)
        })
        .await
    }

    /// Wraps a std socket (made non-blocking).
    pub fn from_std(socket: std::net::UdpSocket) -> io::Result<UdpSocket> {
        Ok(UdpSocket {
            io: Async::new(socket)?,
        })
    }

    /// The local address.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.io.get_ref().local_addr()
    }

    /// Sends a datagram to `addr` (its first address; a host name is looked up off the
    /// workers, on every call: look it up once with [`lookup_host`](super::lookup_host) to
    /// send many); returns the bytes sent.
    pub async fn send_to(&self, buf: &[u8], addr: impl ToSocketAddrs) -> io::Result<usize> {
        let mut addrs = resolve(addr).await?;
        let addr = addrs
            .next()
            .expect("resolve() returns at least one address");
        self.io.write_with(|s| s.send_to(buf, addr)).await
    }

    /// Receives a datagram; returns its length and sender.
    pub async fn recv_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.io.read_with(|s| s.recv_from(buf)).await
    }

    /// Sets the default peer for `send` and the only source `recv` accepts (the first address
    /// that works; a host name is looked up off the workers).
    pub async fn connect(&self, addr: impl ToSocketAddrs) -> io::Result<()> {
        let addrs = resolve(addr).await?;
        let socket = self.io.get_ref();
        each_addr(addrs, |a| async move { socket.connect(a) }).await
    }

    /// Sends a datagram to the connected peer.
    pub async fn send(&self, buf: &[u8]) -> io::Result<usize> {
        self.io.write_with(|s| s.send(buf)).await
    }

    /// Receives a datagram from the connected peer.
    pub async fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.io.read_with(|s| s.recv(buf)).await
    }

    /// The std socket inside.
    pub fn get_ref(&self) -> &std::net::UdpSocket {
        self.io.get_ref()
    }
}
