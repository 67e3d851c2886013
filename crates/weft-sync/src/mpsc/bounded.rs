//! The bounded channel: [`channel`], [`Sender`], [`Receiver`].

use super::chan::{Chan, Rx, Tx};
use super::error::{SendError, TryRecvError, TrySendError};
use super::slots::Bounded;
use crate::batch::{self, TryTake};
use crate::blocking;
use std::fmt;
use std::future::poll_fn;
use std::task::{Context, Poll};

/// Creates a bounded channel with room for `capacity` values: many [`Sender`]s, one
/// [`Receiver`] (asyncio: a `Queue(maxsize)` with one consumer).
///
/// A [`send`](Sender::send) waits while the channel is full and goes on when the receiver
/// takes a value out; waiting senders get their turn in the order they started waiting.
///
/// # Panics
///
/// When `capacity` is 0 (the message says the capacity must be at least 1), or more than
/// [`Semaphore::MAX_PERMITS`](crate::Semaphore::MAX_PERMITS).
///
/// ```
/// use weft::sync::mpsc;
///
/// weft::run(async {
///     let (tx, mut rx) = mpsc::channel(8);
///     for id in 0..3 {
///         let tx = tx.clone();
///         weft::spawn(async move {
///             for i in 0..10 {
///                 tx.send((id, i)).await.unwrap();
///             }
///         });
///     }
///     drop(tx); // recv returns None once every sender is gone and the buffer is empty
///     let mut got = 0;
///     while let Some((_id, _i)) = rx.recv().await {
///         got += 1;
///     }
///     assert_eq!(got, 30);
/// });
/// ```
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = Chan::open(Bounded::new(capacity));
    (Sender { tx }, Receiver { rx })
}

/// The sending half of a bounded channel; clone it for more senders.
///
/// The receiver sees `None` once every sender is dropped and it has taken every value.
pub struct Sender<T> {
    tx: Tx<T, Bounded>,
}

/// The receiving half of a bounded channel.
///
/// Dropping it closes the channel: senders fail from then on, with their value back, and
/// the values still buffered are dropped.
pub struct Receiver<T> {
    rx: Rx<T, Bounded>,
}

impl<T> Sender<T> {
    /// Sends `value`, waiting for room while the channel is full.
    ///
    /// Fails only when the receiver was closed or dropped, handing the value back in the
    /// error. Waiting sends are served in the order they started waiting; dropping a waiting
    /// `send` (a cancelled task, a lost `select!` branch) gives its turn to the next one.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// weft::run(async {
    ///     let (tx, mut rx) = mpsc::channel(1);
    ///     tx.send(1).await.unwrap();
    ///     let second = weft::spawn(async move { tx.send(2).await }); // waits: full
    ///     assert_eq!(rx.recv().await, Some(1)); // makes room, the second send goes on
    ///     second.await.unwrap().unwrap();
    ///     assert_eq!(rx.recv().await, Some(2));
    /// });
    /// ```
    pub async fn send(&self, value: T) -> Result<(), SendError<T>> {
        match self.tx.chan.slots.semaphore.acquire(1).await {
            Ok(()) => self.tx.chan.push(value).map_err(SendError),
            Err(batch::Closed) => Err(SendError(value)),
        }
    }

    /// Sends `value` if there is room now, without waiting.
    ///
    /// `Full(value)` when every slot is taken (or other senders wait for one first),
    /// `Closed(value)` when the receiver was closed or dropped.
    ///
    /// ```
    /// use weft::sync::mpsc::{self, TrySendError};
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// assert!(tx.try_send('a').is_ok());
    /// assert_eq!(tx.try_send('b'), Err(TrySendError::Full('b')));
    /// assert_eq!(rx.try_recv(), Ok('a'));
    /// drop(rx);
    /// assert_eq!(tx.try_send('c'), Err(TrySendError::Closed('c')));
    /// ```
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        match self.tx.chan.slots.semaphore.try_acquire(1) {
            Ok(()) => self.tx.chan.push(value).map_err(TrySendError::Closed),
            Err(TryTake::NoPermits) => Err(TrySendError::Full(value)),
            Err(TryTake::Closed) => Err(TrySendError::Closed(value)),
        }
    }

    /// Sends `value` from a plain thread, parking it while the channel is full.
    ///
    /// # Panics
    ///
    /// On a thread that drives a weft runtime (a worker, or inside `block_on`), with a message
    /// that says to use [`send`](Sender::send) instead.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(2);
    /// let producer = std::thread::spawn(move || {
    ///     for i in 0..5 {
    ///         tx.blocking_send(i).unwrap();
    ///     }
    /// });
    /// let got: Vec<i32> = weft::run(async move {
    ///     let mut got = Vec::new();
    ///     while let Some(i) = rx.recv().await {
    ///         got.push(i);
    ///     }
    ///     got
    /// });
    /// producer.join().unwrap();
    /// assert_eq!(got, [0, 1, 2, 3, 4]);
    /// ```
    #[track_caller]
    pub fn blocking_send(&self, value: T) -> Result<(), SendError<T>> {
        blocking::wait(
            self.send(value),
            "Sender::blocking_send",
            "Sender::send(value).await",
        )
    }

    /// Whether the receiver was closed or dropped: every send fails from then on.
    pub fn is_closed(&self) -> bool {
        self.tx.chan.is_closed()
    }

    /// Waits until the receiver is closed or dropped (for a producer that should stop when
    /// nobody listens any more).
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// weft::run(async {
    ///     let (tx, rx) = mpsc::channel::<u32>(4);
    ///     let producer = weft::spawn(async move {
    ///         tx.closed().await;
    ///         "stopped"
    ///     });
    ///     drop(rx);
    ///     assert_eq!(producer.await.unwrap(), "stopped");
    /// });
    /// ```
    pub async fn closed(&self) {
        self.tx.closed().await;
    }

    /// Free slots now: how many values could be sent without waiting, were nobody else
    /// sending.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// let (tx, _rx) = mpsc::channel(3);
    /// tx.try_send(()).unwrap();
    /// assert_eq!(tx.capacity(), 2);
    /// assert_eq!(tx.max_capacity(), 3);
    /// ```
    pub fn capacity(&self) -> usize {
        self.tx.chan.slots.available()
    }

    /// The capacity the channel was made with.
    pub fn max_capacity(&self) -> usize {
        self.tx.chan.slots.capacity()
    }

    /// Whether `self` and `other` send on the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.tx.same_channel(&other.tx)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            tx: self.tx.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("capacity", &self.capacity())
            .field("max_capacity", &self.max_capacity())
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl<T> Receiver<T> {
    /// Receives the next value, waiting for one while the channel is empty.
    ///
    /// `None` once every sender is dropped (or the receiver was [`close`](Receiver::close)d)
    /// and every buffered value was received. Values from one sender arrive in the order it
    /// sent them. Dropping the future before it returns loses no value.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// weft::run(async {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     weft::spawn(async move {
    ///         tx.send("hello").await.unwrap();
    ///     });
    ///     assert_eq!(rx.recv().await, Some("hello"));
    ///     assert_eq!(rx.recv().await, None); // the sender is gone
    /// });
    /// ```
    pub async fn recv(&mut self) -> Option<T> {
        poll_fn(|cx| self.rx.poll_recv(cx)).await
    }

    /// [`recv`](Receiver::recv) as a poll function, for hand-written futures: `Ready(Some)`
    /// with a value, `Ready(None)` when nothing more can come, else `Pending` (and `cx`'s waker
    /// is woken when that changes).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.rx.poll_recv(cx)
    }

    /// Takes a value if one is buffered, without waiting.
    ///
    /// `Empty` when none is buffered now, `Disconnected` when none can come any more (every
    /// sender is gone, or the receiver was closed, and the buffer is empty).
    ///
    /// ```
    /// use weft::sync::mpsc::{self, TryRecvError};
    ///
    /// let (tx, mut rx) = mpsc::channel(2);
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
    /// tx.try_send(5).unwrap();
    /// drop(tx);
    /// assert_eq!(rx.try_recv(), Ok(5));
    /// assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    /// ```
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
    /// that says to use [`recv`](Receiver::recv) instead.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// let (tx, mut rx) = mpsc::channel(1);
    /// let consumer = std::thread::spawn(move || rx.blocking_recv());
    /// weft::run(async move { tx.send(7).await.unwrap() });
    /// assert_eq!(consumer.join().unwrap(), Some(7));
    /// ```
    #[track_caller]
    pub fn blocking_recv(&mut self) -> Option<T> {
        blocking::wait(
            self.recv(),
            "Receiver::blocking_recv",
            "Receiver::recv().await",
        )
    }

    /// Closes the channel without dropping the receiver: every send fails from then on
    /// (waiting ones too, with their value back), and `Sender::closed` returns. What is already
    /// buffered can still be received; then `recv` returns `None`.
    ///
    /// ```
    /// use weft::sync::mpsc;
    ///
    /// weft::run(async {
    ///     let (tx, mut rx) = mpsc::channel(4);
    ///     tx.send(1).await.unwrap();
    ///     rx.close();
    ///     assert!(tx.send(2).await.is_err());
    ///     assert_eq!(rx.recv().await, Some(1));
    ///     assert_eq!(rx.recv().await, None);
    /// });
    /// ```
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

    /// Free slots now.
    pub fn capacity(&self) -> usize {
        self.rx.chan.slots.available()
    }

    /// The capacity the channel was made with.
    pub fn max_capacity(&self) -> usize {
        self.rx.chan.slots.capacity()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.rx.fmt(f)
    }
}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(tx: &Sender<u8>, rx: &mut Receiver<u8>) {
        send_sync::<Sender<std::cell::Cell<u8>>>();
        send_sync::<Receiver<std::cell::Cell<u8>>>();
        send(&tx.send(1));
        send(&tx.closed());
        send(&rx.recv());
    }
};
