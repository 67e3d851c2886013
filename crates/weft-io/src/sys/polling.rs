//! The portable backend (every platform but Linux): the `polling` crate's `Poller` (kqueue on
//! the BSDs and macOS, event ports on illumos, ...), sources added in its edge mode, and
//! [`Poller::notify`] through `polling`'s own notifier, whose key ([`WAKE_KEY`], `usize::MAX`)
//! `polling` reserves and filters out of its events itself.
//!
//! `polling`'s events cannot say whether the peer half-closed, so every event counts as a
//! possible hang-up in the directions it reports: the sources keep their readiness after a
//! short transfer, at the cost of one `WouldBlock` syscall (see `readiness.rs`).

use super::{Events, Poller, WAKE_KEY};
use crate::readiness::IoEvent;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd};
use std::time::Duration;

/// A `polling::Poller`.
pub(crate) struct Polling {
    poller: ::polling::Poller,
}

/// A `polling::Events`.
pub(crate) struct PollingEvents {
    events: ::polling::Events,
}

impl Poller for Polling {
    type Events = PollingEvents;

    fn new() -> io::Result<Polling> {
        Ok(Polling {
            poller: ::polling::Poller::new()?,
        })
    }

    /// # Safety
    ///
    /// As [`Poller::add`]: `fd` stays open until deleted, and `key` is not `WAKE_KEY`.
    unsafe fn add(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
        debug_assert_ne!(key, WAKE_KEY);
        // SAFETY: the caller keeps `fd` open until `delete` (this function's contract), which
        // is what `polling`'s `add` asks.
        unsafe {
            self.poller.add_with_mode(
                fd.as_raw_fd(),
                ::polling::Event::all(key),
                ::polling::PollMode::Edge,
            )
        }
    }

    fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        self.poller.delete(fd)
    }

    fn wait(&self, events: &mut PollingEvents, timeout: Option<Duration>) -> io::Result<()> {
        // `polling` adds to what the buffer holds (and retries EINTR itself).
        events.events.clear();
        if let Err(e) = self.poller.wait(&mut events.events, timeout) {
            events.events.clear();
            return Err(e);
        }
        Ok(())
    }

    fn notify(&self) {
        // Fails only if the poller is gone; then nobody is waiting in it.
        let _ = self.poller.notify();
    }
}

impl Events for PollingEvents {
    fn new() -> PollingEvents {
        PollingEvents {
            events: ::polling::Events::new(),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (usize, IoEvent)> + '_ {
        self.events.iter().map(|event| {
            (
                event.key,
                IoEvent {
                    readable: event.readable,
                    writable: event.writable,
                    read_hup: event.readable,
                    write_hup: event.writable,
                },
            )
        })
    }
}
