//! `ThreadPark`: the innermost `Park` layer when there is no I/O driver: a flag, a mutex and a
//! condvar. `unpark` sets the flag under the mutex and signals, so an unpark before the park
//! makes it return at once and one during it wakes it.

use crate::sync::{Condvar, Mutex};
use std::sync::Arc;
use std::time::Duration;
use weft_core::scheduler::{Park, Unpark};

/// Blocks the calling thread until unparked or a timeout.
#[derive(Clone)]
pub struct ThreadPark {
    inner: Arc<Inner>,
}

struct Inner {
    notified: Mutex<bool>,
    wake: Condvar,
}

impl Default for ThreadPark {
    fn default() -> ThreadPark {
        ThreadPark::new()
    }
}

impl ThreadPark {
    /// A parker with no pending unpark.
    pub fn new() -> ThreadPark {
        ThreadPark {
            inner: Arc::new(Inner {
                notified: Mutex::new(false),
                wake: Condvar::new(),
            }),
        }
    }
}

impl Park for ThreadPark {
    fn park(&mut self, timeout: Option<Duration>) {
        let inner = &self.inner;
        let mut notified = inner.notified.lock();
        match timeout {
            Some(t) if t.is_zero() => {}
            Some(t) => {
                if !*notified {
                    notified = inner.wake.wait_timeout(notified, t).0;
                }
            }
            None => {
                while !*notified {
                    notified = inner.wake.wait(notified);
                }
            }
        }
        *notified = false;
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        self.inner.clone()
    }
}

impl Unpark for Inner {
    fn unpark(&self) {
        *self.notified.lock() = true;
        self.wake.notify_one();
    }
}
