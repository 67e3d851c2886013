//! The `blocking_*` methods: wait for a future by parking the calling thread.

use std::future::Future;

/// Waits for `future` on this thread, parking it in between (works under loom too: weft-core's
/// `block_on` parks through its shim).
///
/// # Panics
///
/// On a thread that drives a weft runtime (a worker, or inside `block_on`): parking it would
/// stall every task of that runtime, and if the task that will release the lock is one of them,
/// it would never run. The message names `method` and the async method to use instead.
#[track_caller]
pub(crate) fn wait<F: Future>(future: F, method: &str, instead: &str) -> F::Output {
    if weft_core::context::is_driving_runtime() {
        panic!(
            "`{method}` called on a thread that drives a weft runtime (a worker, or inside \
             `block_on`): parking it would stall the runtime's tasks, maybe the very task that \
             would let it go on. Use `{instead}` in async code instead; call `{method}` only \
             from a plain thread or inside `spawn_blocking`."
        );
    }
    weft_core::block_on(future)
}
