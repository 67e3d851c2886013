//! The state the two ends of an `mpsc` channel share, and the sending and receiving logic
//! both kinds of channel use.
//!
//! # The parts
//!
//! | field | what | written by |
//! |---|---|---|
//! | `queue` | the values and the closed flag (`queue.rs`: a lock-free list of blocks) | senders push; the receiver takes and closes |
//! | `slots` | a slot per value (`slots.rs`): the bounded channel's permits; nothing for the unbounded one | senders take one before pushing; the receiver gives one back per value taken |
//! | `rx_waker` | the receiver's waker (`atomic_waker.rs`) | the receiver registers; senders wake |
//! | `tx_count` | how many senders are alive | sender clone and drop |
//! | `closed` | a [`Notify`] for `Sender::closed()` | the receiver's close wakes every waiter |
//!
//! # The protocol
//!
//! - **send**: take a slot (bounded: wait for a permit in the semaphore's line, fair and
//!   cancellation-safe; unbounded: nothing); push the value (set its slot's ready flag, `Release`);
//!   `rx_waker.wake()`. A send refused a permit because the semaphore is closed, or whose push
//!   finds the queue closed (it gives its permit back), returns the value.
//! - **a sender dropped**: `tx_count.fetch_sub` (`AcqRel`); the last one then wakes the
//!   receiver.
//! - **recv**: look (take the next value, giving its slot back); if nothing, register the
//!   waker, read the sender count (`Acquire`), and look again. A value is returned; else, if
//!   the stream ended (every index up to the end was taken: the receiver closed the queue, or
//!   the count read zero), `None`; else `Pending`.
//! - **close** (by the receiver, and by its drop): close the queue (every later push fails;
//!   what was reserved before still comes), then the slots (the semaphore: every waiting send
//!   fails), then `closed.notify_waiters()`. The receiver's drop then drops what is buffered;
//!   values of pushes still under way are dropped with the queue.
//!
//! # Invariants
//!
//! 1. A value in the queue holds a slot, from before its push until the receiver takes it
//!    (bounded: at most `capacity` values are buffered).
//! 2. Once closed no index is reserved again; once `tx_count` is zero it stays zero (only a
//!    sender makes a sender). Either way the end of the stream is known and final.
//! 3. Only the receiver takes values out, registers its waker and closes; `&mut` on the
//!    receiver serializes all three (the `unsafe` calls into `queue.rs` and `atomic_waker.rs`
//!    rely on it).
//!
//! # Why the receiver is never left asleep
//!
//! Everything the receiver waits for is published and then followed by `rx_waker.wake()`: a
//! value (its ready flag, then the wake), the last sender's drop (its `fetch_sub`, then the
//! wake). The receiver registers first and looks second; `atomic_waker.rs` proves that for such
//! a pair either the look sees what was published or the wake finds the waker.
//!
//! # Why `None` never comes early
//!
//! The sender count is read *before* the second look. Zero pairs (`Acquire`) with every
//! sender's `AcqRel` drop (one release sequence on `tx_count`), and every push happens before
//! its sender's drop: the look after it sees every value ever sent, and the tail index it
//! compares with is final. After a close, the end is the tail index the close read; pushes that
//! reserved an index below it write it and wake the receiver, which waits for them.

use super::queue::Queue;
use super::slots::Slots;
use crate::atomic_waker::AtomicWaker;
use crate::notify::Notify;
use crate::sync::{Arc, AtomicUsize};
use crossbeam_utils::CachePadded;
use std::fmt;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
use std::task::{Context, Poll, ready};
use weft_core::coop;

/// The state the senders and the receiver share.
///
/// The parts both sides write on every value (the slots' permit word, the waker's state) each
/// get a cache line of their own, apart from the queue's sender and receiver lines.
pub(crate) struct Chan<T, S> {
    queue: Queue<T>,
    pub(crate) slots: CachePadded<S>,
    rx_waker: CachePadded<AtomicWaker>,
    tx_count: AtomicUsize,
    closed: Notify,
}

impl<T, S: Slots> Chan<T, S> {
    /// A channel with one sender, returned as its two ends.
    pub(crate) fn open(slots: S) -> (Tx<T, S>, Rx<T, S>) {
        let chan = Arc::new(Chan {
            queue: Queue::new(),
            slots: CachePadded::new(slots),
            rx_waker: CachePadded::new(AtomicWaker::new()),
            tx_count: AtomicUsize::new(1),
            closed: Notify::new(),
        });
        (Tx { chan: chan.clone() }, Rx { chan })
    }

    /// Pushes a value whose slot the caller took and wakes the receiver; hands the value back
    /// (and the slot, to the free ones) if the channel is closed.
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        match self.queue.push(value) {
            Ok(()) => {
                self.rx_waker.wake();
                Ok(())
            }
            Err(value) => {
                self.slots.release(1);
                Err(value)
            }
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.queue.is_closed()
    }
}

/// One sender's handle on the channel: counted in `tx_count`.
pub(crate) struct Tx<T, S: Slots> {
    pub(crate) chan: Arc<Chan<T, S>>,
}

impl<T, S: Slots> Tx<T, S> {
    /// Waits until the receiver closes the channel or is dropped.
    pub(crate) async fn closed(&self) {
        // Made before the closed flag is read: a close after the read bumps the generation this
        // future recorded, so it completes; a close before it is seen by the read (Notify's
        // Acquire in `notified` pairs with the AcqRel bump, which comes after the close's
        // `fetch_or`).
        let notified = self.chan.closed.notified();
        if self.chan.is_closed() {
            return;
        }
        notified.await;
    }

    pub(crate) fn same_channel(&self, other: &Tx<T, S>) -> bool {
        Arc::ptr_eq(&self.chan, &other.chan)
    }
}

impl<T, S: Slots> Clone for Tx<T, S> {
    fn clone(&self) -> Self {
        // Relaxed: a new sender is made from a live one, so the count is not zero and cannot
        // reach zero meanwhile; the receiver's look for zero is ordered by the drops.
        self.chan.tx_count.fetch_add(1, Relaxed);
        Tx {
            chan: self.chan.clone(),
        }
    }
}

impl<T, S: Slots> Drop for Tx<T, S> {
    fn drop(&mut self) {
        // AcqRel: Release orders this sender's pushes before the zero the receiver reads (its
        // Acquire in `Rx::no_senders`); Acquire, for the last one, chains the earlier drops.
        if self.chan.tx_count.fetch_sub(1, AcqRel) == 1 {
            self.chan.rx_waker.wake();
        }
    }
}

/// The receiver's handle. The receiver's own fields live in the queue (so that the queue's
/// destructor can drop values pushed after the receiver is gone); this handle's `&mut` is what
/// makes it their only user.
pub(crate) struct Rx<T, S: Slots> {
    pub(crate) chan: Arc<Chan<T, S>>,
}

impl<T, S: Slots> Rx<T, S> {
    /// How many senders are alive now.
    pub(crate) fn sender_count(&self) -> usize {
        // Acquire: pairs with the AcqRel `fetch_sub` of every sender's drop.
        self.chan.tx_count.load(Acquire)
    }

    /// Takes the next value, giving its slot back.
    fn pop(&mut self) -> Option<T> {
        // SAFETY: `&mut self`: we are the receiver, and the only one.
        let value = unsafe { self.chan.queue.pop() }?;
        self.chan.slots.release(1);
        Some(value)
    }

    fn is_drained(&self, no_senders: bool) -> bool {
        // SAFETY: called from the receiver's `&mut` methods only.
        unsafe { self.chan.queue.is_drained(no_senders) }
    }

    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let coop = ready!(coop::poll_proceed(cx));
        if let Some(value) = self.pop() {
            coop.made_progress();
            return Poll::Ready(Some(value));
        }
        // SAFETY: `&mut self`: the only receiver, so the only registrar.
        unsafe { self.chan.rx_waker.register(cx.waker()) };
        // Read before the second look ("Why `None` never comes early").
        let no_senders = self.sender_count() == 0;
        if let Some(value) = self.pop() {
            coop.made_progress();
            return Poll::Ready(Some(value));
        }
        if self.is_drained(no_senders) {
            coop.made_progress();
            return Poll::Ready(None);
        }
        Poll::Pending
    }

    /// A value if one is buffered; `Err(true)` if none can come any more, `Err(false)` if
    /// one still may.
    pub(crate) fn try_recv(&mut self) -> Result<T, bool> {
        if let Some(value) = self.pop() {
            return Ok(value);
        }
        let no_senders = self.sender_count() == 0;
        match self.pop() {
            Some(value) => Ok(value),
            None => Err(self.is_drained(no_senders)),
        }
    }

    /// Closes the channel: sends fail from now on (bounded: waiting ones too), and
    /// `Sender::closed` returns. What is buffered can still be received.
    pub(crate) fn close(&mut self) {
        // SAFETY: `&mut self`: we are the receiver.
        if unsafe { self.chan.queue.close() } {
            self.chan.slots.close();
            self.chan.closed.notify_waiters();
        }
    }

    /// Values buffered now (counting those whose push is under way).
    pub(crate) fn len(&self) -> usize {
        // SAFETY: `&self` on the receiver: nobody holds its `&mut`, so nobody writes its fields.
        unsafe { self.chan.queue.len() }
    }
}

impl<T, S: Slots> Drop for Rx<T, S> {
    fn drop(&mut self) {
        self.close();
        // Drop what is buffered now; values of pushes still under way are dropped with the
        // queue, when the last sender is gone.
        while self.pop().is_some() {}
    }
}

impl<T, S: Slots> fmt::Debug for Rx<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("len", &self.len())
            .field("closed", &self.chan.is_closed())
            .finish()
    }
}
