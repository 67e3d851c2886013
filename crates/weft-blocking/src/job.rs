//! A blocking job as a weft-core task: a future that runs its closure on its first and only
//! poll. Being a task gives it the same `JoinHandle` as `spawn`, abort before it starts
//! (`CANCELLED` is seen before the poll, so the closure never runs), and panic capture.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `f` once, when polled.
pub(crate) struct Job<F> {
    f: Option<F>,
}

impl<F> Job<F> {
    pub(crate) fn new(f: F) -> Job<F> {
        Job { f: Some(f) }
    }
}

// The closure is never pinned: it is moved out and called.
impl<F> Unpin for Job<F> {}

impl<F, R> Future for Job<F>
where
    F: FnOnce() -> R,
{
    type Output = R;

    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<R> {
        let f = self.f.take().expect("a blocking job runs once");
        Poll::Ready(f())
    }
}
