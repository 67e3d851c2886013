//! [`ToSocketAddrs`]: what `bind`, `connect`, `send_to` and `lookup_host` accept, and, for
//! each type, the cheap test of whether it needs a lookup (see the module doc of `net`).

use std::fmt;
use std::io;
use std::iter::FusedIterator;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// What weft's sockets accept as an address: the types std's
/// [`ToSocketAddrs`](std::net::ToSocketAddrs) is implemented for (`SocketAddr`, `"host:port"`,
/// `("host", port)`, `(IpAddr, port)`, `&[SocketAddr]`, `String`, and references to any of
/// them), plus [`Resolve`] for a type of your own.
///
/// Sealed: implemented here only, because each implementation decides, without blocking,
/// whether its value needs a name lookup. One that does not (a socket address, an IP address
/// with a port, a string that parses as either) is used at once on the calling thread; one
/// that does (`"localhost:8080"`, `("db.internal", 5432)`) is looked up on the runtime's
/// blocking pool, never on a worker.
///
/// ```
/// use std::net::{Ipv4Addr, SocketAddr};
///
/// weft::run(async {
///     let listener = weft::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
///     let port = listener.local_addr()?.port();
///     let addr: SocketAddr = ([127, 0, 0, 1], port).into();
///     weft::net::TcpStream::connect(addr).await?; // no lookup
///     weft::net::TcpStream::connect(format!("127.0.0.1:{port}")).await?; // parsed, no lookup
///     weft::net::TcpStream::connect(("localhost", port)).await?; // looked up off the workers
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub trait ToSocketAddrs: sealed::ToSocketAddrsPriv {}

pub(crate) mod sealed {
    /// The part of [`ToSocketAddrs`](super::ToSocketAddrs) users cannot name or implement.
    #[doc(hidden)]
    pub trait ToSocketAddrsPriv {
        /// The addresses at once, or the lookup that finds them. Never blocks.
        fn to_addrs(&self) -> super::Addrs;
    }
}

/// What [`sealed::ToSocketAddrsPriv::to_addrs`] gives: addresses known without a lookup, or
/// the lookup to run off the workers.
#[doc(hidden)]
pub enum Addrs {
    /// Known now (or an error found without a lookup).
    Ready(io::Result<LookupHost>),
    /// Needs a lookup that may block: run it where blocking is allowed.
    Lookup(Box<dyn FnOnce() -> io::Result<LookupHost> + Send>),
}

/// The addresses [`lookup_host`](super::lookup_host) found, in the order the lookup gave them.
#[derive(Clone, Debug)]
pub struct LookupHost {
    inner: Inner,
}

#[derive(Clone, Debug)]
enum Inner {
    One(std::option::IntoIter<SocketAddr>),
    Many(std::vec::IntoIter<SocketAddr>),
}

impl LookupHost {
    fn one(addr: SocketAddr) -> LookupHost {
        LookupHost {
            inner: Inner::One(Some(addr).into_iter()),
        }
    }

    fn many(addrs: impl Iterator<Item = SocketAddr>) -> LookupHost {
        LookupHost {
            inner: Inner::Many(addrs.collect::<Vec<_>>().into_iter()),
        }
    }
}

impl Iterator for LookupHost {
    type Item = SocketAddr;

    fn next(&mut self) -> Option<SocketAddr> {
        match &mut self.inner {
            Inner::One(it) => it.next(),
            Inner::Many(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.inner {
            Inner::One(it) => it.size_hint(),
            Inner::Many(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for LookupHost {}
impl FusedIterator for LookupHost {}

/// A value of your own type whose [`std::net::ToSocketAddrs`] implementation weft should use:
/// its `to_socket_addrs` may block (a service registry, a resolver of your own), so weft
/// always calls it on the runtime's blocking pool (on a short-lived thread outside a runtime),
/// on a clone of the value. A panic in it is the caller's, as if it had been called inline.
///
/// ```
/// use std::net::SocketAddr;
///
/// /// Finds a service by name (here: a fixed table).
/// #[derive(Clone)]
/// struct Service(&'static str);
///
/// impl std::net::ToSocketAddrs for Service {
///     type Iter = std::vec::IntoIter<SocketAddr>;
///     fn to_socket_addrs(&self) -> std::io::Result<Self::Iter> {
///         // May block: weft calls this on its blocking pool.
///         match self.0 {
///             "db" => Ok(vec![SocketAddr::from(([10, 0, 0, 7], 5432))].into_iter()),
///             _ => Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such service")),
///         }
///     }
/// }
///
/// weft::run(async {
///     let addrs: Vec<_> = weft::net::lookup_host(weft::net::Resolve(Service("db"))).await?.collect();
///     assert_eq!(addrs, [SocketAddr::from(([10, 0, 0, 7], 5432))]);
///     let missing = weft::net::lookup_host(weft::net::Resolve(Service("cache"))).await;
///     assert_eq!(missing.unwrap_err().kind(), std::io::ErrorKind::NotFound);
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Resolve<T>(pub T);

impl<T> ToSocketAddrs for Resolve<T> where T: std::net::ToSocketAddrs + Clone + Send + 'static {}
impl<T> sealed::ToSocketAddrsPriv for Resolve<T>
where
    T: std::net::ToSocketAddrs + Clone + Send + 'static,
{
    fn to_addrs(&self) -> Addrs {
        let value = self.0.clone();
        Addrs::Lookup(Box::new(move || {
            Ok(LookupHost::many(value.to_socket_addrs()?))
        }))
    }
}

/// Implements the trait for a type whose value never needs a lookup.
macro_rules! no_lookup {
    ($($ty:ty => |$v:ident| $addr:expr;)*) => {$(
        impl ToSocketAddrs for $ty {}
        impl sealed::ToSocketAddrsPriv for $ty {
            fn to_addrs(&self) -> Addrs {
                let $v = self;
                Addrs::Ready(Ok(LookupHost::one($addr)))
            }
        }
    )*};
}

no_lookup! {
    SocketAddr => |a| *a;
    SocketAddrV4 => |a| SocketAddr::V4(*a);
    SocketAddrV6 => |a| SocketAddr::V6(*a);
    (IpAddr, u16) => |t| SocketAddr::new(t.0, t.1);
    (Ipv4Addr, u16) => |t| SocketAddr::new(IpAddr::V4(t.0), t.1);
    (Ipv6Addr, u16) => |t| SocketAddr::new(IpAddr::V6(t.0), t.1);
}

impl ToSocketAddrs for &[SocketAddr] {}
impl sealed::ToSocketAddrsPriv for &[SocketAddr] {
    fn to_addrs(&self) -> Addrs {
        Addrs::Ready(Ok(LookupHost::many(self.iter().copied())))
    }
}

impl ToSocketAddrs for str {}
impl sealed::ToSocketAddrsPriv for str {
    fn to_addrs(&self) -> Addrs {
        if let Ok(addr) = self.parse::<SocketAddr>() {
            return Addrs::Ready(Ok(LookupHost::one(addr)));
        }
        if !str_needs_lookup(self) {
            // std rejects it without a lookup (no port, or a port that is no number): let it
            // say why, here, on the calling thread.
            return Addrs::Ready(std_addrs(self));
        }
        let host_port = self.to_owned();
        Addrs::Lookup(Box::new(move || std_addrs(host_port.as_str())))
    }
}

impl ToSocketAddrs for String {}
impl sealed::ToSocketAddrsPriv for String {
    fn to_addrs(&self) -> Addrs {
        self.as_str().to_addrs()
    }
}

impl ToSocketAddrs for (&str, u16) {}
impl sealed::ToSocketAddrsPriv for (&str, u16) {
    fn to_addrs(&self) -> Addrs {
        let (host, port) = *self;
        // std tries exactly this (an IPv4, then an IPv6 address) before it looks the host up.
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Addrs::Ready(Ok(LookupHost::one(SocketAddr::new(ip, port))));
        }
        let host = host.to_owned();
        Addrs::Lookup(Box::new(move || std_addrs((host.as_str(), port))))
    }
}

impl ToSocketAddrs for (String, u16) {}
impl sealed::ToSocketAddrsPriv for (String, u16) {
    fn to_addrs(&self) -> Addrs {
        (self.0.as_str(), self.1).to_addrs()
    }
}

impl<T: ToSocketAddrs + ?Sized> ToSocketAddrs for &T {}
impl<T: ToSocketAddrs + ?Sized> sealed::ToSocketAddrsPriv for &T {
    fn to_addrs(&self) -> Addrs {
        (**self).to_addrs()
    }
}

/// Whether std would look `s` up (it is no socket address, but `host:port` with a numeric
/// port); otherwise std parses it or rejects it without a lookup. Mirrors std's `str`
/// implementation: split at the last `:`, then parse the port as `u16`.
fn str_needs_lookup(s: &str) -> bool {
    match s.rsplit_once(':') {
        Some((_, port)) => port.parse::<u16>().is_ok(),
        None => false,
    }
}

/// std's own resolution (the lookup itself, where it needs one).
fn std_addrs(addr: impl std::net::ToSocketAddrs) -> io::Result<LookupHost> {
    Ok(LookupHost::many(addr.to_socket_addrs()?))
}

impl fmt::Debug for Addrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addrs::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            Addrs::Lookup(_) => f.debug_tuple("Lookup").finish_non_exhaustive(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sealed::ToSocketAddrsPriv;
    use super::*;

    fn ready(addrs: Addrs) -> Option<io::Result<Vec<SocketAddr>>> {
        match addrs {
            Addrs::Ready(r) => Some(r.map(Iterator::collect)),
            Addrs::Lookup(_) => None,
        }
    }

    #[test]
    fn addresses_that_parse_need_no_lookup() {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert_eq!(ready(v4.to_addrs()).unwrap().unwrap(), [v4]);
        assert_eq!(ready("127.0.0.1:80".to_addrs()).unwrap().unwrap(), [v4]);
        assert_eq!(
            ready("[::1]:80".to_owned().to_addrs()).unwrap().unwrap(),
            [v6]
        );
        assert_eq!(ready(("::1", 80).to_addrs()).unwrap().unwrap(), [v6]);
        assert_eq!(
            ready(("127.0.0.1".to_owned(), 80).to_addrs())
                .unwrap()
                .unwrap(),
            [v4]
        );
        assert_eq!(ready((v4.ip(), 80).to_addrs()).unwrap().unwrap(), [v4]);
        assert_eq!(
            ready((Ipv6Addr::LOCALHOST, 80).to_addrs())
                .unwrap()
                .unwrap(),
            [v6]
        );
        let both = [v4, v6];
        assert_eq!(ready((&both[..]).to_addrs()).unwrap().unwrap(), both);
        assert_eq!(ready((&&"127.0.0.1:80").to_addrs()).unwrap().unwrap(), [v4]);
    }

    #[test]
    fn host_names_need_a_lookup() {
        assert!(ready("localhost:80".to_addrs()).is_none());
        assert!(ready(("localhost", 80).to_addrs()).is_none());
        assert!(ready(("db.internal".to_owned(), 5432).to_addrs()).is_none());
        assert!(ready(Resolve("127.0.0.1:80").to_addrs()).is_none());
    }

    #[test]
    fn malformed_strings_fail_without_a_lookup_as_std_does() {
        for bad in ["localhost", "localhost:http", "localhost:70000", ""] {
            let err = ready(bad.to_addrs()).expect("no lookup").unwrap_err();
            let std_err = std::net::ToSocketAddrs::to_socket_addrs(bad).unwrap_err();
            assert_eq!(err.kind(), std_err.kind(), "{bad:?}");
        }
    }
}
