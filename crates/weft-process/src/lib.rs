//! weft-process: signals (and, next, child processes) for the `weft` runtime, over weft-io.
//!
//! Users name these as `weft::signal::...`.
//!
//! - [`signal`]: `ctrl_c()`, `unix::signal(SignalKind)` and its `Signal::recv`: one
//!   process-wide handler per signal number that only counts the delivery and writes a byte to
//!   a pipe the fallback reactor watches; every listener compares the count with the last one
//!   it saw.

pub mod signal;
