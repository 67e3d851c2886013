//! The one switch between real and loom-checked synchronization in this crate (see
//! weft-core's `sync.rs`): the per-source readiness mutex.

#[cfg(not(weft_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard};

#[cfg(weft_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard};
