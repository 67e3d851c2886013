//! A one-shot channel (asyncio: a `Future` you resolve yourself with `set_result`).
//!
//! # The state word
//!
//! | bit | name | set by | meaning |
//! |---|---|---|---|
//! | 0 | `VALUE_SENT` | sender | the value is in the cell and belongs to the receiver |
//! | 1 | `TX_DROPPED` | sender | the sender is gone without sending |
//! | 2 | `RX_DROPPED` | receiver | the receiver is gone; the value will never be read |
//! | 3 | `RX_WAKER` | receiver | the waker slot is filled and the sender may read it |
//!
//! # Who touches what
//!
//! - The value cell: the sender writes it before setting `VALUE_SENT`. After that, it belongs to
//!   the receiver, unless `RX_DROPPED` was already set when the sender set `VALUE_SENT`: then the
//!   sender takes the value back (`send` returns `Err(value)`). A receiver dropped after
//!   `VALUE_SENT` drops the value.
//! - The waker slot: the receiver writes it only while `RX_WAKER` is clear and neither
//!   `VALUE_SENT` nor `TX_DROPPED` is set (it takes `RX_WAKER` back with a compare-exchange that
//!   fails once the sender has finished). The sender reads it once, after it finished, if
//!   `RX_WAKER` was set. The slot is freed with the channel.
//!
//! Every transition is an `AcqRel` read-modify-write: Release publishes the value (or the
//! waker) written before it, Acquire sees the other side's.

use crate::sync::{Arc, AtomicUsize, UnsafeCell};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering::{AcqRel, Acquire};
use std::task::{Context, Poll, Waker};

const VALUE_SENT: usize = 1;
const TX_DROPPED: usize = 2;
const RX_DROPPED: usize = 4;
const RX_WAKER: usize = 8;

struct Inner<T> {
    state: AtomicUsize,
    value: UnsafeCell<Option<T>>,
    waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: the cells are accessed by one side at a time, handed over by the state word (see the
// module doc); values of `T` move between threads, hence `T: Send`.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Creates a one-shot channel: the [`Sender`] sets the result once, the [`Receiver`] awaits it.
///
/// ```
/// let (tx, rx) = weft::sync::oneshot::channel();
/// std::thread::spawn(move || tx.send(42).unwrap());
/// assert_eq!(weft::run(rx), Ok(42));
/// ```
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicUsize::new(0),
        value: UnsafeCell::new(None),
        waker: UnsafeCell::new(None),
    });
    (
        Sender {
            inner: Some(inner.clone()),
        },
        Receiver { inner: Some(inner) },
    )
}

/// Sets the channel's value, once (asyncio: `future.set_result`). Usable from any thread,
/// task or callback.
pub struct Sender<T> {
    inner: Option<Arc<Inner<T>>>,
}

/// Awaits the channel's value; resolves to [`RecvError`] if the sender is dropped without
/// sending (asyncio: the future was cancelled).
pub struct Receiver<T> {
    inner: Option<Arc<Inner<T>>>,
}

/// The sender was dropped without sending a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the oneshot sender was dropped without sending a value")
    }
}

impl std::error::Error for RecvError {}

/// Why [`Receiver::try_recv`] returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value yet; the sender is still alive.
    Empty,
    /// The sender was dropped without sending.
    Closed,
}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("no value has been sent yet"),
            TryRecvError::Closed => RecvError.fmt(f),
        }
    }
}

impl std::error::Error for TryRecvError {}

impl<T> Sender<T> {
    /// Sends `value`, waking the receiver. Returns the value back when the receiver is gone.
    pub fn send(mut self, value: T) -> Result<(), T> {
        let inner = self.inner.take().expect("a sender sends once");
        // SAFETY: before VALUE_SENT the value cell is the sender's alone.
        inner.value.with_mut(|v| unsafe { *v = Some(value) });
        // AcqRel: Release publishes the value; Acquire sees the receiver's waker.
        let prev = inner.state.fetch_or(VALUE_SENT, AcqRel);
        if prev & RX_DROPPED != 0 {
            // SAFETY: the receiver is gone and never reads the value: it is ours again.
            let value = inner.value.with_mut(|v| unsafe { (*v).take() });
            return Err(value.expect("the value we just wrote"));
        }
        if prev & RX_WAKER != 0 {
            wake_receiver(&inner);
        }
        Ok(())
    }

    /// Whether the receiver was dropped (a value sent now would be returned).
    pub fn is_closed(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|i| i.state.load(Acquire) & RX_DROPPED != 0)
    }
}

fn wake_receiver<T>(inner: &Inner<T>) {
    inner.waker.with(|w| {
        // SAFETY: RX_WAKER was set before we finished: the receiver will not write the slot
        // again, and we are the only reader.
        if let Some(waker) = unsafe { &*w } {
            waker.wake_by_ref();
        }
    });
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let prev = inner.state.fetch_or(TX_DROPPED, AcqRel);
            if prev & (RX_WAKER | RX_DROPPED) == RX_WAKER {
                wake_receiver(&inner);
            }
        }
    }
}

impl<T> Receiver<T> {
    /// Takes the value if it was sent, without waiting.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        let Some(inner) = &self.inner else {
            return Err(TryRecvError::Closed);
        };
        let state = inner.state.load(Acquire);
        if state & VALUE_SENT != 0 {
            Ok(self.take_value())
        } else if state & TX_DROPPED != 0 {
            self.inner = None;
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// VALUE_SENT is set: the value is ours.
    fn take_value(&mut self) -> T {
        let inner = self.inner.take().expect("receiver polled after completion");
        // SAFETY: VALUE_SENT is set and we are the receiver: the value cell is ours.
        let value = inner.value.with_mut(|v| unsafe { (*v).take() });
        value.expect("VALUE_SENT means the cell is full")
    }

    /// Registers `waker`; returns the state if the sender finished meanwhile.
    fn register(inner: &Inner<T>, waker: &Waker) -> Option<usize> {
        let mut state = inner.state.load(Acquire);
        if state & (VALUE_SENT | TX_DROPPED) != 0 {
            return Some(state);
        }
        if state & RX_WAKER != 0 {
            let same = inner.waker.with(|w| {
                // SAFETY: RX_WAKER is set: the slot is only read, by us and the sender.
                unsafe { &*w }.as_ref().is_some_and(|w| w.will_wake(waker))
            });
            if same {
                return None;
            }
            // Take the slot back, unless the sender finished.
            loop {
                if state & (VALUE_SENT | TX_DROPPED) != 0 {
                    return Some(state);
                }
                match inner
                    .state
                    .compare_exchange(state, state & !RX_WAKER, AcqRel, Acquire)
                {
                    Ok(_) => break,
                    Err(actual) => state = actual,
                }
            }
        }
        // SAFETY: RX_WAKER is clear and the sender has not finished: the slot is ours.
        inner
            .waker
            .with_mut(|w| unsafe { *w = Some(waker.clone()) });
        let prev = inner.state.fetch_or(RX_WAKER, AcqRel);
        if prev & (VALUE_SENT | TX_DROPPED) != 0 {
            return Some(prev);
        }
        None
    }
}

impl<T> Future for Receiver<T> {
    type Output = Result<T, RecvError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let coop = std::task::ready!(crate::coop::poll_proceed(cx));
        let Some(inner) = &self.inner else {
            panic!("oneshot::Receiver polled after it returned its result");
        };
        let Some(state) = Receiver::register(inner, cx.waker()) else {
            return Poll::Pending;
        };
        coop.made_progress();
        if state & VALUE_SENT != 0 {
            Poll::Ready(Ok(self.take_value()))
        } else {
            self.inner = None;
            Poll::Ready(Err(RecvError))
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            let prev = inner.state.fetch_or(RX_DROPPED, AcqRel);
            if prev & VALUE_SENT != 0 {
                // SAFETY: the value was sent to us; nobody else reads it now.
                let value = inner.value.with_mut(|v| unsafe { (*v).take() });
                drop(value);
            }
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}
