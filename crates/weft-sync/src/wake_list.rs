//! A batch of wakers taken out of waiters under a lock, woken after the lock is released.
//!
//! Waking under the lock would run user code (a waker) while holding it: a waker that polls
//! inline and touches the same primitive would deadlock, and a slow one would hold up every
//! other waiter. So a server collects up to [`WakeList::CAPACITY`] wakers, drops the lock,
//! wakes them, and takes the lock again for the rest.

use std::task::Waker;

/// Up to [`WakeList::CAPACITY`] wakers, woken together.
pub(crate) struct WakeList {
    wakers: [Option<Waker>; WakeList::CAPACITY],
    len: usize,
}

impl WakeList {
    /// How many wakers one batch holds.
    pub(crate) const CAPACITY: usize = 32;

    pub(crate) fn new() -> WakeList {
        WakeList {
            wakers: [const { None }; WakeList::CAPACITY],
            len: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == WakeList::CAPACITY
    }

    /// Adds a waker. The caller checks [`is_full`](WakeList::is_full) first.
    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(!self.is_full(), "a full WakeList must be woken first");
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    /// Wakes every waker in the batch and empties it. A panicking waker is caught, so it does
    /// not keep the others asleep (they were served: their permits or notifications are
    /// theirs, and only a wake-up makes them look).
    pub(crate) fn wake_all(&mut self) {
        let len = std::mem::take(&mut self.len);
        weft_core::unwind::wake_all(self.wakers[..len].iter_mut().filter_map(Option::take));
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // Normally empty by now; a batch abandoned by a panic is still woken.
        self.wake_all();
    }
}
