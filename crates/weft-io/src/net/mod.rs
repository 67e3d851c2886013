//! Networking: TCP, UDP and Unix-domain sockets over the reactor (asyncio: `open_connection`,
//! `start_server`, datagram endpoints), and name lookups (asyncio: `getaddrinfo`).
//!
//! # Name lookups
//!
//! `bind`, `connect`, `send_to` and [`lookup_host`] take any [`ToSocketAddrs`]: weft's own,
//! sealed trait, implemented for the types std's is (plus [`Resolve`], for a type of your own
//! that implements std's). std's `to_socket_addrs` blocks for as long as DNS takes, so weft
//! never calls it on a worker (with one worker, every other task would stall). Each type
//! first says, without blocking, whether it needs a lookup at all (`addr.rs`): a socket
//! address, an IP address with a port, a slice of socket addresses, and a string that parses
//! as `SocketAddr` (or a `(&str, u16)` whose host parses as `IpAddr`, which is all std tries
//! before it looks a host up) are used at once, on the calling thread, with no thread hop and
//! no allocation beyond a slice's copy. A string std would reject without a lookup (no port,
//! a port that is no number) fails there too, with std's error.
//!
//! Anything else is a lookup (`lookup.rs`), run on the current runtime's blocking pool, which
//! weft-io reaches through the `blocking` slot of weft-core's per-thread scope (a
//! `SpawnBlocking` trait object the facade puts there; weft-io does not depend on
//! weft-blocking), and awaited through a oneshot. Outside any runtime (under another
//! executor, or once the runtime's pool shut down) there is no pool to use, and the calling
//! thread may be that executor's worker, so the lookup runs on a short-lived thread of its own
//! (`weft-lookup`), one per lookup: no lookup waits behind a slow one, and a thread start
//! costs little next to a DNS round trip. A lookup that fails is its own error; a name that
//! resolves to nothing is `InvalidInput` for `bind`, `connect` and `send_to` (`lookup_host`
//! returns what the lookup found, even nothing). A panic in a [`Resolve`] value's
//! `to_socket_addrs` reaches the caller, as if it had run inline. Dropping the future of a
//! lookup in flight lets the lookup finish on its thread and drops its answer.

mod addr;
mod lookup;
pub mod split;
pub mod tcp;
mod tcp_sys;
mod udp;
pub mod unix;

pub use addr::{LookupHost, Resolve, ToSocketAddrs};
pub use lookup::lookup_host;
pub use tcp::{TcpListener, TcpStream};
pub use udp::UdpSocket;
pub use unix::{UnixListener, UnixStream};

pub(crate) use lookup::resolve;

use std::io;
use std::net::SocketAddr;

/// Runs `f` on each address until one succeeds; returns the last error otherwise.
pub(crate) async fn each_addr<T, F, Fut>(addrs: LookupHost, mut f: F) -> io::Result<T>
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
