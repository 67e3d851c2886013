//! The one switch between real and loom-checked synchronization.
//!
//! Every atomic, `UnsafeCell`, lock, condvar, thread and thread-local that takes part in a
//! protocol of this crate comes from here. Under `--cfg weft_loom` they are loom's, so the
//! models in `loom-tests/` explore every interleaving of the same code that ships.
//!
//! `UnsafeCell` is loom's shape in both builds (`with` / `with_mut` closures), so the code
//! reads the same either way.

#[cfg(not(weft_loom))]
mod imp {
    pub(crate) use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, fence};
    pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
    pub(crate) use std::thread;

    /// `std::cell::UnsafeCell` with loom's access API.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        /// Gives the closure a shared raw pointer to the value.
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        /// Gives the closure an exclusive raw pointer to the value.
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }

    /// Spin-loop hint; under loom it yields to the model's scheduler instead.
    pub(crate) fn spin_hint() {
        std::hint::spin_loop();
    }
}

#[cfg(weft_loom)]
mod imp {
    pub(crate) use loom::cell::UnsafeCell;
    pub(crate) use loom::sync::atomic::{AtomicBool, AtomicPtr, AtomicU32, AtomicUsize, fence};
    pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
    pub(crate) use loom::thread;

    /// Under loom a spin must yield, or the model never lets the other thread run.
    pub(crate) fn spin_hint() {
        loom::thread::yield_now();
    }
}

pub(crate) use imp::*;

/// `thread_local!` with a `const` initializer (no lazy-initialization check on each access) in
/// the real build, and loom's `thread_local!` (which has no `const` form) under loom.
macro_rules! const_thread_local {
    ($($(#[$attr:meta])* static $name:ident: $t:ty = $init:expr;)+) => {
        #[cfg(not(weft_loom))]
        std::thread_local! { $($(#[$attr])* static $name: $t = const { $init };)+ }
        #[cfg(weft_loom)]
        loom::thread_local! { $($(#[$attr])* static $name: $t = $init;)+ }
    };
}

pub(crate) use const_thread_local;
