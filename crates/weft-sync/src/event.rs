//! `Event`: asyncio.Event, a flag that tasks wait to see set.

use crate::notify::Notify;
use crate::sync::AtomicBool;
use std::fmt;
use std::future::poll_fn;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};
use weft_core::coop;

/// A flag that tasks can wait for (asyncio: `Event`).
///
/// [`set`](Event::set) wakes every waiter; while the flag is set, [`wait`](Event::wait)
/// returns at once. [`clear`](Event::clear) makes later waits wait again.
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::Event;
///
/// weft::run(async {
///     let ready = Arc::new(Event::new());
///     let waiter = weft::spawn({
///         let ready = ready.clone();
///         async move { ready.wait().await }
///     });
///     ready.set();
///     waiter.await.unwrap();
///     assert!(ready.is_set());
/// });
/// ```
pub struct Event {
    flag: AtomicBool,
    notify: Notify,
}

impl Event {
    /// An event that is not set.
    pub fn new() -> Event {
        Event {
            flag: AtomicBool::new(false),
            notify: Notify::new(),
        }
    }

    /// Sets the flag and wakes every waiter (each returns, even if the flag is cleared again
    /// before it runs).
    pub fn set(&self) {
        // AcqRel: Release publishes the setter's writes to waiters that see the flag; the
        // `notify_waiters` bump after it is what a waiter that missed the flag sees instead.
        if !self.flag.swap(true, AcqRel) {
            self.notify.notify_waiters();
        }
        // Already set: nobody can be waiting on this setting of the flag; the set that
        // stored `true` wakes whoever checked before it.
    }

    /// Clears the flag: later waits wait for the next `set`.
    pub fn clear(&self) {
        // Release: pairs with the Acquire in `is_set`.
        self.flag.store(false, Release);
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        // Acquire: pairs with the Release of `set`.
        self.flag.load(Acquire)
    }

    /// Waits until the flag is set; returns at once while it is set.
    pub async fn wait(&self) {
        // Made before the flag is read: a `set` after the read bumps the generation this
        // future recorded, so it completes; a `set` before it is seen by the read (see the
        // Acquire in `notified` and `Event::set`).
        let notified = self.notify.notified();
        if self.is_set() {
            // Returning at once still spends the budget, so a loop over a set event yields.
            poll_fn(|cx| coop::poll_proceed(cx).map(coop::Coop::made_progress)).await;
            return;
        }
        notified.await;
    }
}

impl Default for Event {
    fn default() -> Self {
        Event::new()
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Event")
            .field("is_set", &self.is_set())
            .finish()
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(event: &Event) {
        send_sync::<Event>();
        send(&event.wait());
    }
};
