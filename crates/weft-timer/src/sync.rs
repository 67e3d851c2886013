//! The one switch between real and loom-checked synchronization in this crate (see
//! weft-core's `sync.rs`): the wheels' mutexes, the driver's `wake_at`, and `ThreadPark`'s
//! mutex and condvar. `Arc` stays std's (the driver's unparker is a trait object).

#[cfg(not(weft_loom))]
pub(crate) use std::sync::atomic::{AtomicU64, AtomicUsize};
#[cfg(not(weft_loom))]
pub(crate) use std::sync::{Condvar, Mutex, MutexGuard};

#[cfg(weft_loom)]
pub(crate) use loom::sync::atomic::{AtomicU64, AtomicUsize};
#[cfg(weft_loom)]
pub(crate) use loom::sync::{Condvar, Mutex, MutexGuard};
