//! Shared by the `sync_*` tests: a future polled by hand, with a waker that remembers it was
//! woken.
#![allow(dead_code, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

/// A waker that remembers it was woken.
#[derive(Default)]
pub struct Flag(AtomicBool);

impl Wake for Flag {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A future polled by hand, with its own waker flag.
pub struct Probe<'a, T> {
    future: Pin<Box<dyn Future<Output = T> + 'a>>,
    flag: Arc<Flag>,
}

impl<'a, T> Probe<'a, T> {
    pub fn new(future: impl Future<Output = T> + 'a) -> Self {
        Probe {
            future: Box::pin(future),
            flag: Arc::default(),
        }
    }

    /// Polls once.
    pub fn poll(&mut self) -> Poll<T> {
        let waker = Waker::from(self.flag.clone());
        self.future.as_mut().poll(&mut Context::from_waker(&waker))
    }

    /// Whether the future's waker was woken since the last call.
    pub fn woken(&self) -> bool {
        self.flag.0.swap(false, Ordering::SeqCst)
    }

    /// Polls once and expects the output.
    #[track_caller]
    pub fn ready(&mut self) -> T {
        match self.poll() {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("expected the future to be ready"),
        }
    }

    /// Polls once and expects it to wait.
    #[track_caller]
    pub fn pending(&mut self) {
        assert!(self.poll().is_pending(), "expected the future to wait");
    }
}

/// How long a test may wait for something that should happen at once before it fails
/// instead of hanging.
pub const WATCHDOG: std::time::Duration = std::time::Duration::from_secs(30);

/// Runs `body` on its own thread and returns its result, failing the test (rather than
/// hanging it) if it takes longer than [`WATCHDOG`]. A panic in `body` fails the test too.
#[track_caller]
pub fn within_watchdog<T: Send + 'static>(body: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let thread = std::thread::spawn(move || {
        let _ = tx.send(body());
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(value) => {
            thread.join().unwrap();
            value
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(thread.join().unwrap_err())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("watchdog: the test did not finish within {WATCHDOG:?}")
        }
    }
}
