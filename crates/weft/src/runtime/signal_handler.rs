//! `Handle::add_signal_handler`: asyncio's `loop.add_signal_handler`, a callback per delivery.
//!
//! A listener task on the runtime waits on a `weft::signal::unix::Signal` and, per delivery,
//! queues the callback with `call_soon` (so it runs in order with the other callbacks). The
//! returned handle is a never-queued deferred callback: cancelling it is what the listener
//! checks before each call, and when the listener ends (the runtime closed) the deferred is
//! dropped and the handle reports cancelled.

use super::Handle;
use std::io;
use std::sync::Arc;
use weft_core::callback::CallbackHandle;
use weft_process::signal::unix::{SignalKind, signal};

impl Handle {
    /// Runs `f` as a callback on this runtime on every delivery of `kind`, until the returned
    /// handle is cancelled or the runtime closes (asyncio: `add_signal_handler`; cancel the
    /// handle for `remove_signal_handler`). Deliveries that come faster than the callback runs
    /// may merge into one call.
    ///
    /// ```no_run
    /// use weft::signal::unix::SignalKind;
    ///
    /// let rt = weft::Runtime::new()?;
    /// let stop = rt.handle().clone();
    /// let handler = rt.handle().add_signal_handler(SignalKind::terminate(), move || stop.stop())?;
    /// rt.run_forever(); // until SIGTERM
    /// handler.cancel();
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`weft::signal::unix::signal`](crate::signal::unix::signal): `InvalidInput` for a
    /// signal that cannot be handled.
    pub fn add_signal_handler<F>(&self, kind: SignalKind, f: F) -> io::Result<CallbackHandle>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let mut deliveries = signal(kind)?;
        let (handle, deferred) = weft_core::callback::deferred(|| {});
        let cancelled = handle.clone();
        let f = Arc::new(f);
        let runtime = self.clone();
        drop(self.spawn_named(
            async move {
                // Owned by the listener: dropped (and the handle cancelled) when it ends.
                let _subscription = deferred;
                while deliveries.recv().await.is_some() {
                    if cancelled.is_cancelled() {
                        break;
                    }
                    let f = f.clone();
                    runtime.call_soon(move || f());
                }
            },
            Some("weft-signal-handler".into()),
        ));
        Ok(handle)
    }
}
