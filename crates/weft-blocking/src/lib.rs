//! weft's blocking thread pool (issue: spawn_blocking).
//!
//! Empty for now: this crate is filled by its own issue. It exports nothing, so nothing here
//! can be mistaken for working code.
