//! `RwLock`: many readers or one writer, with writers never starved.

use crate::TryLockError;
use crate::batch::BatchSemaphore;
use crate::blocking;
use crate::sync::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};

/// How many readers may hold the lock at once; a writer takes all of these permits.
const MAX_READS: u32 = u32::MAX >> 3;

/// A reader-writer lock for async code: many readers at once, or one writer.
///
/// It is [`MAX_READS`](RwLock::MAX_READS) permits of a fair semaphore: a read takes one, a
/// write takes them all. Because the waiter at the head of the line is never overtaken, a
/// writer that waits makes every later reader wait behind it: writers are never starved. A
/// panic while a guard is held does not poison the lock.
///
/// ```
/// use weft::sync::RwLock;
///
/// weft::run(async {
///     let lock = RwLock::new(5);
///     {
///         let a = lock.read().await;
///         let b = lock.read().await; // many readers at once
///         assert_eq!(*a + *b, 10);
///     }
///     *lock.write().await += 1;
///     assert_eq!(*lock.read().await, 6);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    semaphore: BatchSemaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the value moves with the lock.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: readers share `&T` across threads (so `T: Sync`), a writer gets `&mut T` from
// whichever thread holds the write guard (so `T: Send`); the semaphore keeps the two apart.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// A new, unlocked lock holding `value`.
    pub fn new(value: T) -> RwLock<T> {
        RwLock {
            semaphore: BatchSemaphore::new(MAX_READS as usize),
            value: UnsafeCell::new(value),
        }
    }

    /// The value, taking the lock apart.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// How many readers may hold the lock at once.
    pub const MAX_READS: u32 = MAX_READS;

    /// Waits for shared access. Waits behind a waiting writer, even while other readers hold
    /// the lock.
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        if self.semaphore.acquire(1).await.is_err() {
            unreachable!("an RwLock's semaphore is never closed");
        }
        RwLockReadGuard {
            lock: self,
            _value: PhantomData,
        }
    }

    /// Waits for exclusive access.
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        if self.semaphore.acquire(MAX_READS as usize).await.is_err() {
            unreachable!("an RwLock's semaphore is never closed");
        }
        RwLockWriteGuard {
            lock: self,
            _value: PhantomData,
        }
    }

    /// Takes shared access if it is free now (no writer holds or waits for the lock).
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire(1) {
            Ok(()) => Ok(RwLockReadGuard {
                lock: self,
                _value: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes exclusive access if nobody holds or waits for the lock.
    ///
    /// ```
    /// use weft::sync::RwLock;
    ///
    /// let lock = RwLock::new(0);
    /// let reader = lock.try_read().unwrap();
    /// assert!(lock.try_write().is_err());
    /// drop(reader);
    /// *lock.try_write().unwrap() = 1;
    /// assert_eq!(lock.into_inner(), 1);
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire(MAX_READS as usize) {
            Ok(()) => Ok(RwLockWriteGuard {
                lock: self,
                _value: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Waits for shared access by parking this thread.
    ///
    /// # Panics
    ///
    /// On a thread that drives a weft runtime, with a message that says to use
    /// [`read`](RwLock::read) instead.
    #[track_caller]
    pub fn blocking_read(&self) -> RwLockReadGuard<'_, T> {
        blocking::wait(self.read(), "RwLock::blocking_read", "RwLock::read().await")
    }

    /// Waits for exclusive access by parking this thread.
    ///
    /// # Panics
    ///
    /// On a thread that drives a weft runtime, with a message that says to use
    /// [`write`](RwLock::write) instead.
    #[track_caller]
    pub fn blocking_write(&self) -> RwLockWriteGuard<'_, T> {
        blocking::wait(
            self.write(),
            "RwLock::blocking_write",
            "RwLock::write().await",
        )
    }

    /// The value, through exclusive access to the lock (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("value", &&*guard),
            Err(_) => d.field("value", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared access to an [`RwLock`]'s value; released when dropped.
#[must_use = "the lock is released at once if the guard is not held"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// `Send` and `Sync` iff `T: Sync` (the guard hands out `&T`).
    _value: PhantomData<&'a T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read permit, so no writer holds the lock and only shared
        // references to the value exist.
        self.lock.value.with(|v| unsafe { &*v })
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive access to an [`RwLock`]'s value; released when dropped.
#[must_use = "the lock is released at once if the guard is not held"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// `Send` iff `T: Send`, `Sync` iff `T: Sync` (the guard hands out `&mut T`).
    _value: PhantomData<&'a mut T>,
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds every permit, so no other reference to the value exists.
        self.lock.value.with(|v| unsafe { &*v })
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, borrowed exclusively.
        self.lock.value.with_mut(|v| unsafe { &mut *v })
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.semaphore.release(MAX_READS as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check<T: Send + Sync>(lock: &RwLock<T>) {
        send_sync::<RwLock<T>>();
        send_sync::<RwLockReadGuard<'_, T>>();
        send_sync::<RwLockWriteGuard<'_, T>>();
        send(&lock.read());
        send(&lock.write());
    }
};
