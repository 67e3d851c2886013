//! The job channel: crossbeam-channel in the real build, and under loom (crossbeam has no loom
//! model) a `Mutex<VecDeque>` + `Condvar` stand-in with the same interface, built on weft-core's
//! shim so the model sees every interleaving. loom has no clock: under loom `recv_timeout`
//! waits without a timeout.

#[cfg(not(weft_loom))]
pub(crate) use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, unbounded};

#[cfg(weft_loom)]
mod stand_in {
    use std::collections::VecDeque;
    use std::time::Duration;
    use weft_core::sync::{Arc, Condvar, Mutex};

    struct Shared<T> {
        queue: Mutex<(VecDeque<T>, usize)>, // (messages, live senders)
        ready: Condvar,
    }

    pub(crate) struct Sender<T>(Arc<Shared<T>>);
    pub(crate) struct Receiver<T>(Arc<Shared<T>>);

    #[derive(Debug)]
    pub(crate) enum RecvTimeoutError {
        // Same shape as crossbeam's; never built here, since loom has no clock.
        #[allow(dead_code)]
        Timeout,
        Disconnected,
    }

    #[derive(Debug)]
    pub(crate) struct SendError<T>(#[allow(dead_code)] pub(crate) T);

    pub(crate) fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
        let shared = Arc::new(Shared {
            queue: Mutex::new((VecDeque::new(), 1)),
            ready: Condvar::new(),
        });
        (Sender(shared.clone()), Receiver(shared))
    }

    impl<T> Sender<T> {
        pub(crate) fn send(&self, value: T) -> Result<(), SendError<T>> {
            self.0.queue.lock().0.push_back(value);
            self.0.ready.notify_one();
            Ok(())
        }
    }

    impl<T> Drop for Sender<T> {
        fn drop(&mut self) {
            self.0.queue.lock().1 -= 1;
            self.0.ready.notify_all();
        }
    }

    impl<T> Clone for Receiver<T> {
        fn clone(&self) -> Receiver<T> {
            Receiver(self.0.clone())
        }
    }

    impl<T> Receiver<T> {
        pub(crate) fn try_recv(&self) -> Result<T, ()> {
            self.0.queue.lock().0.pop_front().ok_or(())
        }

        pub(crate) fn recv_timeout(&self, _timeout: Duration) -> Result<T, RecvTimeoutError> {
            let mut q = self.0.queue.lock();
            loop {
                if let Some(v) = q.0.pop_front() {
                    return Ok(v);
                }
                if q.1 == 0 {
                    return Err(RecvTimeoutError::Disconnected);
                }
                q = self.0.ready.wait(q);
            }
        }
    }
}

#[cfg(weft_loom)]
pub(crate) use stand_in::{Receiver, RecvTimeoutError, Sender, unbounded};
