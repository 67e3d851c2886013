//! `Semaphore`: asyncio.Semaphore, with fair (first come, first served) waiters and requests
//! for many permits at once.

use crate::batch::{self, BatchSemaphore, TryTake};
use std::fmt;
use std::sync::Arc;

/// A counting semaphore (asyncio: `Semaphore`): a pool of permits that tasks take and give
/// back.
///
/// Waiters are served in the order they started waiting; a request for many permits at the
/// head of the line is not overtaken by smaller ones behind it. Dropping a waiting future
/// leaves the line and passes on whatever it was granted. A permit goes back to the semaphore
/// when dropped, unless it was [`forget`](SemaphorePermit::forget)-ten.
///
/// ```
/// use std::sync::Arc;
/// use weft::sync::Semaphore;
///
/// weft::run(async {
///     // At most two downloads at a time.
///     let limit = Arc::new(Semaphore::new(2));
///     let mut tasks = Vec::new();
///     for i in 0..5 {
///         let limit = limit.clone();
///         tasks.push(weft::spawn(async move {
///             let _permit = limit.acquire().await.unwrap();
///             i * 10 // the work, done while holding a permit
///         }));
///     }
///     let results: Vec<_> = weft::join_all(tasks).await;
///     assert_eq!(results.len(), 5);
///     assert_eq!(limit.available_permits(), 2);
/// });
/// ```
pub struct Semaphore {
    raw: BatchSemaphore,
}

/// [`Semaphore::acquire`] (and the others) failed: the semaphore was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcquireError(());

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the semaphore was closed")
    }
}

impl std::error::Error for AcquireError {}

/// Why [`Semaphore::try_acquire`] took no permit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryAcquireError {
    /// Not enough permits are free now (or others wait for them first).
    NoPermits,
    /// The semaphore was closed.
    Closed,
}

impl fmt::Display for TryAcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryAcquireError::NoPermits => f.write_str("no semaphore permits are available"),
            TryAcquireError::Closed => f.write_str("the semaphore was closed"),
        }
    }
}

impl std::error::Error for TryAcquireError {}

impl From<TryTake> for TryAcquireError {
    fn from(e: TryTake) -> Self {
        match e {
            TryTake::Closed => TryAcquireError::Closed,
            TryTake::NoPermits => TryAcquireError::NoPermits,
        }
    }
}

impl From<batch::Closed> for AcquireError {
    fn from(_: batch::Closed) -> Self {
        AcquireError(())
    }
}

impl Semaphore {
    /// The most permits a semaphore can hold.
    pub const MAX_PERMITS: usize = batch::MAX_PERMITS;

    /// A semaphore with `permits` free permits.
    ///
    /// # Panics
    ///
    /// When `permits` is more than [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn new(permits: usize) -> Semaphore {
        Semaphore {
            raw: BatchSemaphore::new(permits),
        }
    }

    /// Waits for one permit (asyncio: `async with semaphore`). Fails only once the semaphore
    /// is closed.
    pub async fn acquire(&self) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.acquire_many(1).await
    }

    /// Waits for `n` permits at once. While it waits at the head of the line, smaller requests
    /// behind it wait too. `n == 0` returns at once (unless closed).
    ///
    /// ```
    /// use weft::sync::Semaphore;
    ///
    /// weft::run(async {
    ///     let sem = Semaphore::new(3);
    ///     let all = sem.acquire_many(3).await.unwrap();
    ///     assert!(sem.try_acquire().is_err());
    ///     drop(all);
    ///     assert_eq!(sem.available_permits(), 3);
    /// });
    /// ```
    pub async fn acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, AcquireError> {
        self.raw.acquire(n as usize).await?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes one permit if one is free and nobody waits for it first.
    ///
    /// ```
    /// use weft::sync::{Semaphore, TryAcquireError};
    ///
    /// let sem = Semaphore::new(1);
    /// let permit = sem.try_acquire().unwrap();
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    /// drop(permit);
    /// sem.close();
    /// assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    /// ```
    pub fn try_acquire(&self) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_acquire_many(1)
    }

    /// Takes `n` permits if they are free and nobody waits for permits first.
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.raw.try_acquire(n as usize)?;
        Ok(SemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Waits for one permit that holds the semaphore alive (for a permit moved into a task).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft::sync::Semaphore;
    ///
    /// weft::run(async {
    ///     let sem = Arc::new(Semaphore::new(1));
    ///     let permit = sem.clone().acquire_owned().await.unwrap();
    ///     let task = weft::spawn(async move {
    ///         let _permit = permit; // released when the task ends
    ///     });
    ///     task.await.unwrap();
    ///     assert_eq!(sem.available_permits(), 1);
    /// });
    /// ```
    pub async fn acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.acquire_many_owned(1).await
    }

    /// Waits for `n` permits that hold the semaphore alive.
    pub async fn acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, AcquireError> {
        self.raw.acquire(n as usize).await?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Takes one permit that holds the semaphore alive, if one is free now.
    pub fn try_acquire_owned(self: Arc<Self>) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.try_acquire_many_owned(1)
    }

    /// Takes `n` permits that hold the semaphore alive, if they are free now.
    pub fn try_acquire_many_owned(
        self: Arc<Self>,
        n: u32,
    ) -> Result<OwnedSemaphorePermit, TryAcquireError> {
        self.raw.try_acquire(n as usize)?;
        Ok(OwnedSemaphorePermit {
            semaphore: self,
            permits: n,
        })
    }

    /// Adds `n` permits: to the waiters first, in order, the rest free.
    ///
    /// # Panics
    ///
    /// When the free permits would exceed [`Semaphore::MAX_PERMITS`].
    #[track_caller]
    pub fn add_permits(&self, n: usize) {
        self.raw.release(n);
    }

    /// How many permits are free now.
    pub fn available_permits(&self) -> usize {
        self.raw.available_permits()
    }

    /// Closes the semaphore: every waiting acquire and every later one fails with
    /// [`AcquireError`]. Permits held now stay valid and go back when dropped.
    ///
    /// ```
    /// use weft::sync::Semaphore;
    ///
    /// weft::run(async {
    ///     let sem = Semaphore::new(0);
    ///     sem.close();
    ///     assert!(sem.acquire().await.is_err());
    ///     assert!(sem.is_closed());
    /// });
    /// ```
    pub fn close(&self) {
        self.raw.close();
    }

    /// Whether [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.raw.is_closed()
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.raw.fmt(f)
    }
}

/// Permits borrowed from a [`Semaphore`]; given back when dropped.
#[must_use = "the permit is given back at once if it is not held"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
    permits: u32,
}

impl SemaphorePermit<'_> {
    /// Keeps the permits out of the semaphore for good (it has that many fewer).
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.raw.release(self.permits as usize);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

/// Permits of a [`Semaphore`] held through an `Arc`; given back when dropped.
#[must_use = "the permit is given back at once if it is not held"]
pub struct OwnedSemaphorePermit {
    semaphore: Arc<Semaphore>,
    permits: u32,
}

impl OwnedSemaphorePermit {
    /// Keeps the permits out of the semaphore for good (it has that many fewer).
    pub fn forget(mut self) {
        self.permits = 0;
    }

    /// How many permits this holds.
    pub fn num_permits(&self) -> usize {
        self.permits as usize
    }

    /// The semaphore the permits belong to.
    pub fn semaphore(&self) -> &Arc<Semaphore> {
        &self.semaphore
    }
}

impl Drop for OwnedSemaphorePermit {
    fn drop(&mut self) {
        self.semaphore.raw.release(self.permits as usize);
    }
}

impl fmt::Debug for OwnedSemaphorePermit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedSemaphorePermit")
            .field("permits", &self.permits)
            .finish_non_exhaustive()
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(sem: &Semaphore, arc: Arc<Semaphore>) {
        send_sync::<Semaphore>();
        send_sync::<SemaphorePermit<'_>>();
        send_sync::<OwnedSemaphorePermit>();
        send_sync::<AcquireError>();
        send_sync::<TryAcquireError>();
        send(&sem.acquire());
        send(&sem.acquire_many(2));
        send(&arc.acquire_owned());
    }
};
