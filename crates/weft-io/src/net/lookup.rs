//! Name lookups off the workers: [`lookup_host`], and the resolution `bind`, `connect` and
//! `send_to` share (see the module doc of `net` for where a lookup runs, and why).

use super::addr::{Addrs, LookupHost, ToSocketAddrs};
use std::io;
use std::panic::{self, AssertUnwindSafe};
use weft_core::oneshot;

/// Looks `addr` up (asyncio: `loop.getaddrinfo`), accepting anything
/// [`ToSocketAddrs`] does; returns its socket addresses in the order the lookup gave them.
///
/// An address that needs no lookup (`"127.0.0.1:80"`, a `SocketAddr`, `("::1", 80)`) comes
/// back at once. A host name is looked up on the runtime's blocking pool, so a slow DNS
/// server stalls only this call, never a worker; outside a runtime, on a short-lived thread
/// of its own. A failed lookup is the lookup's error.
///
/// ```
/// weft::run(async {
///     for addr in weft::net::lookup_host("localhost:8080").await? {
///         assert!(addr.ip().is_loopback());
///         assert_eq!(addr.port(), 8080);
///     }
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub async fn lookup_host(addr: impl ToSocketAddrs) -> io::Result<LookupHost> {
    match addr.to_addrs() {
        Addrs::Ready(addrs) => addrs,
        Addrs::Lookup(lookup) => off_workers(lookup).await,
    }
}

/// [`lookup_host`] for `bind`, `connect` and `send_to`: an address that resolves to nothing is
/// an `InvalidInput` error.
pub(crate) async fn resolve(addr: impl ToSocketAddrs) -> io::Result<LookupHost> {
    let addrs = lookup_host(addr).await?;
    if addrs.len() == 0 {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the address resolved to no socket address",
        ));
    }
    Ok(addrs)
}

/// The panic of a lookup, carried to the task that asked for it.
type Outcome = Result<io::Result<LookupHost>, Box<dyn std::any::Any + Send>>;

/// Runs `lookup` on the current runtime's blocking pool, or, without one (outside a runtime,
/// or after it closed), on a short-lived thread of its own; never on the calling thread,
/// which may be a worker. A panic in it is resumed here, in the caller, as if it had been
/// called inline.
async fn off_workers(
    lookup: Box<dyn FnOnce() -> io::Result<LookupHost> + Send>,
) -> io::Result<LookupHost> {
    let (tx, rx) = oneshot::channel::<Outcome>();
    let job: weft_core::context::BlockingJob = Box::new(move || {
        // A receiver that gave up (its future was dropped) loses nothing it still wants.
        let _ = tx.send(panic::catch_unwind(AssertUnwindSafe(lookup)));
    });
    if let Err(job) = weft_core::context::spawn_blocking(job) {
        std::thread::Builder::new()
            .name("weft-lookup".to_owned())
            .spawn(job)?;
    }
    match rx.await {
        Ok(Ok(addrs)) => addrs,
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(oneshot::RecvError) => Err(io::Error::other(
            "the name lookup was cancelled before it ran: the weft runtime closed (its \
             blocking pool shut down); look the name up in a running runtime, or outside any \
             runtime",
        )),
    }
}
