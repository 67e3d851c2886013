//! The one switch between real and loom-checked synchronization in this crate (see
//! weft-core's `sync.rs`): the per-source readiness word and its wakers' mutex.

#[cfg(not(weft_loom))]
pub(crate) use std::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicUsize, Ordering},
};

#[cfg(weft_loom)]
pub(crate) use loom::sync::{
    Mutex, MutexGuard,
    atomic::{AtomicUsize, Ordering},
};
