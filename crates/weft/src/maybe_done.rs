//! A future, or its output once it completed: the slot `join!`, `join_all` and `try_join_all`
//! keep each of their futures in. Pinning is projected by pin-project-lite, so the future is
//! only ever dropped in place.

// pin_project! takes no attributes on enum variants' fields, so `future` and `output` cannot
// carry docs; the type is reached only through `join!` (`weft::__private`).
#![allow(missing_docs)]

use pin_project_lite::pin_project;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

pin_project! {
    /// A future, or its output once it completed.
    #[project = MaybeDoneProj]
    #[project_replace = MaybeDoneOwned]
    #[derive(Debug)]
    pub enum MaybeDone<F: Future> {
        /// Still running.
        Future { #[pin] future: F },
        /// Completed; the output waits to be taken.
        Done { output: F::Output },
        /// The output was taken.
        Gone,
    }
}

impl<F: Future> MaybeDone<F> {
    /// Wraps a future.
    pub fn new(future: F) -> MaybeDone<F> {
        MaybeDone::Future { future }
    }

    /// Polls the future if it is still running; `true` once it has an output.
    pub fn poll_done(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        match self.as_mut().project() {
            MaybeDoneProj::Future { future } => match future.poll(cx) {
                Poll::Ready(output) => {
                    self.set(MaybeDone::Done { output });
                    true
                }
                Poll::Pending => false,
            },
            MaybeDoneProj::Done { .. } => true,
            MaybeDoneProj::Gone => panic!("a joined future was polled after it completed"),
        }
    }

    /// The output, if it is done and not taken.
    pub fn output(&self) -> Option<&F::Output> {
        match self {
            MaybeDone::Done { output } => Some(output),
            _ => None,
        }
    }

    /// Takes the output.
    ///
    /// # Panics
    ///
    /// When the future is not done, or its output was taken already.
    pub fn take(self: Pin<&mut Self>) -> F::Output {
        match self.project_replace(MaybeDone::Gone) {
            MaybeDoneOwned::Done { output } => output,
            _ => panic!("a joined future's output was taken before it was ready, or twice"),
        }
    }
}
