//! Per-source readiness: one atomic word with a `ready` bit per direction, sticky hang-up
//! bits, a `closed` bit and an event tick, plus the wakers of every task waiting in each
//! direction (see `reactor.rs` for how they are used). Kept apart from the poller so loom can
//! model it.
//!
//! # Invariants
//!
//! - The word is `tick << 5 | closed << 4 | write_hup << 3 | read_hup << 2 | write_ready << 1
//!   | read_ready`. Every event sets its directions' ready bits and bumps the tick (one tick
//!   shared by both directions). The hang-up bits are sticky: once an event reported (or could
//!   not rule out) that the peer closed a direction, they stay set. The closed bit is set once,
//!   by [`Readiness::close`] (the runtime that drives the source closed), and never cleared.
//! - `clear_ready(dir, tick)` (after `WouldBlock`) clears `dir`'s bit only if the tick is still
//!   the one the operation saw before its syscall: an event that came during the syscall is
//!   never erased. (An event in the *other* direction also keeps the bit; the operation is then
//!   tried once more.)
//! - `clear_drained(dir, tick)` (after a short transfer on a stream) is the same, and also does
//!   nothing once `dir` saw a hang-up: a short read can end just before the peer's FIN, whose
//!   edge already came, and only the next read would report the end of the stream.
//! - Every waiter is woken. Several tasks may wait in one direction of one source at once (two
//!   receivers on a shared `UdpSocket`, several acceptors on one listener, two readers of one
//!   `&TcpStream`, two `readable()` calls): each direction keeps a list of wakers, and an event
//!   in that direction takes and wakes all of them (each tries its operation again; those
//!   that find nothing wait again). [`Readiness::close`] takes both lists.
//! - No lost wake-up, from an event or from close: `fire` and `close` update the word *before*
//!   they lock the waiters; `poll_ready` reads the word again *under* that lock and adds its
//!   waker only if the word still says "not ready, not closed". The lock orders the two
//!   critical sections: either `fire`'s (or `close`'s) comes after ours, and takes and wakes the
//!   waker we added, or it comes before, and then its word update happened before our lock and
//!   the read under the lock sees it (we return ready, or closed, without waiting).
//! - The ready path (the common one) is a single atomic load, which checks the closed bit too;
//!   the waiters' lock is taken only to wait and by the reactor when it dispatches an event or
//!   closes.
//!
//! # The waiter lists
//!
//! A direction's list holds the first waker inline (one waiter, the common case, allocates
//! nothing) and any more in a vector whose capacity is kept when it is drained (so a source
//! with several waiters allocates once, not per wait). A waker is added only if no waker in the
//! list [`will_wake`](Waker::will_wake) the same task: a task polled again while it waits (the
//! same task waker), or two futures of one task on one direction, take one entry.
//!
//! What bounds a list: it holds at most one waker per distinct waker that waited in that
//! direction since the last event there. A future dropped while waiting (a lost `select!`
//! branch, an aborted task) leaves its waker behind; that stale waker is drained, with a
//! spurious wake-up, at the next event in its direction, at close, or when the source is
//! deregistered (and dropped with it). A poll-based operation (`poll_read` on `&TcpStream`)
//! has no per-call state to remove itself with, so stale entries are drained, not removed.
//!
//! No user code runs under the lock but the clone of a new waker (`Waker::clone`): wakers are
//! handed to the caller, which wakes them after releasing every lock. A clone that panics
//! leaves the list as it was (the lock's poison is ignored).

// The items are `pub` for the loom models (the module is public only under `weft_loom`).
#![cfg_attr(not(weft_loom), allow(unreachable_pub))]

use crate::sync::{AtomicUsize, Mutex, MutexGuard, Ordering};
use std::task::{Context, Poll, Waker};

/// A direction of readiness.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Readable (or: an accept / a recv may succeed).
    Read = 0,
    /// Writable.
    Write = 1,
}

impl Direction {
    const fn bit(self) -> usize {
        1 << self as usize
    }

    const fn hup_bit(self) -> usize {
        1 << (self as usize + 2)
    }
}

/// What one poller event reported for a source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoEvent {
    /// A read may make progress.
    pub readable: bool,
    /// A write may make progress.
    pub writable: bool,
    /// The peer closed its writing side, or the socket errored (or the event cannot say).
    pub read_hup: bool,
    /// The socket hung up or errored (or the event cannot say).
    pub write_hup: bool,
}

impl IoEvent {
    fn bits(self) -> usize {
        let flag = |on: bool, bit: usize| if on { bit } else { 0 };
        flag(self.readable, Direction::Read.bit())
            | flag(self.writable, Direction::Write.bit())
            | flag(self.read_hup, Direction::Read.hup_bit())
            | flag(self.write_hup, Direction::Write.hup_bit())
    }
}

/// Set by [`Readiness::close`]: nothing will dispatch this source's events any more.
const CLOSED: usize = 0b1_0000;
/// The ready, hang-up and closed bits; the tick counts above them.
const FLAG_BITS: usize = 0b1_1111;
const TICK_ONE: usize = 0b10_0000;

/// The event count a task saw before it tried an operation (see
/// [`Readiness::clear_ready`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tick(usize);

/// The source's runtime closed ([`Readiness::close`]): no event will come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Closed;

/// The wakers of the tasks waiting in one direction (see the module doc).
#[derive(Debug, Default)]
struct Waiters {
    first: Option<Waker>,
    more: Vec<Waker>,
}

impl Waiters {
    /// Adds `waker` unless a waker in the list already wakes the same task.
    fn add(&mut self, waker: &Waker) {
        if self
            .first
            .iter()
            .chain(&self.more)
            .any(|w| w.will_wake(waker))
        {
            return;
        }
        match &mut self.first {
            slot @ None => *slot = Some(waker.clone()),
            Some(_) => self.more.push(waker.clone()),
        }
    }

    /// Moves every waker to `out` (`append` leaves `more` empty with its capacity kept).
    fn drain_into(&mut self, out: &mut Vec<Waker>) {
        out.extend(self.first.take());
        out.append(&mut self.more);
    }
}

/// The readiness of one source.
#[derive(Debug)]
pub struct Readiness {
    state: AtomicUsize,
    /// The waiters of each direction, indexed by `Direction as usize`.
    waiters: Mutex<[Waiters; 2]>,
}

impl Default for Readiness {
    fn default() -> Readiness {
        Readiness::new()
    }
}

impl Readiness {
    /// Ready in both directions: the first operation is always tried (edge mode reports only
    /// changes).
    pub fn new() -> Readiness {
        Readiness {
            state: AtomicUsize::new(Direction::Read.bit() | Direction::Write.bit()),
            waiters: Mutex::new([Waiters::default(), Waiters::default()]),
        }
    }

    fn waiters(&self) -> MutexGuard<'_, [Waiters; 2]> {
        // Poison is ignored: the only user code under this lock is a waker's clone, and a
        // panic there leaves the lists as they were.
        self.waiters.lock()
    }

    /// Ready in `dir` (with the tick to pass to [`clear_ready`](Readiness::clear_ready)),
    /// [`Closed`], or not ready: then `cx`'s waker is among those the next event in `dir`
    /// (or close) wakes.
    pub fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<Result<Tick, Closed>> {
        // Acquire: pairs with the AcqRel update in `fire` and the Release in `close` (and
        // keeps this load from moving after the caller's syscall).
        let state = self.state.load(Ordering::Acquire);
        if state & (dir.bit() | CLOSED) == dir.bit() {
            return Poll::Ready(Ok(Tick(state & !FLAG_BITS)));
        }
        let mut waiters = self.waiters();
        // Read again under the lock, and wait only if still not ready and not closed: see the
        // module's no-lost-wake-up invariant.
        let state = self.state.load(Ordering::Acquire);
        if state & CLOSED != 0 {
            return Poll::Ready(Err(Closed));
        }
        if state & dir.bit() != 0 {
            return Poll::Ready(Ok(Tick(state & !FLAG_BITS)));
        }
        waiters[dir as usize].add(cx.waker());
        Poll::Pending
    }

    /// The operation hit `WouldBlock`: not ready in `dir` any more, unless an event came
    /// since `tick` was read.
    pub fn clear_ready(&self, dir: Direction, tick: Tick) {
        self.clear_if(dir, tick, 0);
    }

    /// Clears the read readiness a new source starts with, unless an event came since it was
    /// made (its tick moved): for a source whose first read should wait for the poller's first
    /// event (`Async::new_watched`). The same update as a `clear_ready` by an operation that
    /// read the starting tick.
    pub fn clear_start_read(&self) {
        self.clear_if(Direction::Read, Tick(0), 0);
    }

    /// A stream transfer in `dir` came back short (the buffer drained or filled): not ready any
    /// more, unless an event came since `tick` was read or `dir` has seen a hang-up.
    pub fn clear_drained(&self, dir: Direction, tick: Tick) {
        self.clear_if(dir, tick, dir.hup_bit());
    }

    /// Clears `dir`'s ready bit if the tick is `tick` and none of `keep_if` is set.
    fn clear_if(&self, dir: Direction, tick: Tick, keep_if: usize) {
        // AcqRel on success / Acquire on failure: the same word `fire` updates; no other data
        // is published through it.
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                (state & !FLAG_BITS == tick.0 && state & keep_if == 0).then_some(state & !dir.bit())
            });
    }

    /// An event: ready again in its directions (hang-ups noted), tick counted; every waiter of
    /// those directions goes onto `wakers` (to be woken once the caller holds no locks).
    pub fn fire(&self, event: IoEvent, wakers: &mut Vec<Waker>) {
        let bits = event.bits();
        if bits & (Direction::Read.bit() | Direction::Write.bit()) == 0 {
            return;
        }
        // AcqRel: the Release half pairs with the Acquire loads in `poll_ready`; the update
        // comes before the waiters' lock below (the no-lost-wake-up invariant).
        let _ = self
            .state
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |state| {
                Some((state | bits).wrapping_add(TICK_ONE))
            });
        let mut waiters = self.waiters();
        for dir in [Direction::Read, Direction::Write] {
            if bits & dir.bit() != 0 {
                waiters[dir as usize].drain_into(wakers);
            }
        }
    }

    /// The source's runtime closed: from now on `poll_ready` returns [`Closed`] (where it would
    /// have waited or reported ready), and every waiter goes onto `wakers` (to be woken once
    /// the caller holds no locks).
    pub fn close(&self, wakers: &mut Vec<Waker>) {
        // Release: pairs with the Acquire loads in `poll_ready`; set before the waiters' lock
        // below (the no-lost-wake-up invariant).
        self.state.fetch_or(CLOSED, Ordering::Release);
        self.take_wakers(wakers);
    }

    /// Moves every waiting waker onto `wakers` (the source is going away, or closed).
    pub fn take_wakers(&self, wakers: &mut Vec<Waker>) {
        let mut waiters = self.waiters();
        for list in waiters.iter_mut() {
            list.drain_into(wakers);
        }
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize as StdAtomicUsize;
    use std::task::Wake;

    const READABLE: IoEvent = IoEvent {
        readable: true,
        writable: false,
        read_hup: false,
        write_hup: false,
    };

    struct Count(StdAtomicUsize);

    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }

    fn counting_waker() -> (Arc<Count>, Waker) {
        let count = Arc::new(Count(StdAtomicUsize::new(0)));
        (count.clone(), Waker::from(count))
    }

    /// Clears the read readiness of a new `Readiness` (as a `WouldBlock` would).
    fn not_readable() -> Readiness {
        let readiness = Readiness::new();
        let (_, waker) = counting_waker();
        let Poll::Ready(Ok(tick)) =
            readiness.poll_ready(Direction::Read, &mut Context::from_waker(&waker))
        else {
            panic!("a new source starts ready");
        };
        readiness.clear_ready(Direction::Read, tick);
        readiness
    }

    fn wake(wakers: Vec<Waker>) {
        wakers.into_iter().for_each(Waker::wake);
    }

    #[test]
    fn every_waiter_of_a_direction_is_woken_by_its_event() {
        let readiness = not_readable();
        let counts: Vec<_> = (0..3)
            .map(|_| {
                let (count, waker) = counting_waker();
                let poll = readiness.poll_ready(Direction::Read, &mut Context::from_waker(&waker));
                assert!(poll.is_pending());
                count
            })
            .collect();
        let mut wakers = Vec::new();
        readiness.fire(READABLE, &mut wakers);
        assert_eq!(wakers.len(), 3);
        wake(wakers);
        for count in counts {
            assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        }
    }

    #[test]
    fn a_task_polled_again_while_it_waits_is_listed_once() {
        let readiness = not_readable();
        let (count, waker) = counting_waker();
        for _ in 0..5 {
            let mut cx = Context::from_waker(&waker);
            assert!(readiness.poll_ready(Direction::Read, &mut cx).is_pending());
        }
        let mut wakers = Vec::new();
        readiness.fire(READABLE, &mut wakers);
        assert_eq!(wakers.len(), 1);
        wake(wakers);
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn an_event_drains_the_list_and_leaves_the_other_direction_alone() {
        let readiness = not_readable();
        let (_, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(readiness.poll_ready(Direction::Read, &mut cx).is_pending());
        let mut wakers = Vec::new();
        readiness.fire(READABLE, &mut wakers);
        assert_eq!(wakers.len(), 1);
        wakers.clear();
        readiness.take_wakers(&mut wakers);
        assert!(wakers.is_empty(), "the event drained the list");
        assert!(readiness.poll_ready(Direction::Write, &mut cx).is_ready());
    }

    #[test]
    fn clear_start_read_keeps_an_event_that_came_first() {
        let (_, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let fresh = Readiness::new();
        fresh.clear_start_read();
        assert!(fresh.poll_ready(Direction::Read, &mut cx).is_pending());
        assert!(fresh.poll_ready(Direction::Write, &mut cx).is_ready());
        let fired = Readiness::new();
        fired.fire(READABLE, &mut Vec::new());
        fired.clear_start_read();
        assert!(fired.poll_ready(Direction::Read, &mut cx).is_ready());
    }

    #[test]
    fn close_wakes_every_waiter_and_later_polls_see_closed() {
        let readiness = not_readable();
        let (count, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(readiness.poll_ready(Direction::Read, &mut cx).is_pending());
        let mut wakers = Vec::new();
        readiness.close(&mut wakers);
        wake(wakers);
        assert_eq!(count.0.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Closed in both directions, the still-ready write direction included.
        assert_eq!(
            readiness.poll_ready(Direction::Read, &mut cx),
            Poll::Ready(Err(Closed))
        );
        assert_eq!(
            readiness.poll_ready(Direction::Write, &mut cx),
            Poll::Ready(Err(Closed))
        );
    }
}
