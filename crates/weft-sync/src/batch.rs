//! The batch semaphore: a count of permits plus the waiter list, which `Semaphore`, `Mutex`
//! and `RwLock` are made of (and the bounded channels' slots will be). A request may ask for
//! many permits at once; requests are served in the order they started waiting, and the one at
//! the head is never overtaken. See `README.md` beside this file for the protocol and why no
//! permit and no wake-up is lost.
//!
//! # The permits word
//!
//! | bits | name | meaning |
//! |---|---|---|
//! | 0 | `CLOSED` | `close` was called: every acquire fails from then on |
//! | 1 | `QUEUED` | the waiter list is not empty; set and cleared only under the list's lock |
//! | 2.. | permits | how many permits are free |
//!
//! # Invariants
//!
//! - `QUEUED` is set exactly while the list is not empty (both change under the lock).
//! - While `QUEUED` is set (and `CLOSED` is not), no permit is free: the waiter that set it took
//!   every free permit in the same compare-exchange, and while it stays set permits are added
//!   only under the lock, where they are granted to the waiters first. So a new request never
//!   overtakes a waiter. (After `CLOSED`, permits given back while `close` still pops waiters
//!   are freed, not granted: nobody can take them but `available_permits` counts them.)
//! - Only the first waiter ever holds part of its request (a partial grant); a waiter that
//!   joined behind others took nothing (no permit was free).
//! - Every permit is, at each moment, exactly one of: free in the word, held by a caller (a
//!   permit, a guard), granted to a waiter (all of its request, or part for the first), or in
//!   the hands of a thread inside [`BatchSemaphore::release`] about to grant or store it.
//!
//! # A waiter's state
//!
//! `remaining << 1 | CLOSED_FLAG`: how many permits it still needs, and whether `close` popped
//! it. `0` (nothing needed, not closed) means served; `CLOSED_FLAG` set means popped by `close`.
//! Both are final (see `list.rs`).

use crate::list::{WaitList, Waiter};
use crate::sync::{AtomicUsize, Mutex, MutexGuard};
use crate::wake_list::WakeList;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::{self, Relaxed, Release};
use std::task::{Context, Poll, ready};
use weft_core::coop;

const CLOSED: usize = 1;
const QUEUED: usize = 2;
const SHIFT: usize = 2;

/// The most permits a semaphore can hold.
pub(crate) const MAX_PERMITS: usize = usize::MAX >> 3;

/// Set in a waiter's state by `close`.
const CLOSED_FLAG: usize = 1;
/// A waiter's final state once it holds its whole request.
const SERVED: usize = 0;

/// Why a try-acquire took nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TryTake {
    Closed,
    NoPermits,
}

/// The semaphore was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// Permits and the waiters for them.
pub(crate) struct BatchSemaphore {
    permits: AtomicUsize,
    waiters: Mutex<WaitList>,
}

impl BatchSemaphore {
    /// A semaphore with `permits` free permits.
    ///
    /// # Panics
    ///
    /// When `permits` is more than [`MAX_PERMITS`].
    #[track_caller]
    pub(crate) fn new(permits: usize) -> BatchSemaphore {
        assert!(
            permits <= MAX_PERMITS,
            "a semaphore holds at most {MAX_PERMITS} permits, not {permits}"
        );
        BatchSemaphore {
            permits: AtomicUsize::new(permits << SHIFT),
            waiters: Mutex::new(WaitList::new()),
        }
    }

    /// Free permits now.
    pub(crate) fn available_permits(&self) -> usize {
        // Relaxed: a snapshot for the caller; it acquires nothing.
        self.permits.load(Relaxed) >> SHIFT
    }

    pub(crate) fn is_closed(&self) -> bool {
        // Acquire: pairs with the Release in `close`.
        self.permits.load(Ordering::Acquire) & CLOSED != 0
    }

    /// Takes `n` permits if they are free and nobody waits.
    pub(crate) fn try_acquire(&self, n: usize) -> Result<(), TryTake> {
        let mut curr = self.permits.load(Relaxed);
        loop {
            if curr & CLOSED != 0 {
                return Err(TryTake::Closed);
            }
            if n == 0 {
                return Ok(());
            }
            // QUEUED means nothing is free (module doc); checking it too keeps that obvious.
            if curr & QUEUED != 0 || curr >> SHIFT < n {
                return Err(TryTake::NoPermits);
            }
            // Acquire: pairs with the Release of whoever freed these permits, so this caller
            // sees what the previous holders did (a lock's data).
            match self.permits.compare_exchange_weak(
                curr,
                curr - (n << SHIFT),
                Ordering::Acquire,
                Relaxed,
            ) {
                Ok(_) => return Ok(()),
                Err(actual) => curr = actual,
            }
        }
    }

    /// A future that waits for `n` permits.
    ///
    /// # Panics
    ///
    /// When `n` is more than [`MAX_PERMITS`] (it could never be served).
    #[track_caller]
    pub(crate) fn acquire(&self, n: usize) -> Acquire<'_> {
        assert!(
            n <= MAX_PERMITS,
            "a semaphore holds at most {MAX_PERMITS} permits; {n} can never be acquired"
        );
        Acquire {
            semaphore: self,
            waiter: Waiter::new(SERVED),
            needed: n,
            queued: false,
        }
    }

    /// Gives `n` permits back (or adds new ones): to the waiters first, in order, and the rest
    /// to the free count.
    ///
    /// # Panics
    ///
    /// When the free count would exceed [`MAX_PERMITS`].
    #[track_caller]
    pub(crate) fn release(&self, n: usize) {
        if n == 0 {
            return;
        }
        let mut curr = self.permits.load(Relaxed);
        loop {
            if curr & QUEUED != 0 {
                // Somebody waits: the permits are theirs, under the lock.
                return self.grant_locked(n, self.waiters.lock());
            }
            let next = add_free(curr, n);
            // Release: pairs with the Acquire of whoever takes these permits. A failed exchange
            // may mean a waiter just set QUEUED: look again.
            match self
                .permits
                .compare_exchange_weak(curr, next, Release, Relaxed)
            {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
    }

    /// Closes the semaphore: every waiter is woken and fails, and so does every later acquire.
    /// Permits given back later are still counted.
    pub(crate) fn close(&self) {
        let mut list = self.waiters.lock();
        // Under the lock, so no acquire can queue after this (it checks CLOSED under the lock).
        // Release: pairs with the Acquire in `is_closed` and the acquire paths.
        self.permits.fetch_or(CLOSED, Release);
        loop {
            let mut wakers = WakeList::new();
            while !wakers.is_full() {
                let Some(state) = list.front_state() else {
                    break;
                };
                if let Some(waker) = list.pop_front(state | CLOSED_FLAG) {
                    wakers.push(waker);
                }
            }
            if list.is_empty() {
                self.list_emptied(0);
                drop(list);
                wakers.wake_all();
                return;
            }
            // More than one batch: wake this one outside the lock. No waiter can join
            // meanwhile (CLOSED is set), and one that leaves removes itself.
            drop(list);
            wakers.wake_all();
            list = self.waiters.lock();
        }
    }

    /// Grants `n` permits to the waiters in order, then frees what is left once nobody waits.
    /// Takes the lock's guard and releases it.
    fn grant_locked<'a>(&'a self, mut n: usize, mut list: MutexGuard<'a, WaitList>) {
        // CLOSED changes only under the lock, so this holds for the whole call. Permits given
        // back while `close` is still popping waiters (a closed waiter's partial grant) are not
        // granted to the waiters it is about to fail: they are freed, and QUEUED stays until
        // `close` empties the list.
        if self.permits.load(Relaxed) & CLOSED != 0 {
            let clear = if list.is_empty() { QUEUED } else { 0 };
            self.free_locked(n, clear);
            return;
        }
        loop {
            let mut wakers = WakeList::new();
            while n > 0 && !wakers.is_full() {
                let Some(state) = list.front_state() else {
                    break;
                };
                let needed = state >> 1;
                debug_assert!(
                    state & CLOSED_FLAG == 0 && needed > 0,
                    "a final state in line"
                );
                if needed <= n {
                    n -= needed;
                    if let Some(waker) = list.pop_front(SERVED) {
                        wakers.push(waker);
                    }
                } else {
                    // A partial grant: the first waiter keeps its place and holds `n` more.
                    list.set_front_state((needed - n) << 1);
                    n = 0;
                }
            }
            if list.is_empty() {
                self.list_emptied(n);
                drop(list);
                wakers.wake_all();
                return;
            }
            if n == 0 {
                drop(list);
                wakers.wake_all();
                return;
            }
            // The batch is full and permits are left: wake it outside the lock, then go on.
            // The `n` permits stay in our hands meanwhile, and QUEUED keeps new requests behind
            // the waiters still in line.
            drop(list);
            wakers.wake_all();
            list = self.waiters.lock();
        }
    }

    /// The list is empty (we hold the lock): clear QUEUED and free `leftover`.
    fn list_emptied(&self, leftover: usize) {
        self.free_locked(leftover, QUEUED);
    }

    /// Under the lock: frees `n` permits and clears the bits in `clear`.
    fn free_locked(&self, n: usize, clear: usize) {
        // Release: the freed permits carry the releaser's writes to their next taker (its
        // Acquire in `try_acquire` or `poll_first`). A read-modify-write, not a store: when
        // QUEUED is already clear, acquirers and releasers outside the lock change the word.
        let mut curr = self.permits.load(Relaxed);
        loop {
            let next = add_free(curr & !clear, n);
            match self
                .permits
                .compare_exchange_weak(curr, next, Release, Relaxed)
            {
                Ok(_) => return,
                Err(actual) => curr = actual,
            }
        }
    }

    /// The first poll of an acquire: take the permits, or join the line.
    fn poll_first(
        &self,
        n: usize,
        waiter: Pin<&Waiter>,
        cx: &Context<'_>,
    ) -> Poll<Result<(), Closed>> {
        match self.try_acquire(n) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(TryTake::Closed) => return Poll::Ready(Err(Closed)),
            Err(TryTake::NoPermits) => {}
        }
        let mut list = self.waiters.lock();
        // Under the lock the word's QUEUED and CLOSED bits cannot change; free permits can
        // (releasers and acquirers outside the lock), so every change is an exchange.
        let mut curr = self.permits.load(Relaxed);
        let remaining = loop {
            if curr & CLOSED != 0 {
                return Poll::Ready(Err(Closed));
            }
            let free = curr >> SHIFT;
            let (next, remaining) = if free >= n {
                (curr - (n << SHIFT), 0)
            } else {
                // Take every free permit and join the line.
                (QUEUED, n - free)
            };
            // Acquire: pairs with the Release of whoever freed the permits taken here.
            match self
                .permits
                .compare_exchange_weak(curr, next, Ordering::Acquire, Relaxed)
            {
                Ok(_) => break remaining,
                Err(actual) => curr = actual,
            }
        };
        if remaining == 0 {
            return Poll::Ready(Ok(()));
        }
        // SAFETY: the waiter is pinned inside the `Acquire` future, whose destructor removes
        // it while it is linked (`Acquire::drop`); this list is only used under its lock, held.
        unsafe { list.push_back(waiter, remaining << 1, Some(cx.waker().clone())) };
        Poll::Pending
    }

    /// A later poll: served, closed, or still waiting (then the waker is refreshed).
    fn poll_queued(&self, n: usize, waiter: &Waiter, cx: &Context<'_>) -> Poll<Result<(), Closed>> {
        let mut state = waiter.state();
        if !is_final(state) {
            let mut list = self.waiters.lock();
            state = waiter.state();
            if !is_final(state) {
                // SAFETY: the state is not final, so the waiter is linked in this list; lock held.
                let old = unsafe { list.set_waker(waiter, cx.waker()) };
                drop(list);
                drop(old);
                return Poll::Pending;
            }
        }
        Poll::Ready(self.finish(n, state))
    }

    /// What the final `state` of a waiter that asked for `n` means. A waiter closed with a
    /// partial grant gives it back. Called without the lock.
    fn finish(&self, n: usize, state: usize) -> Result<(), Closed> {
        if state == SERVED {
            Ok(())
        } else {
            self.release(n - (state >> 1));
            Err(Closed)
        }
    }

    /// The future of a waiter that joined the line is dropped before it returned.
    fn leave(&self, n: usize, waiter: &Waiter) {
        let mut state = waiter.state();
        if !is_final(state) {
            let mut list = self.waiters.lock();
            state = waiter.state();
            if !is_final(state) {
                // Still in line: leave it, and pass on what was granted so far (only the first
                // waiter can hold a partial grant).
                // SAFETY: the state is not final, so the waiter is linked here; lock held.
                let waker = unsafe { list.remove(waiter) };
                let granted = n - (state >> 1);
                if granted > 0 {
                    self.grant_locked(granted, list);
                } else if list.is_empty() {
                    self.list_emptied(0);
                    drop(list);
                } else {
                    drop(list);
                }
                drop(waker);
                return;
            }
            drop(list);
        }
        // Served (or closed holding a partial grant) but never returned: pass the permits on.
        let granted = if state == SERVED { n } else { n - (state >> 1) };
        self.release(granted);
    }
}

/// Whether a waiter's state is final: it was popped (served or closed) and is unlinked.
fn is_final(state: usize) -> bool {
    state == SERVED || state & CLOSED_FLAG != 0
}
/// `curr` with `n` more free permits.
#[track_caller]
fn add_free(curr: usize, n: usize) -> usize {
    let free = (curr >> SHIFT)
        .checked_add(n)
        .filter(|&free| free <= MAX_PERMITS)
        .unwrap_or_else(|| panic!("a semaphore holds at most {MAX_PERMITS} permits"));
    (free << SHIFT) | (curr & (CLOSED | QUEUED))
}

impl fmt::Debug for BatchSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Semaphore")
            .field("available_permits", &self.available_permits())
            .field("closed", &self.is_closed())
            .finish()
    }
}

/// Waits for permits of a [`BatchSemaphore`]; on `Ready(Ok)` the caller holds them.
///
/// Dropping it while it waits gives back whatever it was granted, to the next waiters.
pub(crate) struct Acquire<'a> {
    semaphore: &'a BatchSemaphore,
    waiter: Waiter,
    needed: usize,
    /// The waiter joined the line and the future has not returned yet.
    queued: bool,
}

impl Future for Acquire<'_> {
    type Output = Result<(), Closed>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = ready!(coop::poll_proceed(cx));
        // SAFETY: `waiter` is never moved out of the pinned future (it is only reached through
        // `Pin<&Waiter>` or `&Waiter`); the other fields are plain data.
        let this = unsafe { self.get_unchecked_mut() };
        // SAFETY: `this.waiter` is pinned because `self` is.
        let waiter = unsafe { Pin::new_unchecked(&this.waiter) };
        let poll = if this.queued {
            this.semaphore.poll_queued(this.needed, &this.waiter, cx)
        } else {
            let poll = this.semaphore.poll_first(this.needed, waiter, cx);
            this.queued = poll.is_pending();
            poll
        };
        if poll.is_ready() {
            this.queued = false;
            coop.made_progress();
        }
        poll
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if self.queued {
            self.semaphore.leave(self.needed, &self.waiter);
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("needed", &self.needed)
            .field("queued", &self.queued)
            .finish_non_exhaustive()
    }
}
