//! The reactor: one OS poller per runtime (`sys/`: epoll on Linux, the `polling` crate
//! elsewhere), every source registered once in edge-triggered mode, and per-source readiness
//! plus reader and writer wakers.
//!
//! # Sources and keys
//!
//! Each registered fd is a [`Source`] in a table of slots; its key, which the poller hands back
//! with each of its events, is its slot's index. A freed slot goes on a free list, and the next
//! registration takes it back, but only once the poller accepted the fd: a failed
//! registration leaves the table as it was. An event whose slot is empty (its source was
//! deregistered meanwhile) is dropped; one for a slot already reused goes to the new source,
//! which at worst costs it one spurious try (sources start ready anyway). Keys, being indices,
//! never reach the backend's own key (`sys::WAKE_KEY`).
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
use crate::sys::{self, Events as _, Poller};
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::Waker;
use std::time::Duration;
use weft_core::driver::{Park, Unpark};
use weft_core::sync::{Mutex, MutexGuard};
use weft_core::unwind;

/// The events one wait of this platform's poller fills.
type Events = <sys::Backend as Poller>::Events;

/// The I/O reactor of one runtime (or of the fallback driver).
pub struct Reactor {
    poller: sys::Backend,
    sources: Mutex<Sources>,
    /// Set (under the sources' lock) when the runtime that drives this reactor closed: nothing
    /// will dispatch its events.
    closed: AtomicBool,
    /// Sources registered now (changed under the sources' lock). A hint, read without the
    /// lock by a poll that must not sleep: with none, the `epoll_wait` is skipped (see
    /// `IoDriver::park`).
    registered: AtomicUsize,
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
        Ok(Arc::new(Reactor {
            poller: sys::Backend::new()?,
            sources: Mutex::new(Sources::default()),
            closed: AtomicBool::new(false),
            registered: AtomicUsize::new(0),
        }))
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
        // SAFETY: the fd is deleted (`deregister`) before the `Async` that owns it closes it,
        // so the poller never holds a closed or reused fd; `key` is a slot index, never
        // `sys::WAKE_KEY` (see "Sources and keys" above).
        unsafe { self.poller.add(fd, key)? };
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
        // Relaxed: a hint (see the field), changed under the sources' lock.
        self.registered.fetch_add(1, Ordering::Relaxed);
        if key == sources.slots.len() {
            sources.slots.push(Some(source.clone()));
        } else {
            let popped = sources.free.pop();
            debug_assert_eq!(popped, Some(key));
            sources.slots[key] = Some(source.clone());
        }
        Ok(source)
    }

    /// Removes a source; called before its fd is closed.
    pub(crate) fn deregister(&self, source: &Source, fd: BorrowedFd<'_>) {
        // An error means the fd was never (or no longer) registered; nothing to undo.
        let _ = self.poller.delete(fd);
        {
            let mut sources = self.sources();
            if let Some(slot) = sources.slots.get_mut(source.key)
                && slot.take().is_some()
            {
                sources.free.push(source.key);
                // Relaxed: a hint (see the field), changed under the sources' lock.
                self.registered.fetch_sub(1, Ordering::Relaxed);
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
    /// The sources' lock is taken once for the batch, and not at all when only a notify (or
    /// the timeout) ended the wait.
    fn poll(&self, events: &mut Events, timeout: Option<Duration>, wakers: &mut Vec<Waker>) {
        // EINTR and friends: return and let the caller come back.
        if self.poller.wait(events, timeout).is_err() {
            return;
        }
        let mut sources = None;
        for (key, event) in events.iter() {
            let sources = sources.get_or_insert_with(|| self.sources());
            Self::dispatch(sources, key, event, wakers);
        }
    }

    /// Fires the readiness of the source under `key` (one that was deregistered meanwhile is
    /// skipped). The caller holds the sources' lock once for a whole batch of events.
    fn dispatch(sources: &Sources, key: usize, event: IoEvent, wakers: &mut Vec<Waker>) {
        if let Some(Some(source)) = sources.slots.get(key) {
            source.readiness.fire(event, wakers);
        }
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

/// The `Park` layer over a reactor: parking waits for I/O events (and `unpark` interrupts the
/// wait through the poller's notify).
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
        // A poll that must not sleep (a worker's maintenance tick, every 61 polls) with no
        // source registered has nothing to find: skip its syscall (measured: yield_many, 23
        // rounds, made 2,555 `epoll_wait`s, one per 61 yields; 16 now). A stale count only
        // moves a new source's first event to the next poll, and a new source starts ready
        // anyway; a notify left unconsumed makes the next sleeping wait return at once, once.
        if timeout == Some(Duration::ZERO) && self.reactor.registered.load(Ordering::Relaxed) == 0 {
            return;
        }
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
        self.0.poller.notify();
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

/// The process-wide fallback reactor, for sockets outside any weft runtime. It is the I/O base
/// of weft-core's fallback driver thread (`weft-fallback`), which serves the fallback timers
/// too: one thread for both, whichever is used first.
pub fn fallback() -> io::Result<Arc<Reactor>> {
    static FALLBACK: OnceLock<Arc<Reactor>> = OnceLock::new();
    if let Some(r) = FALLBACK.get() {
        return Ok(r.clone());
    }
    let reactor = Reactor::new()?;
    if FALLBACK.set(reactor.clone()).is_ok() {
        // Only the thread that set FALLBACK attaches, so this is the one I/O layer.
        weft_core::driver::fallback::attach_base(Box::new(IoDriver::new(reactor))).map_err(
            |_| io::Error::other("weft: the fallback driver already drives another reactor"),
        )?;
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
