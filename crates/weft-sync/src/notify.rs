//! `Notify`: wake one waiter (or store one wake-up for the next), or wake every current
//! waiter. The protocol is in `README.md` beside this file.
//!
//! # The state word
//!
//! | bits | meaning |
//! |---|---|
//! | 0-1 | status: `EMPTY`; `WAITING` (the list is not empty; set and cleared under the lock); `NOTIFIED` (one stored notification) |
//! | 2.. | generation: bumped by every `notify_waiters`, under the lock |
//!
//! `EMPTY <-> NOTIFIED` flips by compare-exchange without the lock (`notify_one` storing,
//! `notified` consuming); everything else changes under it.
//!
//! # A waiter's state
//!
//! `generation << 2 | how`: the generation it joined in, and `how` it was notified: `W_WAITING`
//! (not yet: it is linked), `W_ONE` (chosen by `notify_one`) or `W_ALL` (by `notify_waiters`);
//! the last two are final (see `list.rs`).

use crate::list::{WaitList, Waiter};
use crate::sync::{AtomicUsize, Mutex};
use crate::wake_list::WakeList;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};
use std::task::{Context, Poll, Waker, ready};
use weft_core::coop;

const STATUS: usize = 0b11;
const EMPTY: usize = 0;
const WAITING: usize = 1;
const NOTIFIED: usize = 2;
const GENERATION_ONE: usize = 1 << 2;
/// A generation, once shifted down: the 62 (or 30) bits above the status.
const GENERATION_MASK: usize = usize::MAX >> 2;

const W_WAITING: usize = 0;
const W_ONE: usize = 1;
const W_ALL: usize = 2;

fn generation(state: usize) -> usize {
    state >> 2
}

/// Whether a waiter that joined in generation `joined` is older than generation `now`
/// (compared on the wrapping circle, so a counter that wraps still orders recent values).
fn joined_before(joined: usize, now: usize) -> bool {
    let age = now.wrapping_sub(joined) & GENERATION_MASK;
    age != 0 && age <= GENERATION_MASK / 2
}

/// How a waiter was notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum How {
    /// By `notify_one`, or a stored notification: passed on if dropped unused.
    One,
    /// By `notify_waiters` (or a generation change seen directly).
    All,
}

fn how(waiter_state: usize) -> Option<How> {
    match waiter_state & STATUS {
        W_WAITING => None,
        W_ONE => Some(How::One),
        _ => Some(How::All),
    }
}

/// Wakes tasks: one at a time, storing a wake-up when nobody waits, or all current waiters.
///
/// - [`notify_one`](Notify::notify_one) wakes the first waiter, or, if nobody waits, stores
///   one notification for the next [`notified`](Notify::notified) (at most one is stored).
/// - [`notify_waiters`](Notify::notify_waiters) wakes every current waiter (including
///   `Notified` futures created but not yet polled) and stores nothing.
///
/// Waiters are woken in the order they started waiting. A `Notified` dropped after
/// `notify_one` chose it passes the notification on, to the next waiter or stored.
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::Notify;
///
/// weft::run(async {
///     let notify = Arc::new(Notify::new());
///     let waiter = weft::spawn({
///         let notify = notify.clone();
///         async move {
///             notify.notified().await;
///             "woken"
///         }
///     });
///     notify.notify_one(); // wakes the waiter, or is stored until it waits
///     assert_eq!(waiter.await.unwrap(), "woken");
/// });
/// ```
pub struct Notify {
    state: AtomicUsize,
    waiters: Mutex<WaitList>,
    /// `false` for `Condition`: a notification sent while nobody waits is dropped.
    stores: bool,
}

impl Notify {
    /// A `Notify` with nobody waiting and nothing stored.
    pub fn new() -> Notify {
        Notify::with_storing(true)
    }

    /// A `Notify` whose `notify_one` is dropped when nobody waits (`Condition`'s).
    pub(crate) fn without_storing() -> Notify {
        Notify::with_storing(false)
    }

    fn with_storing(stores: bool) -> Notify {
        Notify {
            state: AtomicUsize::new(EMPTY),
            waiters: Mutex::new(WaitList::new()),
            stores,
        }
    }

    /// A future that completes when notified. It counts as waiting for
    /// [`notify_waiters`](Notify::notify_waiters) from the moment it is created, and for
    /// [`notify_one`](Notify::notify_one) from its first poll (or
    /// [`enable`](Notified::enable)).
    pub fn notified(&self) -> Notified<'_> {
        // Acquire: pairs with the AcqRel bump in `notify_waiters`: a future created after a
        // bump (so it will not complete on it) sees what the notifier wrote before it, such as
        // the condition the caller is about to check.
        let state = self.state.load(Acquire);
        Notified {
            notify: self,
            waiter: Waiter::new(W_WAITING),
            stage: Stage::Init,
            generation: generation(state),
        }
    }

    /// Wakes the first waiter; if nobody waits, stores one notification for the next
    /// `notified()` (a second one is not stored on top).
    pub fn notify_one(&self) {
        if !self.try_store_or_skip() {
            return;
        }
        let mut list = self.waiters.lock();
        // Under the lock WAITING cannot change, so this look is final.
        if self.state.load(Acquire) & STATUS != WAITING {
            // Everyone left before we got the lock: store (or skip) after all. Still under
            // the lock, so nobody can start waiting meanwhile.
            let waiting = self.try_store_or_skip();
            debug_assert!(!waiting, "WAITING is set only under the lock");
            return;
        }
        let waker = list.pop_front(W_ONE);
        if list.is_empty() {
            self.list_emptied();
        }
        drop(list);
        if let Some(waker) = waker {
            weft_core::unwind::wake(waker);
        }
    }

    /// Without the lock: stores the notification (or drops it, for `Condition`) when nobody
    /// waits. Returns `true` when somebody waits: the caller must take the lock and pop.
    fn try_store_or_skip(&self) -> bool {
        let mut curr = self.state.load(Acquire);
        loop {
            match curr & STATUS {
                WAITING => return true,
                _ if !self.stores => return false,
                _ => {
                    // EMPTY or NOTIFIED: (re)store one. AcqRel: Release publishes the
                    // notifier's writes to the consumer (its Acquire exchange); Acquire keeps
                    // the exchange ordered after what it replaces.
                    let next = (curr & !STATUS) | NOTIFIED;
                    match self
                        .state
                        .compare_exchange_weak(curr, next, AcqRel, Acquire)
                    {
                        Ok(_) => return false,
                        Err(actual) => curr = actual,
                    }
                }
            }
        }
    }

    /// Wakes every current waiter (and every `Notified` created before this call), and stores
    /// nothing: a later `notified()` waits for the next notification.
    ///
    /// ```
    /// use weft::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let early = notify.notified(); // created before the call: it counts
    /// notify.notify_waiters();
    /// futures_lite::future::block_on(early);
    /// ```
    pub fn notify_waiters(&self) {
        let mut list = self.waiters.lock();
        // AcqRel: Release pairs with the Acquire in `notified()` (see there). Adding to the
        // generation bits leaves the status alone, so a stored notification survives.
        let prev = self.state.fetch_add(GENERATION_ONE, AcqRel);
        if prev & STATUS != WAITING {
            return;
        }
        let now = generation(prev.wrapping_add(GENERATION_ONE));
        loop {
            let mut wakers = WakeList::new();
            let mut done = true;
            while let Some(state) = list.front_state() {
                if !joined_before(generation(state), now) {
                    // Joined after the bump (during an earlier batch's wake-ups): not ours.
                    break;
                }
                if wakers.is_full() {
                    done = false;
                    break;
                }
                if let Some(waker) = list.pop_front(W_ALL) {
                    wakers.push(waker);
                }
            }
            if list.is_empty() {
                self.list_emptied();
            }
            drop(list);
            wakers.wake_all();
            if done {
                return;
            }
            // Waiters that join meanwhile do so behind the ones still to wake (FIFO), with the
            // new generation: the loop stops at them.
            list = self.waiters.lock();
        }
    }

    /// The list just became empty (we hold the lock): WAITING goes back to EMPTY.
    fn list_emptied(&self) {
        let curr = self.state.load(Relaxed);
        if curr & STATUS == WAITING {
            // A store is enough: while WAITING is set, nobody changes the word without the
            // lock. Release: pairs with the Acquire loads of notifiers and new waiters.
            self.state.store(curr & !STATUS, Release);
        }
    }
}

impl Default for Notify {
    fn default() -> Self {
        Notify::new()
    }
}

impl fmt::Debug for Notify {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match self.state.load(Relaxed) & STATUS {
            EMPTY => "empty",
            WAITING => "waiting",
            _ => "notified",
        };
        f.debug_struct("Notify").field("status", &status).finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Not in line yet.
    Init,
    /// In line (the waiter may be linked).
    Waiting,
    /// Returned, or found notified.
    Done,
}

/// Completes when its [`Notify`] notifies it; made by [`Notify::notified`].
///
/// Dropping it after `notify_one` chose it passes the notification on.
#[must_use = "futures do nothing unless awaited"]
pub struct Notified<'a> {
    notify: &'a Notify,
    waiter: Waiter,
    stage: Stage,
    /// The notify's generation when this future was made.
    generation: usize,
}

impl Notified<'_> {
    /// Joins the line now, without waiting to be polled, so that a `notify_one` from here on
    /// chooses this future. Returns `true` if it was notified already.
    ///
    /// ```
    /// use std::pin::pin;
    /// use weft::sync::Notify;
    ///
    /// let notify = Notify::new();
    /// let mut first = pin!(notify.notified());
    /// let mut second = pin!(notify.notified());
    /// assert!(!second.as_mut().enable()); // second joins first
    /// assert!(!first.as_mut().enable());
    /// notify.notify_one();
    /// futures_lite::future::block_on(second); // the first in line was chosen
    /// ```
    pub fn enable(self: Pin<&mut Self>) -> bool {
        self.poll_notified(None).is_ready()
    }

    /// Polls without the budget; `waker` is `None` for `enable`.
    pub(crate) fn poll_notified(self: Pin<&mut Self>, waker: Option<&Waker>) -> Poll<How> {
        // SAFETY: `waiter` is never moved out of the pinned future; the other fields are
        // plain data.
        let this = unsafe { self.get_unchecked_mut() };
        let poll = match this.stage {
            Stage::Init => this.poll_init(waker),
            Stage::Waiting => this.poll_waiting(waker),
            Stage::Done => Poll::Ready(How::All),
        };
        if poll.is_ready() {
            this.stage = Stage::Done;
        }
        poll
    }

    fn poll_init(&mut self, waker: Option<&Waker>) -> Poll<How> {
        let notify = self.notify;
        let curr = notify.state.load(Acquire);
        if generation(curr) != self.generation {
            return Poll::Ready(How::All);
        }
        if curr & STATUS == NOTIFIED && self.consume(curr) {
            return Poll::Ready(How::One);
        }
        let mut list = notify.waiters.lock();
        // Under the lock the generation and WAITING cannot change; EMPTY <-> NOTIFIED can.
        let mut curr = notify.state.load(Acquire);
        loop {
            if generation(curr) != self.generation {
                return Poll::Ready(How::All);
            }
            match curr & STATUS {
                NOTIFIED => {
                    if self.consume(curr) {
                        return Poll::Ready(How::One);
                    }
                    curr = notify.state.load(Acquire);
                }
                EMPTY => {
                    // Acquire: orders this after the notifier's stores it may race with;
                    // Release: publishes WAITING to notifiers, which then take the lock.
                    match notify.state.compare_exchange_weak(
                        curr,
                        (curr & !STATUS) | WAITING,
                        AcqRel,
                        Acquire,
                    ) {
                        Ok(_) => break,
                        Err(actual) => curr = actual,
                    }
                }
                _ => break, // WAITING: others are in line already.
            }
        }
        // SAFETY: `waiter` is pinned inside this future, whose destructor removes it while it
        // is linked (`Drop for Notified`); the list is only used under its lock, held.
        let waiter = unsafe { Pin::new_unchecked(&self.waiter) };
        // SAFETY: as above.
        unsafe { list.push_back(waiter, self.generation << 2 | W_WAITING, waker.cloned()) };
        self.stage = Stage::Waiting;
        Poll::Pending
    }

    /// Takes the stored notification (`curr` has NOTIFIED); `false` if it changed meanwhile.
    fn consume(&self, curr: usize) -> bool {
        // Acquire: pairs with the Release of the notify_one that stored it.
        self.notify
            .state
            .compare_exchange(curr, curr & !STATUS, Acquire, Relaxed)
            .is_ok()
    }

    fn poll_waiting(&mut self, waker: Option<&Waker>) -> Poll<How> {
        if let Some(how) = how(self.waiter.state()) {
            return Poll::Ready(how);
        }
        let mut list = self.notify.waiters.lock();
        if let Some(how) = how(self.waiter.state()) {
            return Poll::Ready(how);
        }
        let old = match waker {
            // SAFETY: the state is not final, so the waiter is linked here; lock held.
            Some(waker) => unsafe { list.set_waker(&self.waiter, waker) },
            None => None,
        };
        drop(list);
        drop(old);
        Poll::Pending
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let coop = ready!(coop::poll_proceed(cx));
        let poll = self.poll_notified(Some(cx.waker()));
        if poll.is_ready() {
            coop.made_progress();
        }
        poll.map(|_| ())
    }
}

impl Drop for Notified<'_> {
    fn drop(&mut self) {
        if self.stage != Stage::Waiting {
            return;
        }
        let mut state = self.waiter.state();
        if how(state).is_none() {
            let mut list = self.notify.waiters.lock();
            state = self.waiter.state();
            if how(state).is_none() {
                // SAFETY: the state is not final, so the waiter is linked here; lock held.
                let waker = unsafe { list.remove(&self.waiter) };
                if list.is_empty() {
                    self.notify.list_emptied();
                }
                drop(list);
                drop(waker);
                return;
            }
        }
        if how(state) == Some(How::One) {
            // Chosen by notify_one but never returned: the notification goes to the next
            // waiter, or is stored (not for Condition).
            self.notify.notify_one();
        }
    }
}

impl fmt::Debug for Notified<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notified")
            .field("stage", &self.stage)
            .finish_non_exhaustive()
    }
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Notify>();
    send_sync::<Notified<'_>>();
};
