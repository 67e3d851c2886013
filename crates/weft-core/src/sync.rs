//! The one switch between real and loom-checked synchronization, for every weft crate.
//!
//! Every atomic, `UnsafeCell`, lock, condvar and thread that takes part in a protocol of a weft
//! crate comes from here (the other crates import this module from weft-core; none of them
//! names loom). Under `--cfg weft_loom` they are loom's, so the models in `loom-tests/` explore every
//! interleaving of the same code that ships. Thread-locals are not here: per-thread state lives
//! in the one context (`context.rs`), the only place that declares one.
//!
//! - `UnsafeCell` has loom's closure API (`with`, `with_mut`) in both builds, so the code reads
//!   the same either way.
//! - [`Mutex`] does not poison: weft runs no user code under its locks (wakers are woken after
//!   the lock is released, see `unwind.rs`), so a panic while one is held can only be a bug in
//!   weft itself, and the next `lock` takes the data as it is rather than failing every later
//!   caller. [`Condvar`] recovers a poisoned wait the same way.
//! - `Arc` is loom's under loom where its count takes part in a model; trait objects and
//!   unsized values use std's `Arc` (loom's cannot hold them), which is no protocol.

#![doc(hidden)]
#![allow(missing_docs)]

#[cfg(not(weft_loom))]
mod imp {
    pub use std::sync::Arc;
    pub use std::sync::atomic::{
        AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
    };
    pub use std::thread;

    pub(super) use std::sync::{
        Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawMutexGuard,
    };

    /// `std::cell::UnsafeCell` with loom's access API.
    #[derive(Debug)]
    pub struct UnsafeCell<T: ?Sized>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        pub fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> UnsafeCell<T> {
        /// Gives the closure a shared raw pointer to the value.
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Gives the closure an exclusive raw pointer to the value.
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }

        /// The value, through exclusive access to the cell (no synchronization needed).
        pub fn get_mut(&mut self) -> &mut T {
            self.0.get_mut()
        }
    }

    /// Spin-loop hint; under loom it yields to the model's scheduler instead.
    pub fn spin_hint() {
        std::hint::spin_loop();
    }
}

#[cfg(weft_loom)]
mod imp {
    pub use loom::sync::Arc;
    pub use loom::sync::atomic::{
        AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
    };
    pub use loom::thread;

    pub(super) use loom::sync::{
        Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawMutexGuard,
    };

    /// loom's `UnsafeCell`, with the helpers the std build's wrapper has.
    #[derive(Debug)]
    pub struct UnsafeCell<T: ?Sized>(loom::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub fn new(value: T) -> Self {
            Self(loom::cell::UnsafeCell::new(value))
        }

        pub fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }

    impl<T: ?Sized> UnsafeCell<T> {
        /// Gives the closure a shared raw pointer to the value.
        pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            self.0.with(f)
        }

        /// Gives the closure an exclusive raw pointer to the value.
        pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            self.0.with_mut(f)
        }

        /// The value, through exclusive access to the cell (no synchronization needed).
        pub fn get_mut(&mut self) -> &mut T {
            // SAFETY: `&mut self` proves no other access to the cell exists.
            self.0.with_mut(|p| unsafe { &mut *p })
        }
    }

    /// Under loom a spin must yield, or the model never lets the other thread run.
    pub fn spin_hint() {
        loom::thread::yield_now();
    }
}

pub use imp::*;

/// A mutex that does not poison (see the module doc).
#[derive(Debug, Default)]
pub struct Mutex<T: ?Sized>(imp::RawMutex<T>);

/// Holds a [`Mutex`] locked until dropped.
pub type MutexGuard<'a, T> = imp::RawMutexGuard<'a, T>;

impl<T> Mutex<T> {
    pub fn new(value: T) -> Self {
        Mutex(imp::RawMutex::new(value))
    }

    pub fn into_inner(self) -> T {
        self.0.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl<T: ?Sized> Mutex<T> {
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The guard, or `None` while another thread holds the lock.
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        match self.0.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(e)) => Some(e.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    pub fn get_mut(&mut self) -> &mut T {
        self.0.get_mut().unwrap_or_else(|e| e.into_inner())
    }
}

/// A condition variable for [`Mutex`]; a poisoned wait is recovered as the lock is.
#[derive(Debug, Default)]
pub struct Condvar(imp::RawCondvar);

impl Condvar {
    pub fn new() -> Self {
        Condvar(imp::RawCondvar::new())
    }

    pub fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        self.0.wait(guard).unwrap_or_else(|e| e.into_inner())
    }

    /// Waits at most `timeout`; returns the guard and whether the wait timed out. (loom has no
    /// clock: under loom the wait never times out.)
    pub fn wait_timeout<'a, T>(
        &self,
        guard: MutexGuard<'a, T>,
        timeout: std::time::Duration,
    ) -> (MutexGuard<'a, T>, bool) {
        let (guard, result) = self
            .0
            .wait_timeout(guard, timeout)
            .unwrap_or_else(|e| e.into_inner());
        (guard, result.timed_out())
    }

    pub fn notify_one(&self) {
        self.0.notify_one();
    }

    pub fn notify_all(&self) {
        self.0.notify_all();
    }
}

/// `thread_local!` with a `const` initializer (no lazy-initialization check on each access) in
/// the real build, and loom's `thread_local!` (which has no `const` form) under loom. Used by
/// `context.rs` alone.
macro_rules! const_thread_local {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = $init:expr;)+) => {
        #[cfg(not(weft_loom))]
        std::thread_local! { $($(#[$attr])* static $name: $t = const { $init };)+ }
        #[cfg(weft_loom)]
        loom::thread_local! { $($(#[$attr])* static $name: $t = $init;)+ }
    };
}

pub(crate) use const_thread_local;
