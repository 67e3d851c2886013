//! A watch channel: one value that many receivers look at, and are told when it changes.
//!
//! # How it is built
//!
//! The value sits behind a reader-writer lock; a version word counts the sends (in steps of 2)
//! and carries a closed bit (bit 0) set when the sender is dropped. A receiver remembers the
//! version it last saw. `changed` makes a `Notified` of the channel's `Notify` *before* it
//! reads the version, then waits on it: a send (or the sender's drop) bumps the version and
//! then calls `notify_waiters`, so a change after the read completes that `Notified`, and a
//! change before it is seen by the read.
//!
//! Orderings: the version is bumped with `Release` while the write lock is held (after the new
//! value is in), and read with `Acquire`, so a receiver that sees a version can borrow a value
//! at least that new.
//!
//! The lock is std's `RwLock`, except under `--cfg weft_loom`: weft-core's sync shim has
//! no reader-writer lock, so there the value sits behind the shim's `Mutex` (readers exclude
//! each other too, which the model does not rely on), and loom sees every lock and unlock
//! (`loom-tests/tests/sync_watch.rs`).

use self::value_lock::{ReadGuard, ValueLock};
use crate::notify::Notify;
use crate::sync::{AtomicU64, AtomicUsize};
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use weft_core::coop;

#[cfg(not(weft_loom))]
mod value_lock {
    use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

    pub(super) type ReadGuard<'a, T> = RwLockReadGuard<'a, T>;

    /// The value's lock: std's `RwLock`, poisoning ignored.
    pub(super) struct ValueLock<T>(RwLock<T>);

    impl<T> ValueLock<T> {
        pub(super) fn new(value: T) -> Self {
            ValueLock(RwLock::new(value))
        }

        pub(super) fn read(&self) -> ReadGuard<'_, T> {
            // No user code runs while the lock is held for writing (a swap); a panic in user
            // code holding a read guard poisons nothing we rely on.
            self.0.read().unwrap_or_else(|e| e.into_inner())
        }

        pub(super) fn write(&self) -> RwLockWriteGuard<'_, T> {
            self.0.write().unwrap_or_else(|e| e.into_inner())
        }
    }
}

#[cfg(weft_loom)]
mod value_lock {
    use crate::sync::{Mutex, MutexGuard};

    pub(super) type ReadGuard<'a, T> = MutexGuard<'a, T>;

    /// The value's lock under loom: the shim's `Mutex` (see the module doc).
    pub(super) struct ValueLock<T>(Mutex<T>);

    impl<T> ValueLock<T> {
        pub(super) fn new(value: T) -> Self {
            ValueLock(Mutex::new(value))
        }

        pub(super) fn read(&self) -> ReadGuard<'_, T> {
            self.0.lock()
        }

        pub(super) fn write(&self) -> MutexGuard<'_, T> {
            self.0.lock()
        }
    }
}

const CLOSED: u64 = 1;
const STEP: u64 = 2;

/// Makes a watch channel holding `init` (tokio: `watch::channel`). The receiver starts
/// having seen `init`.
///
/// ```
/// weft::run(async {
///     let (tx, mut rx) = weft::sync::watch::channel("starting");
///     weft::spawn(async move {
///         tx.send("ready").unwrap();
///     });
///     rx.changed().await.unwrap();
///     assert_eq!(*rx.borrow_and_update(), "ready");
/// });
/// ```
pub fn channel<T>(init: T) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        value: ValueLock::new(init),
        version: AtomicU64::new(0),
        receivers: AtomicUsize::new(1),
        changed: Notify::new(),
    });
    let rx = Receiver {
        shared: shared.clone(),
        seen: 0,
    };
    (Sender { shared }, rx)
}

struct Shared<T> {
    value: ValueLock<T>,
    version: AtomicU64,
    receivers: AtomicUsize,
    changed: Notify,
}

impl<T> Shared<T> {
    fn read(&self) -> ReadGuard<'_, T> {
        self.value.read()
    }
}

/// The sending side (one per channel).
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// A receiving side; clone it for more.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    /// The version this receiver last saw (without the closed bit).
    seen: u64,
}

/// A borrowed view of the current value; holds a read lock, so keep it short (never across an
/// `.await`: a send waits for it).
pub struct Ref<'a, T> {
    guard: ReadGuard<'a, T>,
}

impl<T> Deref for Ref<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.guard
    }
}

/// `send` found no receiver; the value is given back (`err.0`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

/// The sender is gone and the newest value was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError(());

impl<T> Sender<T> {
    /// Replaces the value and tells every receiver.
    ///
    /// # Errors
    ///
    /// [`SendError`] holding `value` when every receiver is gone (the value is not stored).
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        if self.shared.receivers.load(Ordering::Acquire) == 0 {
            return Err(SendError(value));
        }
        drop(self.send_replace(value));
        Ok(())
    }

    /// Replaces the value whether or not anyone receives, tells every receiver, and returns
    /// the old value.
    pub fn send_replace(&self, value: T) -> T {
        let old = {
            let mut slot = self.shared.value.write();
            let old = std::mem::replace(&mut *slot, value);
            // Release, under the write lock: pairs with the Acquire loads of receivers.
            self.shared.version.fetch_add(STEP, Ordering::Release);
            old
        };
        self.shared.changed.notify_waiters();
        old
    }

    /// The current value.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.read(),
        }
    }

    /// A new receiver that has seen the current value.
    pub fn subscribe(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::AcqRel);
        Receiver {
            seen: self.shared.version.load(Ordering::Acquire) & !CLOSED,
            shared: self.shared.clone(),
        }
    }

    /// How many receivers there are now.
    pub fn receiver_count(&self) -> usize {
        self.shared.receivers.load(Ordering::Acquire)
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.receiver_count() == 0
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        // Release: pairs with the receivers' Acquire loads.
        self.shared.version.fetch_or(CLOSED, Ordering::Release);
        self.shared.changed.notify_waiters();
    }
}

impl<T> Receiver<T> {
    /// The current value, without marking it seen.
    pub fn borrow(&self) -> Ref<'_, T> {
        Ref {
            guard: self.shared.read(),
        }
    }

    /// The current value, marking it seen: `changed` then waits for the next one.
    pub fn borrow_and_update(&mut self) -> Ref<'_, T> {
        let guard = self.shared.read();
        // Under the read lock: no send can come between this load and the value borrowed.
        self.seen = self.shared.version.load(Ordering::Acquire) & !CLOSED;
        Ref { guard }
    }

    /// Whether a value this receiver has not seen is there.
    ///
    /// # Errors
    ///
    /// [`RecvError`] when the sender is gone and the newest value was seen.
    pub fn has_changed(&self) -> Result<bool, RecvError> {
        let version = self.shared.version.load(Ordering::Acquire);
        if version & !CLOSED != self.seen {
            return Ok(true);
        }
        if version & CLOSED != 0 {
            return Err(RecvError(()));
        }
        Ok(false)
    }

    /// Waits for a value this receiver has not seen (at once if there is one) and marks it
    /// seen; read it with [`borrow`](Self::borrow).
    ///
    /// # Errors
    ///
    /// [`RecvError`] once the sender is gone and the newest value was seen.
    pub async fn changed(&mut self) -> Result<(), RecvError> {
        loop {
            // Made before the version is read: see the module doc.
            let notified = self.shared.changed.notified();
            let version = self.shared.version.load(Ordering::Acquire);
            if version & !CLOSED != self.seen {
                self.seen = version & !CLOSED;
                // Returning at once still spends the budget, so a loop here yields.
                std::future::poll_fn(|cx| coop::poll_proceed(cx).map(coop::Coop::made_progress))
                    .await;
                return Ok(());
            }
            if version & CLOSED != 0 {
                return Err(RecvError(()));
            }
            notified.await;
        }
    }

    /// Whether both receivers belong to the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl<T> Clone for Receiver<T> {
    /// Another receiver that has seen what this one has.
    fn clone(&self) -> Receiver<T> {
        self.shared.receivers.fetch_add(1, Ordering::AcqRel);
        Receiver {
            shared: self.shared.clone(),
            seen: self.seen,
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.shared.receivers.fetch_sub(1, Ordering::AcqRel);
    }
}

impl<T: fmt::Debug> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("value", &*self.borrow())
            .finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("value", &*self.borrow())
            .finish()
    }
}

impl<T: fmt::Debug> fmt::Debug for Ref<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch channel has no receiver")
    }
}

impl<T> std::error::Error for SendError<T> {}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the watch sender is gone")
    }
}

impl std::error::Error for RecvError {}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(rx: &mut Receiver<String>) {
        send_sync::<Sender<String>>();
        send_sync::<Receiver<String>>();
        send(&rx.changed());
    }
};
