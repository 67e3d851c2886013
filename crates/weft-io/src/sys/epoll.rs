//! The Linux backend: an epoll descriptor of its own and an eventfd for [`Poller::notify`].
//!
//! # Syscalls
//!
//! A wait is one `epoll_wait`, plus one `read` of the eventfd when a notify woke it; a notify
//! is one `write`; a source costs one `epoll_ctl` to add and one to delete. (The `polling`
//! crate's epoll wait costs five: it arms a timerfd for the timeout and re-arms its notifier
//! on every wait. Measured on tcp_echo, that was the gap to tokio; see docs/architecture.md.)
//!
//! # Sources
//!
//! Added with `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET` and the key as the event's data.
//! `EPOLLRDHUP` makes the peer's FIN an event of its own, so `read_hup` is exact here: a plain
//! readable event does not count as a possible hang-up (the short-read rule of `readiness.rs`
//! needs that to save its `WouldBlock` syscall).
//!
//! # The eventfd
//!
//! Non-blocking, added edge-triggered for reading under [`WAKE_KEY`]. A notify writes 1 to it;
//! a wait that finds its event among the ones it got reads it once, which resets the counter
//! to 0, before returning. Linux makes a new edge on every write to an eventfd, drained or not,
//! so the drain is not what re-arms it: it keeps the counter at 0, far from the overflow that
//! would make a write fail with `EAGAIN` (and that write's notify lost).
//!
//! No notify is lost to the drain. Take any notify; its write either comes before the drain
//! or after it. Before: the wait that drains has not returned yet, so the notify's work (which
//! the notifier published before writing) is there when the waiter looks after the wait —
//! that return is the notify's. After: the counter is non-zero again, so an edge is pending and
//! the next `epoll_wait` returns at once (or one in progress does). A notify can only make a
//! wait return that had nothing else to report, never fail to make one return. The eventfd's
//! own lock orders the write and the read, and with them what came before the write.

use super::{Events, Poller, WAKE_KEY};
use crate::readiness::IoEvent;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::time::Duration;

/// Events one `epoll_wait` returns at most; more stay queued in the kernel for the next.
const CAPACITY: usize = 256;

/// An epoll descriptor and the eventfd that interrupts its waits.
pub(crate) struct Epoll {
    epoll: OwnedFd,
    wake: OwnedFd,
}

/// The events of one `epoll_wait`, [`WAKE_KEY`]'s among them.
pub(crate) struct EpollEvents {
    buf: Vec<libc::epoll_event>,
}

/// Turns a libc return value into the `io::Error` it signals (`-1`: `errno`).
fn check(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

impl Epoll {
    /// `epoll_ctl(op, fd)` with `events` and `key` as the event's data.
    fn ctl(
        &self,
        op: libc::c_int,
        fd: libc::c_int,
        events: libc::c_int,
        key: usize,
    ) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: events as u32,
            u64: key as u64,
        };
        // SAFETY: `self.epoll` is our live epoll descriptor and `event` a valid epoll_event
        // that outlives the call. Which `fd` may be added is the callers' contract (`add`).
        check(unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd, &raw mut event) })?;
        Ok(())
    }

    /// Reads the eventfd's counter back to 0 (see "The eventfd" above).
    fn drain(&self) {
        let mut value: u64 = 0;
        // SAFETY: reads at most 8 bytes into a valid, writable u64, from our own eventfd,
        // which is non-blocking: with the counter already 0 this fails with EAGAIN, harmless.
        let _ = unsafe { libc::read(self.wake.as_raw_fd(), (&raw mut value).cast(), 8) };
    }
}

impl Poller for Epoll {
    type Events = EpollEvents;

    fn new() -> io::Result<Epoll> {
        // SAFETY: epoll_create1 with a valid flag; the result is checked.
        let epoll = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        // SAFETY: `epoll` was just created, and nothing else owns it.
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        // SAFETY: eventfd with valid flags; the result is checked.
        let wake = check(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) })?;
        // SAFETY: `wake` was just created, and nothing else owns it.
        let wake = unsafe { OwnedFd::from_raw_fd(wake) };
        let poller = Epoll { epoll, wake };
        // The eventfd lives exactly as long as the epoll descriptor: both are dropped together.
        poller.ctl(
            libc::EPOLL_CTL_ADD,
            poller.wake.as_raw_fd(),
            libc::EPOLLIN | libc::EPOLLET,
            WAKE_KEY,
        )?;
        Ok(poller)
    }

    /// # Safety
    ///
    /// As [`Poller::add`]: `fd` stays open until deleted, and `key` is not `WAKE_KEY`.
    unsafe fn add(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
        debug_assert_ne!(key, WAKE_KEY);
        // The caller keeps `fd` open until `delete` (this function's contract), so epoll never
        // holds a closed or reused descriptor.
        self.ctl(
            libc::EPOLL_CTL_ADD,
            fd.as_raw_fd(),
            libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET,
            key,
        )
    }

    fn delete(&self, fd: BorrowedFd<'_>) -> io::Result<()> {
        // The event is ignored by EPOLL_CTL_DEL (since Linux 2.6.9, which Rust requires).
        self.ctl(libc::EPOLL_CTL_DEL, fd.as_raw_fd(), 0, 0)
    }

    fn wait(&self, events: &mut EpollEvents, timeout: Option<Duration>) -> io::Result<()> {
        let timeout_ms: libc::c_int = match timeout {
            None => -1,
            // Round up: the timer driver above never wakes before a deadline.
            Some(t) => i32::try_from(t.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
        };
        let buf = &mut events.buf;
        buf.clear();
        // SAFETY: `self.epoll` is our live epoll descriptor, and `buf` has room for CAPACITY
        // events from its start (made with that capacity, and never grown or shrunk).
        let n = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                buf.as_mut_ptr(),
                CAPACITY as libc::c_int,
                timeout_ms,
            )
        };
        let n = check(n)? as usize;
        // SAFETY: epoll_wait initialized the first `n` events, and n <= CAPACITY <= capacity.
        unsafe { buf.set_len(n) };
        if buf.iter().any(|event| event.u64 == WAKE_KEY as u64) {
            self.drain();
        }
        Ok(())
    }

    fn notify(&self) {
        let one: u64 = 1;
        // SAFETY: writes 8 bytes from a valid u64 to our own eventfd. It fails only if the
        // counter would overflow, which the drain in `wait` keeps it from.
        let _ = unsafe { libc::write(self.wake.as_raw_fd(), (&raw const one).cast(), 8) };
    }
}

impl Events for EpollEvents {
    fn new() -> EpollEvents {
        EpollEvents {
            buf: Vec::with_capacity(CAPACITY),
        }
    }

    fn iter(&self) -> impl Iterator<Item = (usize, IoEvent)> + '_ {
        const READ: u32 =
            (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI)
                as u32;
        const WRITE: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;
        const READ_HUP: u32 = (libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;
        const WRITE_HUP: u32 = (libc::EPOLLHUP | libc::EPOLLERR) as u32;
        self.buf.iter().filter_map(|event| {
            // Copies: `epoll_event` is packed on x86-64.
            let (flags, data) = (event.events, event.u64);
            // Keys were usizes when added, so `data` fits one.
            let key = data as usize;
            (key != WAKE_KEY).then_some((
                key,
                IoEvent {
                    readable: flags & READ != 0,
                    writable: flags & WRITE != 0,
                    read_hup: flags & READ_HUP != 0,
                    write_hup: flags & WRITE_HUP != 0,
                },
            ))
        })
    }
}

/// What only epoll promises beyond the contract (which `super::tests` checks).
#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;

    #[test]
    fn plain_data_is_not_a_hang_up() {
        let poller = Epoll::new().unwrap();
        let mut events = EpollEvents::new();
        let (a, mut b) = UnixStream::pair().unwrap();
        // SAFETY: `a` is deleted before it is dropped.
        unsafe { poller.add(a.as_fd(), 3).unwrap() };
        b.write_all(b"x").unwrap();
        poller
            .wait(&mut events, Some(Duration::from_secs(5)))
            .unwrap();
        let got: Vec<_> = events.iter().collect();
        assert_eq!(got.len(), 1, "{got:?}");
        let (key, event) = got[0];
        assert_eq!(key, 3);
        assert!(event.readable && event.writable, "{event:?}");
        assert!(!event.read_hup && !event.write_hup, "{event:?}");
        poller.delete(a.as_fd()).unwrap();
    }

    #[test]
    fn a_wait_that_a_notify_ended_leaves_the_eventfd_drained() {
        let poller = Epoll::new().unwrap();
        let mut events = EpollEvents::new();
        poller.notify();
        poller.notify();
        poller
            .wait(&mut events, Some(Duration::from_secs(5)))
            .unwrap();
        assert_eq!(
            events.iter().count(),
            0,
            "the eventfd's event is not a source's"
        );
        let mut value: u64 = 0;
        // SAFETY: reads at most 8 bytes into a valid u64 from the poller's non-blocking eventfd.
        let r = unsafe { libc::read(poller.wake.as_raw_fd(), (&raw mut value).cast(), 8) };
        assert_eq!(r, -1, "the counter was {value}, not 0");
        assert_eq!(io::Error::last_os_error().kind(), io::ErrorKind::WouldBlock);
    }

    #[test]
    fn a_regular_file_is_refused() {
        let poller = Epoll::new().unwrap();
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        // SAFETY: the add fails, so nothing stays registered.
        let e = unsafe { poller.add(file.as_fd(), 3) }.unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::EPERM));
    }
}
