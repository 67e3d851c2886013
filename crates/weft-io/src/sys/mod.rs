//! The reactor's OS backends: one small contract ([`Poller`] and its [`Events`]), written once
//! here, and one implementation per platform, chosen by `cfg` in this file and nowhere else.
//!
//! - `epoll.rs` (Linux): an epoll descriptor and an eventfd of its own, one `epoll_wait` per
//!   wait.
//! - `polling.rs` (every other platform): the `polling` crate (kqueue, event ports, ...).
//!
//! # The contract
//!
//! - **Keys.** A source is added under a `usize` key, which comes back with each of its events.
//!   The reactor's keys are indices into its source table, so they stay far below
//!   [`WAKE_KEY`] (`usize::MAX`): a table of that many slots cannot be allocated. `WAKE_KEY`
//!   belongs to the backend (epoll's eventfd is added under it; `polling` reserves it for its own
//!   notifier) and is never handed to the reactor.
//! - **Edge mode, both directions, once.** [`Poller::add`] registers a descriptor
//!   edge-triggered for reading and writing, and it stays so until [`Poller::delete`]: no
//!   re-arming per wait. An event reports a change; the reactor keeps the readiness it implies
//!   (`readiness.rs`).
//! - **Readiness at add.** A descriptor that is already readable (or writable) when it is
//!   added gets an event for it from the next wait, as if the change had just happened:
//!   epoll's `EPOLL_CTL_ADD` and kqueue's `EV_ADD` both poll the descriptor once. So a source
//!   may start "not ready" (`Async::new_watched`) without missing an edge that came before
//!   its registration.
//! - **Hang-ups.** An event's `read_hup` says the peer may have closed its writing side (a
//!   FIN), `write_hup` that the socket may have hung up or errored. epoll registers with
//!   `EPOLLRDHUP`, so it tells a FIN from plain readability; a backend that cannot tell sets
//!   them whenever the direction is ready (always safe: it only costs the short-transfer
//!   shortcut one `WouldBlock` syscall).
//! - **Notify.** [`Poller::notify`] may be called from any thread: a [`Poller::wait`] in
//!   progress returns, or, if none is, the next one returns at once. Notifies before a wait
//!   returns may coalesce into that one return, which is all `Unpark` needs: the notifier
//!   published its work before notifying, and the waiter looks for work after the wait.
//! - **Waits report errors.** `EINTR` and the like come back as `Err`, with the buffer empty;
//!   the caller just comes back later.

use crate::readiness::IoEvent;
use std::io;
use std::os::fd::BorrowedFd;
use std::time::Duration;

#[cfg(target_os = "linux")]
mod epoll;
#[cfg(not(target_os = "linux"))]
mod polling;

/// The backend of this platform.
#[cfg(target_os = "linux")]
pub(crate) type Backend = epoll::Epoll;
/// The backend of this platform.
#[cfg(not(target_os = "linux"))]
pub(crate) type Backend = self::polling::Polling;

/// The key a backend keeps for itself; no source is ever added under it (see "Keys" above).
pub(crate) const WAKE_KEY: usize = usize::MAX;

/// An OS readiness poller: the one thing a reactor backend provides.
pub(crate) trait Poller: Sized {
    /// The buffer a wait fills.
    type Events: Events;

    /// A new poller (with whatever it needs for [`Poller::notify`]).
    fn new() -> io::Result<Self>;

    /// Adds `fd` under `key`: edge-triggered, readable and writable, hang-ups reported.
    ///
    /// # Safety
    ///
    /// `fd` stays open until it is [deleted](Poller::delete) (or the poller is dropped), so the
    /// poller never holds a closed or reused descriptor; `key` is not [`WAKE_KEY`].
    unsafe fn add(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()>;

    /// Removes `fd`; an error means it was not (or no longer) added.
    fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()>;

    /// Waits until an event or a notify, or for at most `timeout` (`None`: no limit; the wait
    /// never returns early because of rounding), and leaves the events in `events`, replacing
    /// what was there. Notifies are consumed here, before it returns; they never show up in
    /// `events`.
    fn wait(&self, events: &mut Self::Events, timeout: Option<Duration>) -> io::Result<()>;

    /// Makes a wait in progress, or else the next one, return (see "Notify" above).
    fn notify(&self);
}

/// The events of one wait.
pub(crate) trait Events {
    /// An empty buffer, with room for a batch of events.
    fn new() -> Self;

    /// The events of the last wait: each source's key and what it reported.
    fn iter(&self) -> impl Iterator<Item = (usize, IoEvent)> + '_;
}

#[cfg(all(test, not(weft_loom)))]
mod tests;
