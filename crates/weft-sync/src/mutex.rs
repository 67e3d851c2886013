//! `Mutex`: asyncio.Lock holding a value, whose guard can be held across `.await`.

use crate::batch::BatchSemaphore;
use crate::blocking;
use crate::sync::UnsafeCell;
use std::fmt;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A mutual-exclusion lock for async code (asyncio: `Lock`), holding the value it protects.
///
/// Unlike `std::sync::Mutex`, its guard can be held across `.await`: a task waiting for the
/// lock yields instead of blocking its thread. Waiters get the lock in the order they asked
/// for it. A panic while the guard is held does not poison the lock. Under the hood it is one
/// permit of a semaphore (see [`Semaphore`](crate::Semaphore)).
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::Mutex;
///
/// weft::run(async {
///     let count = Arc::new(Mutex::new(0));
///     let tasks: Vec<_> = (0..10)
///         .map(|_| {
///             let count = count.clone();
///             weft::spawn(async move {
///                 let mut n = count.lock().await;
///                 weft::task::yield_now().await; // still held across the await
///                 *n += 1;
///             })
///         })
///         .collect();
///     weft::join_all(tasks).await;
///     assert_eq!(*count.lock().await, 10);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    semaphore: BatchSemaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the value moves with the mutex, so `T: Send` is enough to send it.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: the semaphore's one permit gives one thread at a time access to the value (through a
// guard), so sharing the mutex only ever moves `T` between threads: `T: Send` is enough, as for
// `std::sync::Mutex`.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// [`Mutex::try_lock`] (or `RwLock::try_read` / `try_write`) found the lock held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is held")
    }
}

impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    /// A new, unlocked mutex holding `value`.
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            semaphore: BatchSemaphore::new(1),
            value: UnsafeCell::new(value),
        }
    }

    /// The value, taking the mutex apart.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock (asyncio: `async with lock`). Spends the task's cooperative budget,
    /// so a task that keeps taking a free lock still lets others run.
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        self.acquire().await;
        MutexGuard {
            mutex: self,
            _value: PhantomData,
        }
    }

    /// Waits for the lock, through an `Arc` (a guard that can move into a task).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft::sync::Mutex;
    ///
    /// weft::run(async {
    ///     let data = Arc::new(Mutex::new(vec![1]));
    ///     let mut guard = data.clone().lock_owned().await;
    ///     weft::spawn(async move { guard.push(2) }).await.unwrap();
    ///     assert_eq!(*data.lock().await, [1, 2]);
    /// });
    /// ```
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        self.acquire().await;
        OwnedMutexGuard {
            mutex: self,
            _value: PhantomData,
        }
    }

    async fn acquire(&self) {
        if self.semaphore.acquire(1).await.is_err() {
            unreachable!("a mutex's semaphore is never closed");
        }
    }

    /// Takes the lock if it is free now (and nobody waits for it).
    ///
    /// ```
    /// use weft::sync::Mutex;
    ///
    /// let m = Mutex::new(1);
    /// let guard = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(guard);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire(1) {
            Ok(()) => Ok(MutexGuard {
                mutex: self,
                _value: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Takes the lock if it is free now, through an `Arc`.
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        match self.semaphore.try_acquire(1) {
            Ok(()) => Ok(OwnedMutexGuard {
                mutex: self,
                _value: PhantomData,
            }),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Waits for the lock by parking this thread: for plain threads (and `spawn_blocking`)
    /// that share a lock with tasks.
    ///
    /// # Panics
    ///
    /// On a thread that drives a weft runtime (a worker, or inside `block_on`), with a message
    /// that says to use [`lock`](Mutex::lock) instead.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft::sync::Mutex;
    ///
    /// let m = Arc::new(Mutex::new(0));
    /// let thread = std::thread::spawn({
    ///     let m = m.clone();
    ///     move || *m.blocking_lock() += 1
    /// });
    /// thread.join().unwrap();
    /// assert_eq!(*m.blocking_lock(), 1);
    /// ```
    #[track_caller]
    pub fn blocking_lock(&self) -> MutexGuard<'_, T> {
        blocking::wait(self.lock(), "Mutex::blocking_lock", "Mutex::lock().await")
    }

    /// Like [`blocking_lock`](Mutex::blocking_lock), through an `Arc`.
    ///
    /// # Panics
    ///
    /// As [`blocking_lock`](Mutex::blocking_lock).
    #[track_caller]
    pub fn blocking_lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        blocking::wait(
            self.lock_owned(),
            "Mutex::blocking_lock_owned",
            "Mutex::lock_owned().await",
        )
    }

    /// The value, through exclusive access to the mutex (no locking needed).
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Gives the permit back; called by the guards.
    fn unlock(&self) {
        self.semaphore.release(1);
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("value", &&*guard),
            Err(_) => d.field("value", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Holds a [`Mutex`] locked; unlocks it when dropped. Derefs to the value.
#[must_use = "the lock is released at once if the guard is not held"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    /// `Send` iff `T: Send`, `Sync` iff `T: Sync` (the guard hands out `&mut T`).
    _value: PhantomData<&'a mut T>,
}

impl<'a, T: ?Sized> MutexGuard<'a, T> {
    /// The mutex this guard holds (`Condition::wait` uses it to lock again).
    pub fn mutex(this: &Self) -> &'a Mutex<T> {
        this.mutex
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's one permit, so no other reference to the value
        // exists; the shared borrow of the guard bounds this one.
        self.mutex.value.with(|v| unsafe { &*v })
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and the exclusive borrow of the guard makes this one exclusive.
        self.mutex.value.with_mut(|v| unsafe { &mut *v })
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Holds a [`Mutex`] locked through an `Arc`; unlocks it when dropped.
#[must_use = "the lock is released at once if the guard is not held"]
pub struct OwnedMutexGuard<T: ?Sized> {
    mutex: Arc<Mutex<T>>,
    /// `Sync` only for `T: Sync` (the guard hands out `&T`).
    _value: PhantomData<T>,
}

impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard holds.
    pub fn mutex(this: &Self) -> &Arc<Mutex<T>> {
        &this.mutex
    }
}

impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the mutex's one permit (as `MutexGuard`).
        self.mutex.value.with(|v| unsafe { &*v })
    }
}

impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the mutex's one permit, borrowed exclusively.
        self.mutex.value.with_mut(|v| unsafe { &mut *v })
    }
}

impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.mutex.unlock();
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check<T: Send>(m: &Mutex<T>, arc: Arc<Mutex<T>>) {
        send_sync::<Mutex<T>>();
        send_sync::<TryLockError>();
        send(&m.lock());
        send(&arc.lock_owned());
        // A future that holds a guard across an await is Send for T: Send.
        send(&async {
            let guard = m.lock().await;
            std::future::ready(()).await;
            drop(guard);
        });
    }
    #[allow(dead_code)]
    fn guards<T: Send + Sync>() {
        send_sync::<MutexGuard<'_, T>>();
        send_sync::<OwnedMutexGuard<T>>();
    }
};
