//! Signals (asyncio: `loop.add_signal_handler`): wait for a signal from any task, under any
//! runtime or executor.
//!
//! # How a delivery reaches a listener
//!
//! - The first listener of a signal number installs one process-wide handler for it
//!   (`registry.rs`, through signal-hook-registry, which chains with other handlers in the
//!   process). The handler is async-signal-safe: it bumps the signal's delivery counter and
//!   writes one byte to a non-blocking socket pair, and nothing else.
//! - The read end is registered with the fallback reactor (the fallback thread drives it), so
//!   signals reach listeners in every runtime, or none, and outlive any one runtime.
//! - A [`unix::Signal`] remembers the counter value it last saw. `recv` returns once the
//!   counter moved. Otherwise it drains the pipe and waits for its next byte; having
//!   registered its waker, it reads the counter again, so a delivery that another listener's
//!   drain consumed after our first look is still seen. Deliveries that come faster than a
//!   listener looks merge into one, as the contract allows.
//!
//! Orderings: the handler's `fetch_add` is `Release`, the listeners' loads `Acquire`; the byte
//! is written after the bump, so a listener woken by it sees the new count.

mod registry;
pub mod unix;

use std::io;

/// Completes on the next Ctrl-C (SIGINT) after it is first polled.
///
/// ```no_run
/// #[weft::main]
/// async fn main() -> std::io::Result<()> {
///     weft::signal::ctrl_c().await?;
///     println!("shutting down");
///     Ok(())
/// }
/// ```
///
/// From its first poll on, SIGINT no longer ends the process by default: it is delivered
/// here instead (as with tokio's `ctrl_c`).
///
/// # Errors
///
/// When the signal machinery cannot be set up (no file descriptor left for its pipe).
pub async fn ctrl_c() -> io::Result<()> {
    let mut signal = unix::signal(unix::SignalKind::interrupt())?;
    signal.recv().await;
    Ok(())
}
