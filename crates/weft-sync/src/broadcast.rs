//! A broadcast channel: every receiver sees every value sent after it subscribed, in order.
//!
//! # How it is built
//!
//! One small lock over a ring of the last `capacity` values (each in an `Arc`, so a receiver
//! clones the value after the lock is released: `Clone` is user code), the sequence number of
//! the oldest one (`head`), the sender and receiver counts, and one waker slot per receiver.
//! A receiver is a position (`next`, the sequence number of the value it takes from the ring
//! next) plus a small local batch: when its batch is empty it takes up to `BATCH` (32) values (as
//! `Arc` clones) in one lock, so a receiver behind the sender takes the lock once per batch,
//! not once per value (64 receivers of one sender fought over the lock 7x slower than tokio
//! before). Values in the batch were taken in order before anything could overwrite them.
//!
//! # Invariants
//!
//! - The ring holds the values `head .. head + ring.len()`; a send past `capacity` evicts the
//!   oldest and bumps `head`. A receiver with `next < head` fell behind: it gets
//!   `Lagged(head - next)` once and goes on from `head`.
//! - A receiver that finds nothing to read stores its waker in its slot and records the slot
//!   in `waiting`, under the lock; every send (and the last sender's drop) takes the wakers of
//!   `waiting` under the same lock and wakes them after releasing it. So a value sent after
//!   the receiver looked wakes it, and a dropped `recv` leaves at most one stale waker,
//!   woken once for nothing.
//! - With no receiver left, values can never be read (a new subscriber starts at the end):
//!   `send` fails and the ring is emptied.
//! - Values evicted or emptied out are dropped after the lock is released (their destructors
//!   are user code too).

use crate::sync::{Mutex, MutexGuard};
use std::collections::VecDeque;
use std::fmt;
use std::future::poll_fn;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use weft_core::coop;

/// Makes a broadcast channel that keeps the last `capacity` values for receivers that are
/// behind (tokio: `broadcast::channel`).
///
/// ```
/// weft::run(async {
///     let (tx, mut rx1) = weft::sync::broadcast::channel(16);
///     let mut rx2 = tx.subscribe();
///     assert_eq!(tx.send("hello").unwrap(), 2); // two receivers will see it
///     assert_eq!(rx1.recv().await.unwrap(), "hello");
///     assert_eq!(rx2.recv().await.unwrap(), "hello");
/// });
/// ```
///
/// # Panics
///
/// When `capacity` is 0, with a message that says the capacity must be at least 1.
#[track_caller]
pub fn channel<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    assert!(
        capacity > 0,
        "broadcast::channel(0): the capacity must be at least 1"
    );
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            ring: VecDeque::with_capacity(capacity.min(1024)),
            head: 0,
            capacity,
            senders: 1,
            receivers: 0,
            slots: Vec::new(),
            free: Vec::new(),
            waiting: Vec::new(),
        }),
    });
    let rx = Receiver::subscribe_to(&shared);
    (Sender { shared }, rx)
}

struct Shared<T> {
    state: Mutex<State<T>>,
}

struct State<T> {
    ring: VecDeque<Arc<T>>,
    /// The sequence number of `ring[0]`.
    head: u64,
    capacity: usize,
    senders: usize,
    receivers: usize,
    /// One waker slot per receiver (indexed by `Receiver::slot`).
    slots: Vec<Option<Waker>>,
    free: Vec<usize>,
    /// Slots that hold a waker to wake on the next send.
    waiting: Vec<usize>,
}

impl<T> State<T> {
    fn tail(&self) -> u64 {
        self.head + self.ring.len() as u64
    }

    fn take_waiters(&mut self) -> Vec<Waker> {
        let mut wakers = Vec::with_capacity(self.waiting.len());
        for index in self.waiting.drain(..) {
            if let Some(waker) = self.slots.get_mut(index).and_then(Option::take) {
                wakers.push(waker);
            }
        }
        wakers
    }
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // No user code runs under this lock (values are cloned and dropped after it).
        self.state.lock()
    }
}

/// The sending side; clone it for more senders.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// Values a receiver takes from the ring in one lock.
const BATCH: usize = 32;

/// A receiving side: sees every value sent after it was made, in order.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
    next: u64,
    slot: usize,
    /// Values taken from the ring, not yet returned (oldest first).
    batch: VecDeque<Arc<T>>,
}

/// `send` found no receiver; the value is given back (`err.0`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

/// Why `recv` returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecvError {
    /// Every sender is gone and this receiver has seen every value.
    Closed,
    /// The receiver fell behind: this many values were overwritten before it read them. The
    /// next `recv` returns the oldest value still kept.
    Lagged(u64),
}

/// Why `try_recv` returned no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TryRecvError {
    /// No value is waiting for this receiver now.
    Empty,
    /// Every sender is gone and this receiver has seen every value.
    Closed,
    /// The receiver fell behind by this many values (see [`RecvError::Lagged`]).
    Lagged(u64),
}

impl<T> Sender<T> {
    /// Sends `value` to every receiver; returns how many will see it.
    ///
    /// # Errors
    ///
    /// [`SendError`] holding `value` when there is no receiver.
    pub fn send(&self, value: T) -> Result<usize, SendError<T>> {
        let (receivers, evicted, wakers) = {
            let mut state = self.shared.lock();
            if state.receivers == 0 {
                return Err(SendError(value));
            }
            state.ring.push_back(Arc::new(value));
            let evicted = if state.ring.len() > state.capacity {
                state.head += 1;
                state.ring.pop_front()
            } else {
                None
            };
            (state.receivers, evicted, state.take_waiters())
        };
        drop(evicted);
        weft_core::unwind::wake_all(wakers);
        Ok(receivers)
    }

    /// A new receiver that sees the values sent from now on.
    pub fn subscribe(&self) -> Receiver<T> {
        Receiver::subscribe_to(&self.shared)
    }

    /// How many receivers there are now.
    pub fn receiver_count(&self) -> usize {
        self.shared.lock().receivers
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Sender<T> {
        self.shared.lock().senders += 1;
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let wakers = {
            let mut state = self.shared.lock();
            state.senders -= 1;
            if state.senders > 0 {
                return;
            }
            // The last sender: every waiting receiver must see `Closed`.
            let mut wakers = state.take_waiters();
            wakers.extend(state.slots.iter_mut().filter_map(Option::take));
            wakers
        };
        weft_core::unwind::wake_all(wakers);
    }
}

impl<T> Receiver<T> {
    fn subscribe_to(shared: &Arc<Shared<T>>) -> Receiver<T> {
        let mut state = shared.lock();
        state.receivers += 1;
        let slot = match state.free.pop() {
            Some(slot) => slot,
            None => {
                state.slots.push(None);
                state.slots.len() - 1
            }
        };
        let next = state.tail();
        drop(state);
        Receiver {
            shared: shared.clone(),
            next,
            slot,
            batch: VecDeque::new(),
        }
    }

    /// A new receiver on the same channel that sees the values sent from now on.
    pub fn resubscribe(&self) -> Receiver<T> {
        Receiver::subscribe_to(&self.shared)
    }

    /// How many values are waiting for this receiver (sent, kept, and not read yet).
    pub fn len(&self) -> usize {
        let state = self.shared.lock();
        let in_ring = state.tail().saturating_sub(self.next.max(state.head));
        usize::try_from(in_ring).unwrap_or(usize::MAX) + self.batch.len()
    }

    /// Whether no value is waiting for this receiver.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes the next value without waiting (`cx` given: stores the waker when there is none).
    fn poll_take(&mut self, cx: Option<&Context<'_>>) -> Poll<Result<Arc<T>, TryRecvError>> {
        if let Some(value) = self.batch.pop_front() {
            return Poll::Ready(Ok(value));
        }
        let mut state = self.shared.lock();
        if self.next < state.head {
            let skipped = state.head - self.next;
            self.next = state.head;
            return Poll::Ready(Err(TryRecvError::Lagged(skipped)));
        }
        if self.next < state.tail() {
            let start = usize::try_from(self.next - state.head).expect("within the ring");
            let end = state.ring.len().min(start + BATCH);
            self.batch.extend(state.ring.range(start..end).cloned());
            self.next += (end - start) as u64;
            let value = self.batch.pop_front().expect("at least one value taken");
            return Poll::Ready(Ok(value));
        }
        if state.senders == 0 {
            return Poll::Ready(Err(TryRecvError::Closed));
        }
        let Some(cx) = cx else {
            return Poll::Ready(Err(TryRecvError::Empty));
        };
        let slot = &mut state.slots[self.slot];
        match slot {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            Some(waker) => waker.clone_from(cx.waker()),
            None => {
                *slot = Some(cx.waker().clone());
                let index = self.slot;
                state.waiting.push(index);
            }
        }
        Poll::Pending
    }
}

impl<T: Clone> Receiver<T> {
    /// Waits for the next value.
    ///
    /// # Errors
    ///
    /// [`RecvError::Lagged`] once when this receiver fell more than `capacity` values behind;
    /// [`RecvError::Closed`] once every sender is gone and every value was seen.
    pub async fn recv(&mut self) -> Result<T, RecvError> {
        let value = poll_fn(|cx| {
            let coop = std::task::ready!(coop::poll_proceed(cx));
            let poll = self.poll_take(Some(cx));
            if poll.is_ready() {
                coop.made_progress();
            }
            poll
        })
        .await;
        match value {
            Ok(value) => Ok(T::clone(&value)),
            Err(TryRecvError::Lagged(n)) => Err(RecvError::Lagged(n)),
            Err(TryRecvError::Closed | TryRecvError::Empty) => Err(RecvError::Closed),
        }
    }

    /// Takes the next value if one is waiting.
    ///
    /// # Errors
    ///
    /// [`TryRecvError::Empty`] when none is; `Lagged` and `Closed` as [`recv`](Self::recv).
    pub fn try_recv(&mut self) -> Result<T, TryRecvError> {
        match self.poll_take(None) {
            Poll::Ready(Ok(value)) => Ok(T::clone(&value)),
            Poll::Ready(Err(e)) => Err(e),
            Poll::Pending => Err(TryRecvError::Empty),
        }
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let (stale, emptied) = {
            let mut state = self.shared.lock();
            state.receivers -= 1;
            let stale = state.slots[self.slot].take();
            state.free.push(self.slot);
            let emptied = if state.receivers == 0 {
                // Nobody can read these any more.
                let tail = state.tail();
                state.head = tail;
                std::mem::take(&mut state.ring)
            } else {
                VecDeque::new()
            };
            (stale, emptied)
        };
        drop(stale);
        drop(emptied);
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("receivers", &self.receiver_count())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("len", &self.len())
            .finish()
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the broadcast channel has no receiver")
    }
}

impl<T> std::error::Error for SendError<T> {}

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvError::Closed => f.write_str("every sender is gone"),
            RecvError::Lagged(n) => write!(f, "the receiver fell behind by {n} values"),
        }
    }
}

impl std::error::Error for RecvError {}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.write_str("no value is waiting"),
            TryRecvError::Closed => f.write_str("every sender is gone"),
            TryRecvError::Lagged(n) => write!(f, "the receiver fell behind by {n} values"),
        }
    }
}

impl std::error::Error for TryRecvError {}

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(rx: &mut Receiver<String>) {
        send_sync::<Sender<String>>();
        send_sync::<Receiver<String>>();
        send(&rx.recv());
    }
};
