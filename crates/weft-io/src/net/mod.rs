//! Networking: TCP, UDP and Unix-domain sockets over the reactor (asyncio: `open_connection`,
//! `start_server`, datagram endpoints).

pub mod split;
pub mod tcp;
mod udp;
pub mod unix;

pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Resolves `addr` (may do a DNS lookup for host names: done on the calling thread, as std's
/// `ToSocketAddrs` does).
pub(crate) fn resolve(addr: impl ToSocketAddrs) -> io::Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = addr.to_socket_addrs()?.collect();
    if addrs.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to no socket address",
        ));
    }
    Ok(addrs)
}

/// Runs `f` on each address until one succeeds; returns the last error otherwise.
pub(crate) async fn each_addr<T, F, Fut>(addrs: Vec<SocketAddr>, mut f: F) -> io::Result<T>
where
    F: FnMut(SocketAddr) -> Fut,
    Fut: std::future::Future<Output = io::Result<T>>,
{
    let mut last = None;
    for addr in addrs {
        match f(addr).await {
            Ok(v) => return Ok(v),
            Err(e) => last = Some(e),
        }
    }
    Err(last.expect("resolve() returns at least one address"))
}

/// `shutdown(Write)` on a stream the peer already closed is not an error for `close`.
pub(crate) fn not_connected_ok(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::NotConnected {
        Ok(())
    } else {
        Err(e)
    }
}
