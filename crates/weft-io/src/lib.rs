//! weft's I/O reactor over polling (issue: I/O).
//!
//! Empty for now: this crate is filled by its own issue. It exports nothing, so nothing here
//! can be mistaken for working code.
