//! The reactor: one `polling::Poller` (epoll here) per runtime, every source registered once in
//! edge-triggered mode, and per-source readiness plus reader and writer wakers.
//!
//! # Readiness
//!
//! Each source keeps, per direction (read, write), a `ready` flag, a `tick` counted up by every
//! event, and the wakers of every task waiting for it. An event sets `ready`, bumps `tick` and
//! wakes all the waiters of its directions. An operation (`read_with`) notes the tick, tries the
//! syscall, and only on `WouldBlock` clears `ready` — and only if the tick is unchanged, so an
//! event that arrived during the syscall is never lost. New sources start ready in both
//! directions: the first operation is always tried (edge mode reports only changes).
//!
//! Edge mode registers each source once (one `epoll_ctl` per source lifetime); oneshot mode
//! would re-arm it with a syscall per wait. See docs/architecture.md.
//!
//! Per-source readiness is one atomic word plus a small mutex for the waiter lists
//! (`readiness.rs`); the poller is shared by the worker that parks in the driver and every
//! thread that registers or deregisters a source. The driver takes the sources' lock once per
//! batch of events, never per event.
//!
//! # Close
//!
//! [`Reactor::close`] sets `closed` under the sources' lock and then closes every source it
//! found there (the closed bit in its readiness word, and its waiters woken); `register` reads
//! `closed` under the same lock and makes a source registered after that start closed. So
//! every source of a closed reactor is closed, and a waiter either sees closed or is woken by
//! close (`readiness.rs`): its operation fails with an error instead of waiting for events
//! nobody will dispatch.
//!
//! # Waking
//!
//! Wakers are user code: they are woken only after every lock here is released (so a waker
//! may use the reactor, or the source, on the same thread), and each wake runs under
//! `catch_unwind`: a waker that panics is skipped and the rest are still woken, and the panic
//! never unwinds out of the driver, `close` or a drop.

use crate::readiness::{IoEvent, Readiness};
use polling::{Event, Events, PollMode, Poller};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::Waker;
use std::time::Duration;
use weft_core::scheduler::{Park, Unpark};
use weft_core::sync::{Mutex, MutexGuard};
use weft_core::unwind;

/// The key of the reactor's own wake-up eventfd (polling reserves `usize::MAX`).
const WAKE_KEY: usize = usize::MAX - 1;

/// The I/O reactor of one runtime (or of the fallback driver).
pub struct Reactor {
    poller: Poller,
    /// Linux: an eventfd registered (edge-triggered) under [`WAKE_KEY`]; `unpark` writes it.
    /// Waking through it costs one write and one read, where `Poller::notify` costs a write
    /// plus polling's five-syscall re-arming wait.
    #[cfg(target_os = "linux")]
    wake: std::os::fd::OwnedFd,
    sources: Mutex<Sources>,
    /// Set (under the sources' lock) when the runtime that drives this reactor closed: nothing
    /// will dispatch its events.
    closed: AtomicBool,
}

#[derive(Default)]
struct Sources {
    slots: Vec<Option<Arc<Source>>>,
    free: Vec<usize>,
}

/// One registered file descriptor.
pub(crate) struct Source {
    key: usize,
    fd: RawFd,
    pub(crate) readiness: Readiness,
}

impl Reactor {
    /// A reactor with a new poller.
    ///
    /// # Errors
    ///
    /// When the OS refuses a poller (out of file descriptors).
    pub fn new() -> io::Result<Arc<Reactor>> {
        let poller = Poller::new()?;
        #[cfg(target_os = "linux")]
        let wake = {
            // SAFETY: eventfd with valid flags; the result is checked below.
            let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: `fd` was just created and is owned by nobody else.
            let wake = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
            // SAFETY: the eventfd lives as long as the reactor, which deletes nothing from
            // the poller after it is dropped (the poller is dropped with it).
            unsafe {
                poller.add_with_mode(
                    wake.as_raw_fd(),
                    Event::readable(WAKE_KEY),
                    PollMode::Edge,
                )?;
            }
            wake
        };
        Ok(Arc::new(Reactor {
            poller,
            #[cfg(target_os = "linux")]
            wake,
            sources: Mutex::new(Sources::default()),
            closed: AtomicBool::new(false),
        }))
    }

    /// Interrupts a wait in progress (or makes the next one return at once).
    fn wake(&self) {
        #[cfg(target_os = "linux")]
        {
            let one: u64 = 1;
            // SAFETY: writing 8 bytes from a valid u64 to our own eventfd; an error (the
            // counter would overflow) means a wake-up is pending anyway.
            let _ = unsafe { libc::write(self.wake.as_raw_fd(), (&one as *const u64).cast(), 8) };
        }
        #[cfg(not(target_os = "linux"))]
        {
            // Fails only if the poller is gone; then nobody is waiting in it.
            let _ = self.poller.notify();
        }
    }

    /// Drains the wake-up eventfd after its event, so the next write makes a new edge.
    #[cfg(target_os = "linux")]
    fn drain_wake(&self) {
        let mut value: u64 = 0;
        // SAFETY: reading 8 bytes into a valid u64 from our own non-blocking eventfd.
        let _ = unsafe { libc::read(self.wake.as_raw_fd(), (&mut value as *mut u64).cast(), 8) };
    }

    fn sources(&self) -> MutexGuard<'_, Sources> {
        self.sources.lock()
    }

    /// Registers `fd` (edge-triggered, both directions). On a closed reactor the source
    /// starts closed (see "Close" above).
    ///
    /// # Errors
    ///
    /// The poller's error (a regular file, which epoll refuses with `EPERM`); nothing stays
    /// registered then.
    pub(crate) fn register(&self, fd: BorrowedFd<'_>) -> io::Result<Arc<Source>> {
        let mut sources = self.sources();
        // The key is taken from the free list only once the poller accepted the fd: a failed
        // registration leaves the table as it was.
        let key = sources.free.last().copied().unwrap_or(sources.slots.len());
        self.add(fd, key)?;
        let source = Arc::new(Source {
            key,
            fd: fd.as_raw_fd(),
            readiness: Readiness::new(),
        });
        // Relaxed: written only under the sources' lock, which we hold.
        if self.closed.load(Ordering::Relaxed) {
            // Nobody wakes anything here: the source is new.
            source.readiness.close(&mut Vec::new());
        }
        if key == sources.slots.len() {
            sources.slots.push(Some(source.clone()));
        } else {
            let popped = sources.free.pop();
            debug_assert_eq!(popped, Some(key));
            sources.slots[key] = Some(source.clone());
        }
        Ok(source)
    }

    /// Adds `fd` to the poller under `key`: edge-triggered, both directions.
    ///
    /// On Linux this is our own `epoll_ctl` on the poller's descriptor, so that it can ask
    /// for `EPOLLRDHUP` (polling does not): the peer's FIN then shows up as a hang-up, which
    /// the short-read rule needs (`readiness.rs`). polling's own `delete` removes it, as with
    /// any fd. Elsewhere it is polling's `add`.
    fn add(&self, fd: BorrowedFd<'_>, key: usize) -> io::Result<()> {
        #[cfg(target_os = "linux")]
        {
            let mut event = libc::epoll_event {
                events: (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLRDHUP | libc::EPOLLET) as u32,
                u64: key as u64,
            };
            let epfd = self.poller.as_raw_fd();
            // SAFETY: `epfd` is the poller's live epoll descriptor, `fd` a live descriptor
            // borrowed from its owner, and `event` a valid epoll_event. The fd is deregistered
            // (`deregister`) before the `Async` that owns it closes it, so the poller never
            // holds a closed or reused fd.
            let r = unsafe {
                libc::epoll_ctl(epfd, libc::EPOLL_CTL_ADD, fd.as_raw_fd(), &raw mut event)
            };
            if r < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        }
        #[cfg(not(target_os = "linux"))]
        // SAFETY: as above: deregistered before its owner closes it.
        unsafe {
            self.poller
                .add_with_mode(fd.as_raw_fd(), Event::all(key), PollMode::Edge)
        }
    }

    /// Removes a source; called before its fd is closed.
    pub(crate) fn deregister(&self, source: &Source, fd: BorrowedFd<'_>) {
        // An error means the fd was never (or no longer) registered; nothing to undo.
        let _ = self.poller.delete(fd);
        {
            let mut sources = self.sources();
            if let Some(slot) = sources.slots.get_mut(source.key) {
                *slot = None;
                sources.free.push(source.key);
            }
        }
        // Wake anyone still waiting (stale wakers of dropped futures: nothing borrows a source
        // that is being dropped), so no task waits on a source that is gone. After the
        // sources' lock is released: a waker may use the reactor.
        let mut wakers = Vec::new();
        source.readiness.take_wakers(&mut wakers);
        wake_all(&mut wakers);
    }

    /// Waits for events (at most `timeout`) and dispatches them to their sources' waiters.
    fn poll(&self, events: &mut Events, timeout: Option<Duration>, wakers: &mut Vec<Waker>) {
        #[cfg(target_os = "linux")]
        if self.poll_epoll(events, timeout, wakers) {
            return;
        }
        events.clear();
        // EINTR and friends: return and let the caller come back.
        if self.poller.wait(events, timeout).is_err() {
            return;
        }
        let sources = self.sources();
        for event in events.iter() {
            Self::dispatch(&sources, event.key, polled_event(&event), wakers);
        }
    }

    /// Fires the readiness of the source under `key` (one that was deregistered meanwhile is
    /// skipped). The caller holds the sources' lock once for a whole batch of events.
    fn dispatch(sources: &Sources, key: usize, event: IoEvent, wakers: &mut Vec<Waker>) {
        if let Some(Some(source)) = sources.slots.get(key) {
            source.readiness.fire(event, wakers);
        }
    }

    /// The fast path on Linux: one `epoll_wait` on the poller's epoll descriptor. `polling`'s
    /// own `wait` costs five syscalls (it arms a timerfd for the timeout and re-arms its
    /// notifier every time); measured on tcp_echo, that was the gap to tokio. Sources are
    /// registered through `polling` as usual, with their key in the event data. When the
    /// notifier (or polling's timerfd) fires — key `usize::MAX` — this falls back to
    /// `polling`'s `wait` with a zero timeout, which clears and re-arms them and resets its
    /// `notified` flag, so `Poller::notify` keeps working. Returns `false` when the caller
    /// should use `polling`'s `wait` instead.
    #[cfg(target_os = "linux")]
    fn poll_epoll(
        &self,
        events: &mut Events,
        timeout: Option<Duration>,
        wakers: &mut Vec<Waker>,
    ) -> bool {
        const CAPACITY: usize = 256;
        let timeout_ms: libc::c_int = match timeout {
            None => -1,
            // Round up: the driver above never wakes before a timer's deadline.
            Some(t) => i32::try_from(t.as_nanos().div_ceil(1_000_000)).unwrap_or(i32::MAX),
        };
        let mut buf = [libc::epoll_event { events: 0, u64: 0 }; CAPACITY];
        let fd = std::os::fd::AsRawFd::as_raw_fd(&self.poller);
        // SAFETY: `fd` is the live epoll descriptor owned by `self.poller`; `buf` is a valid,
        // writable array of CAPACITY events.
        let n =
            unsafe { libc::epoll_wait(fd, buf.as_mut_ptr(), CAPACITY as libc::c_int, timeout_ms) };
        let Ok(n) = usize::try_from(n) else {
            return true; // EINTR and the like: the caller comes back
        };
        const READ: u32 =
            (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR | libc::EPOLLPRI)
                as u32;
        const WRITE: u32 = (libc::EPOLLOUT | libc::EPOLLHUP | libc::EPOLLERR) as u32;
        const READ_HUP: u32 = (libc::EPOLLRDHUP | libc::EPOLLHUP | libc::EPOLLERR) as u32;
        const WRITE_HUP: u32 = (libc::EPOLLHUP | libc::EPOLLERR) as u32;
        let mut notified = false;
        let sources = (n > 0).then(|| self.sources());
        for event in &buf[..n] {
            let (flags, data) = (event.events, event.u64);
            let key = usize::try_from(data).unwrap_or(usize::MAX);
            if key == WAKE_KEY {
                self.drain_wake();
                continue;
            }
            if key == usize::MAX {
                notified = true;
                continue;
            }
            if let Some(sources) = &sources {
                let event = IoEvent {
                    readable: flags & READ != 0,
                    writable: flags & WRITE != 0,
                    read_hup: flags & READ_HUP != 0,
                    write_hup: flags & WRITE_HUP != 0,
                };
                Self::dispatch(sources, key, event, wakers);
            }
        }
        drop(sources);
        if notified {
            // Let polling clear and re-arm its notifier (and report anything else pending).
            events.clear();
            if self.poller.wait(events, Some(Duration::ZERO)).is_ok() {
                let sources = self.sources();
                for event in events.iter() {
                    Self::dispatch(&sources, event.key, polled_event(&event), wakers);
                }
            }
        }
        true
    }

    /// The runtime driving this reactor closed: wake every waiter; from now on their
    /// operations fail with a clear error instead of waiting forever, and new sockets made in
    /// that runtime's context register with the fallback reactor.
    pub fn close(&self) {
        let sources: Vec<Arc<Source>> = {
            let sources = self.sources();
            // Under the sources' lock, which `register` reads it under: a source is either
            // in the list below or registered closed. Release: pairs with the Acquire load in
            // `is_closed`.
            self.closed.store(true, Ordering::Release);
            sources.slots.iter().flatten().cloned().collect()
        };
        let mut wakers = Vec::new();
        for source in &sources {
            source.readiness.close(&mut wakers);
        }
        wake_all(&mut wakers);
    }

    /// Whether [`Reactor::close`] was called.
    pub fn is_closed(&self) -> bool {
        // Acquire: pairs with the Release store in `close`.
        self.closed.load(Ordering::Acquire)
    }

    /// Sources registered now (no fd leak: back to the starting count once sockets drop).
    pub fn num_sources(&self) -> usize {
        let sources = self.sources();
        sources.slots.len() - sources.free.len()
    }
}

/// An event as `polling` reports it. It cannot say whether the peer half-closed (`EPOLLRDHUP`
/// is folded into "readable"), so every event counts as a possible hang-up: sources
/// whose events come this way (rare on Linux, where the fast path reads epoll itself) keep
/// their readiness after a short transfer, at the cost of one `WouldBlock` syscall.
fn polled_event(event: &Event) -> IoEvent {
    IoEvent {
        readable: event.readable,
        writable: event.writable,
        read_hup: event.readable,
        write_hup: event.writable,
    }
}

/// The `Park` layer over a reactor: parking waits for I/O events (and `unpark` interrupts the
/// wait through `Poller::notify`).
pub struct IoDriver {
    reactor: Arc<Reactor>,
    events: Events,
    wakers: Vec<Waker>,
}

impl IoDriver {
    /// A driver for `reactor`.
    pub fn new(reactor: Arc<Reactor>) -> IoDriver {
        IoDriver {
            reactor,
            events: Events::new(),
            wakers: Vec::new(),
        }
    }
}

impl Park for IoDriver {
    fn park(&mut self, timeout: Option<Duration>) {
        self.reactor
            .poll(&mut self.events, timeout, &mut self.wakers);
        wake_all(&mut self.wakers);
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        Arc::new(Notify(self.reactor.clone()))
    }
}

/// Wakes (and drains) `wakers`; the caller holds no lock. A waker that panics is skipped: the
/// panic is caught (the panic hook has reported it) and the rest are still woken, so a user's
/// waker can never unwind out of the driver, `close` or a drop.
fn wake_all(wakers: &mut Vec<Waker>) {
    unwind::wake_all(wakers.drain(..));
}

struct Notify(Arc<Reactor>);

impl Unpark for Notify {
    fn unpark(&self) {
        self.0.wake();
    }
}

impl AsFd for Source {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: only used while the owning `Async` (which keeps the fd open) is alive.
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }
}

/// The reactor new sources on this thread use: the `io` of the thread's scope (a runtime puts
/// its reactor there on its workers and inside `block_on`; see `Scope` in weft-core's context),
/// unless that runtime closed, else the fallback's.
pub(crate) fn current() -> io::Result<Arc<Reactor>> {
    let scoped =
        weft_core::context::with_scope(|scope| Arc::downcast::<Reactor>(scope.io.clone()?).ok())
            .flatten();
    match scoped {
        Some(r) if !r.is_closed() => Ok(r),
        _ => fallback(),
    }
}

/// The process-wide fallback reactor, for sockets outside any weft runtime. It is driven by
/// the fallback driver thread of weft-timer (`weft-fallback`), which serves the fallback
/// timers too: one thread for both, whichever is used first.
pub fn fallback() -> io::Result<Arc<Reactor>> {
    static FALLBACK: OnceLock<Arc<Reactor>> = OnceLock::new();
    if let Some(r) = FALLBACK.get() {
        return Ok(r.clone());
    }
    let reactor = Reactor::new()?;
    if FALLBACK.set(reactor.clone()).is_ok() {
        // Only the thread that set FALLBACK attaches, so this is the one I/O layer.
        weft_timer::fallback::attach_io(Box::new(IoDriver::new(reactor))).map_err(|_| {
            io::Error::other("weft: the fallback driver already drives another reactor")
        })?;
    }
    Ok(FALLBACK.get().expect("set above").clone())
}

impl std::fmt::Debug for Reactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reactor")
            .field("sources", &self.num_sources())
            .finish()
    }
}

#[cfg(all(test, not(weft_loom)))]
#[path = "reactor_tests.rs"]
mod tests;
