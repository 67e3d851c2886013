//! Shared pieces of the loom models: a scheduler that queues tasks for the model to run by
//! hand, futures that count their polls and drops.
#![allow(dead_code, unreachable_pub)]

use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::sync::{Arc, Mutex};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};
use weft_core::task::{JoinHandle, Notified, Registry, Schedule};
use weft_io::readiness::IoEvent;

/// A readable event, as the reactor dispatches it.
pub const READABLE: IoEvent = IoEvent {
    readable: true,
    writable: false,
    read_hup: false,
    write_hup: false,
};

/// A scheduler whose run queue the model drains by hand.
#[derive(Clone)]
pub struct Queue(Arc<Inner>);

pub struct Inner {
    tasks: Mutex<VecDeque<Notified>>,
    pub registry: Registry,
}

impl Schedule for Queue {
    fn schedule(&self, task: Notified) {
        self.0.tasks.lock().unwrap().push_back(task);
    }

    fn registry(&self) -> &Registry {
        &self.0.registry
    }
}

impl Queue {
    pub fn new() -> Queue {
        Queue(Arc::new(Inner {
            tasks: Mutex::new(VecDeque::new()),
            registry: Registry::new(1),
        }))
    }

    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (handle, notified) =
            self.0
                .registry
                .bind(future, self.clone(), weft_core::task::TaskMeta::here(None));
        if let Some(task) = notified {
            self.schedule(task);
        }
        handle
    }

    /// Runs queued tasks until the queue is empty; returns how many were run.
    pub fn run(&self) -> usize {
        let mut n = 0;
        loop {
            let next = self.0.tasks.lock().unwrap().pop_front();
            match next {
                Some(task) => {
                    task.run();
                    n += 1;
                }
                None => return n,
            }
        }
    }

    /// Takes the next queued entry without running it.
    pub fn pop(&self) -> Option<Notified> {
        self.0.tasks.lock().unwrap().pop_front()
    }

    pub fn registry(&self) -> &Registry {
        &self.0.registry
    }

    /// Drops every queued entry (as a worker does when it stops).
    pub fn drain(&self) {
        let drained: Vec<_> = self.0.tasks.lock().unwrap().drain(..).collect();
        drop(drained);
    }
}

/// Counts drops.
pub struct DropCounter(pub Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Pending on the first `pending` polls (storing the waker in `slot`), then ready with
/// `output`. Counts its polls; drops its guard when dropped.
pub struct Steps<T> {
    pub pending: usize,
    pub polls: Arc<AtomicUsize>,
    pub slot: Arc<Mutex<Option<Waker>>>,
    pub output: Option<T>,
    pub guard: Option<DropCounter>,
}

impl<T: Unpin> Future for Steps<T> {
    type Output = T;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let n = self.polls.fetch_add(1, Ordering::SeqCst);
        if n < self.pending {
            *self.slot.lock().unwrap() = Some(cx.waker().clone());
            Poll::Pending
        } else {
            Poll::Ready(self.output.take().expect("polled after ready"))
        }
    }
}

pub fn counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

pub fn count(c: &Arc<AtomicUsize>) -> usize {
    c.load(Ordering::SeqCst)
}

/// Counts the wakes of a [`counting_waker`] (std's `Arc`: `Wake` needs it, and its count is
/// no protocol).
pub struct Count(pub AtomicUsize);

impl Wake for Count {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// A waker that counts its wakes, and the count.
pub fn counting_waker() -> (std::sync::Arc<Count>, Waker) {
    let count = std::sync::Arc::new(Count(AtomicUsize::new(0)));
    (count.clone(), Waker::from(count))
}
