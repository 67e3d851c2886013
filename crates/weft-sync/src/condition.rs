//! `Condition`: asyncio.Condition in the shape of std's `Condvar`, used with [`Mutex`].

use crate::mutex::{Mutex, MutexGuard};
use crate::notify::{How, Notify};
use std::fmt;
use std::future::poll_fn;
use std::pin::pin;
use weft_core::coop;

/// A condition variable for async code (asyncio: `Condition`), used with a
/// [`Mutex`](crate::Mutex): a task waits, with the lock released, until another notifies it.
///
/// [`wait`](Condition::wait) takes the guard, releases the lock while it waits, and holds it
/// again when it returns. It joins the line before the lock is released, so a notification
/// sent by whoever takes the lock next reaches it. A notification sent while nobody waits is
/// not stored. Waiters are woken in the order they started waiting; a waiter dropped after it
/// was chosen by [`notify_one`](Condition::notify_one), before it holds the lock again,
/// passes the notification on. As with any condition variable, check the condition in a loop
/// ([`wait_while`](Condition::wait_while) does).
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::{Condition, Mutex};
///
/// weft::run(async {
///     let state = Arc::new((Mutex::new(Vec::new()), Condition::new()));
///     let consumer = weft::spawn({
///         let state = state.clone();
///         async move {
///             let (items, ready) = &*state;
///             let mut items = ready.wait_while(items.lock().await, |v| v.is_empty()).await;
///             items.pop()
///         }
///     });
///     let (items, ready) = &*state;
///     items.lock().await.push("job");
///     ready.notify_one();
///     assert_eq!(consumer.await.unwrap(), Some("job"));
/// });
/// ```
pub struct Condition {
    notify: Notify,
}

impl Condition {
    /// A condition variable with nobody waiting.
    pub fn new() -> Condition {
        Condition {
            notify: Notify::without_storing(),
        }
    }

    /// Releases the lock `guard` holds, waits for a notification, then takes the lock again
    /// and returns its guard.
    pub async fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let mutex: &'a Mutex<T> = MutexGuard::mutex(&guard);
        let mut notified = pin!(self.notify.notified());
        // In line before the lock is released: whoever takes it next and notifies finds us.
        let _ = notified.as_mut().enable();
        drop(guard);
        let how = poll_fn(|cx| {
            let coop = std::task::ready!(coop::poll_proceed(cx));
            let poll = notified.as_mut().poll_notified(Some(cx.waker()));
            if poll.is_ready() {
                coop.made_progress();
            }
            poll
        })
        .await;
        // The notification is ours now; until the lock is held again, a drop passes it on.
        let pass_on = PassOn {
            notify: &self.notify,
            armed: how == How::One,
        };
        let guard = mutex.lock().await;
        pass_on.disarm();
        guard
    }

    /// Waits while `condition` holds: checks it with the lock held, and
    /// [`wait`](Condition::wait)s again each time it is still true. Returns the guard once it
    /// is false.
    pub async fn wait_while<'a, T: ?Sized>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: impl FnMut(&mut T) -> bool,
    ) -> MutexGuard<'a, T> {
        while condition(&mut *guard) {
            guard = self.wait(guard).await;
        }
        guard
    }

    /// Wakes the first waiter, if any (nothing is stored when nobody waits).
    pub fn notify_one(&self) {
        self.notify.notify_one();
    }

    /// Wakes every current waiter.
    pub fn notify_all(&self) {
        self.notify.notify_waiters();
    }
}

/// Passes a `notify_one` on if the waiter that got it is dropped before it used it.
struct PassOn<'a> {
    notify: &'a Notify,
    armed: bool,
}

impl PassOn<'_> {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for PassOn<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.notify.notify_one();
        }
    }
}

impl Default for Condition {
    fn default() -> Self {
        Condition::new()
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition").finish_non_exhaustive()
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check<T: Send>(c: &Condition, m: &Mutex<T>) {
        send_sync::<Condition>();
        send(&async {
            let g = m.lock().await;
            let g = c.wait(g).await;
            drop(c.wait_while(g, |_| false).await);
        });
    }
};
