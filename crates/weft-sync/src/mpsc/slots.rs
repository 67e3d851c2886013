//! A value's slot in an `mpsc` channel: what a sender takes before it pushes a value and the
//! receiver gives back when it takes the value out.
//!
//! - [`Bounded`]: the channel's capacity as permits of the batch semaphore (`batch.rs`). A
//!   sender waits for a permit in line (fair, and a waiting send that is dropped passes a
//!   permit it was granted to the next one); the receiver releases one per value it takes.
//!   Closing the channel closes the semaphore, which fails every waiting and later send.
//! - [`Unbounded`]: nothing to take. A send pushes at once (the queue itself refuses values
//!   once the channel is closed).

use crate::batch::{BatchSemaphore, MAX_PERMITS};

/// What the receiving side needs of either kind of slot.
pub(crate) trait Slots {
    /// The receiver took `n` values out: their slots are free again.
    fn release(&self, n: usize);
    /// The receiver closed the channel: waiting sends fail.
    fn close(&self);
}

/// The bounded channel's slots: `capacity` permits of a batch semaphore.
pub(crate) struct Bounded {
    pub(crate) semaphore: BatchSemaphore,
    capacity: usize,
}

impl Bounded {
    /// # Panics
    ///
    /// When `capacity` is 0, or more than a semaphore can hold.
    #[track_caller]
    pub(crate) fn new(capacity: usize) -> Bounded {
        assert!(
            capacity >= 1,
            "mpsc::channel: the capacity must be at least 1 (got 0); use a capacity of 1 for a \
             hand-off, or `unbounded_channel` for no bound"
        );
        assert!(
            capacity <= MAX_PERMITS,
            "mpsc::channel: the capacity must be at most {MAX_PERMITS} (got {capacity})"
        );
        Bounded {
            semaphore: BatchSemaphore::new(capacity),
            capacity,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }

    /// Free slots now.
    pub(crate) fn available(&self) -> usize {
        self.semaphore.available_permits()
    }
}

impl Slots for Bounded {
    fn release(&self, n: usize) {
        self.semaphore.release(n);
    }

    fn close(&self) {
        self.semaphore.close();
    }
}

/// The unbounded channel's slots: there are none to take.
pub(crate) struct Unbounded;

impl Slots for Unbounded {
    fn release(&self, _n: usize) {}

    fn close(&self) {}
}
