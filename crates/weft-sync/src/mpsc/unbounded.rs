//! The unbounded channel: [`unbounded_channel`], [`UnboundedSender`], [`UnboundedReceiver`].

use super::chan::{Chan, Rx, Tx};
use super::error::{SendError, TryRecvError};
use super::slots::Unbounded;
use crate::blocking;
use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

/// Creates a channel without a bound: many [`UnboundedSender`]s, one [`UnboundedReceiver`]
/// (asyncio: a `Queue()` with one consumer). A send never waits, so it is not async and works
/// from any thread or callback; nothing slows a producer that outruns the receiver, so prefer
/// [`channel`](super::channel) where that can happen.
///
/// ```
/// use weft::sync::mpsc;
///
/// weft::run(async {
///     let (tx, mut rx) = mpsc::unbounded_channel();
///     std::thread::spawn(move || {
///         for i in 0..3 {
///             tx.send(i).unwrap(); // not async: from a plain thread
///         }
///     });
///     let mut got = Vec::new();
///     while let Some(i) = rx.recv().await {
///         got.push(i);
///     }
///     assert_eq!(got, [0, 1, 2]);
/// });
/// ```
pub fn unbounded_channel<T>() -> (UnboundedSender<T>, UnboundedReceiver<T>) {
    let (tx, rx) = Chan::open(Unbounded);
    (UnboundedSender { tx }, UnboundedReceiver { rx })
}

/// The sending half of an unbounded channel; clone it for more senders.
pub struct UnboundedSender<T> {
    tx: Tx<T, Unbounded>,
}

/// The receiving half of an unbounded channel.
///
/// Dropping it closes the channel: senders fail from then on, with their value back, and
/// the values still buffered are dropped.
pub struct UnboundedReceiver<T> {
    rx: Rx<T, Unbounded>,
}

impl<T> UnboundedSender<T> {
    /// Sends `value` at once; fails only when the receiver was closed or dropped, handing the
    /// value back in the error.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// let (tx, rx) = mpsc::unbounded_channel();
    /// assert!(tx.send(1).is_ok());
    /// drop(rx);
    /// assert_eq!(tx.send(2).unwrap_err().0, 2);
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.tx.chan.push(value).map_err(SendError)
    }

    /// Whether the receiver was closed or dropped: every send fails from then on.
    pub fn is_closed(&self) -> bool {
        self.tx.chan.is_closed()
    }

    /// Waits until the receiver is closed or dropped.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// weft::run(async {
    ///     let (tx, mut rx) = mpsc::unbounded_channel::<()>();
    ///     let watcher = weft::spawn(async move { tx.closed().await });
    ///     rx.close();
    ///     watcher.await.unwrap();
    /// });
    /// ```
    pub async fn closed(&self) {
        self.tx.closed().await;
    }

    /// Whether `self` and `other` send on the same channel.
    pub fn same_channel(&self, other: &UnboundedSender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

impl<T> Clone for UnboundedSender<T> {
    fn clone(&self) -> Self {
        UnboundedSender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for UnboundedSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnboundedSender")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> UnboundedReceiver<T> {
    /// Receives the next value, waiting for one while the channel is empty.
    ///
    /// `None` once every sender is dropped (or the receiver was
    /// [`close`](UnboundedReceiver::close)d) and every buffered value was received. Values
    /// from one sender arrive in the order it sent them.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// weft::run(async {
    ///     let (tx, mut rx) = mpsc::unbounded_channel();
    ///     tx.send("a").unwrap();
    ///     tx.send("b").unwrap();
    ///     drop(tx);
    ///     assert_eq!(rx.recv().await, Some("a"));
    ///     assert_eq!(rx.recv().await, Some("b"));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// [`recv`](UnboundedReceiver::recv) as a poll function, for hand-written futures.
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Takes a value if one is buffered, without waiting: `Empty` when none is buffered now,
    /// `Disconnected` when none can come any more.
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        self.rx.try_recv().map_err(|finished| {
            if finished {
                TryRecvError::Disconnected
            } else {
                TryRecvError::Empty
            }
        })
    }

    /// Receives from a plain thread, parking it while the channel is empty.
    ///
    /// # Panics
    ///
    /// On a thread that drives a weft runtime (a worker, or inside `block_on`), with a message
    /// that says to use [`recv`](UnboundedReceiver::recv) instead.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::unbounded_channel();
    /// let consumer = std::thread::spawn(move || rx.blocking_recv());
    /// tx.send(3).unwrap();
    /// assert_eq!(consumer.join().unwrap(), Some(3));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        blocking::wait(
            self.recv(),
            "UnboundedReceiver::blocking_recv",
            "UnboundedReceiver::recv().await",
        )
    }

    /// Closes the channel without dropping the receiver: every send fails from then on, and
    /// `UnboundedSender::closed` returns; what is buffered can still be received.
    pub fn close(&mut self) {
        self.rx.close();
    }

    /// Whether the channel is closed: the receiver closed it, or no sender is left.
    pub fn is_closed(&self) -> bool {
        self.rx.chan.is_closed() || self.rx.sender_count() == 0
    }

    /// Values buffered now.
    pub fn len(&self) -> usize {
        self.rx.len()
    }

    /// Whether no value is buffered now.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T> fmt::Debug for UnboundedReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rx.fmt(f)
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(tx: &UnboundedSender<u8>, rx: &mut UnboundedReceiver<u8>) {
        send_sync::<UnboundedSender<std::cell::Cell<u8>>>();
        send_sync::<UnboundedReceiver<std::cell::Cell<u8>>>();
        send(&tx.closed());
        send(&rx.recv());
    }
};
