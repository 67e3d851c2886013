//! One block of the value queue (`queue.rs`): [`BLOCK_CAP`] value slots, each with its own
//! ready flag, the link to the next block, and the block's release mark.
//!
//! # Who touches what
//!
//! - `start_index`: written before the block is linked (by the sender that allocated it),
//!   read-only after.
//! - A slot: its value is written once by the one sender that reserved its index, which then
//!   sets the slot's `ready` flag (`Release`); the receiver moves the value out after it saw the
//!   flag (`Acquire`). The flag is a plain store and load, no read-modify-write, and each slot
//!   has its own: senders filling one block do not contend on a shared word, and the receiver
//!   reading a slot does not take a line a sender is writing to the next.
//! - `next`: null until one sender links the following block with a compare-exchange, then
//!   fixed.
//! - `released`: 0 until the sender that moved the queue's tail block past this block stores
//!   `observed_tail + 1` (`Release`): no sender looks this block up any more, and the ones that
//!   may still walk through it have indices below `observed_tail` (`queue.rs`). Read by the
//!   receiver (`Acquire`) before it frees the block.

use crate::sync::{AtomicBool, AtomicPtr, AtomicUsize, UnsafeCell};
use std::mem::MaybeUninit;
use std::ptr::{self, NonNull};
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};

/// Values per block (a power of two). Under loom, 2, so that the models cross block
/// boundaries.
pub(crate) const BLOCK_CAP: usize = if cfg!(weft_loom) { 2 } else { 32 };

/// Indices count modulo `2^(usize::BITS - 1)`: the queue's tail word keeps a flag in its low
/// bit. Block starts are multiples of `BLOCK_CAP`, which divides that, so the wrap is seamless.
pub(crate) const INDEX_MASK: usize = usize::MAX >> 1;

/// The index after `index`.
pub(crate) fn next_index(index: usize) -> usize {
    index.wrapping_add(1) & INDEX_MASK
}

/// How many indices lie from `from` up to `to` (modulo the index space).
pub(crate) fn distance(from: usize, to: usize) -> usize {
    to.wrapping_sub(from) & INDEX_MASK
}

/// The index of the first slot of the block that holds `index`.
pub(crate) fn start_of(index: usize) -> usize {
    index & !(BLOCK_CAP - 1)
}

fn offset_of(index: usize) -> usize {
    index & (BLOCK_CAP - 1)
}

pub(crate) struct Block<T> {
    start_index: usize,
    next: AtomicPtr<Block<T>>,
    released: AtomicUsize,
    slots: [Slot<T>; BLOCK_CAP],
}

struct Slot<T> {
    ready: AtomicBool,
    value: UnsafeCell<MaybeUninit<T>>,
}

impl<T> Block<T> {
    /// A new empty block whose first slot is `start_index`, on the heap.
    pub(crate) fn alloc(start_index: usize) -> NonNull<Block<T>> {
        let block = Box::new(Block {
            start_index,
            next: AtomicPtr::new(ptr::null_mut()),
            released: AtomicUsize::new(0),
            slots: std::array::from_fn(|_| Slot {
                ready: AtomicBool::new(false),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            }),
        });
        NonNull::from(Box::leak(block))
    }

    /// Frees a block made by [`alloc`](Block::alloc), without dropping any value in it.
    ///
    /// # Safety
    ///
    /// Nobody accesses the block any more, and values still in it were dropped or moved out.
    pub(crate) unsafe fn dealloc(block: NonNull<Block<T>>) {
        // SAFETY: made by `Box::leak` in `alloc`, and ours alone now (the contract).
        drop(unsafe { Box::from_raw(block.as_ptr()) });
    }

    pub(crate) fn start_index(&self) -> usize {
        self.start_index
    }

    /// The next block, if one is linked.
    pub(crate) fn next(&self) -> Option<NonNull<Block<T>>> {
        // Acquire: pairs with the AcqRel exchange in `grow`, so the next block's
        // `start_index` and empty state are seen as its allocator wrote them.
        NonNull::new(self.next.load(Acquire))
    }

    /// The next block, linking a new one after this if there is none yet.
    pub(crate) fn next_or_grow(&self) -> NonNull<Block<T>> {
        if let Some(next) = self.next() {
            return next;
        }
        let new = Block::alloc(self.start_index.wrapping_add(BLOCK_CAP) & INDEX_MASK);
        // AcqRel: Release publishes the new block's fields to whoever loads `next`; Acquire,
        // on failure, sees the block another sender linked first.
        match self
            .next
            .compare_exchange(ptr::null_mut(), new.as_ptr(), AcqRel, Acquire)
        {
            Ok(_) => new,
            Err(linked) => {
                // SAFETY: `new` was never linked, so nobody else saw it.
                unsafe { Block::dealloc(new) };
                // SAFETY: a failed exchange from null read a non-null pointer.
                unsafe { NonNull::new_unchecked(linked) }
            }
        }
    }

    /// Writes `value` into the slot of `index` and marks it ready.
    ///
    /// # Safety
    ///
    /// `index` is in this block and the caller reserved it (it is the one writer, and writes
    /// once).
    pub(crate) unsafe fn write(&self, index: usize, value: T) {
        let slot = &self.slots[offset_of(index)];
        // SAFETY: the slot is the reserver's until its ready flag is set (module doc).
        slot.value.with_mut(|v| unsafe { (*v).write(value) });
        // Release: pairs with the Acquire in `take`: the receiver that sees the flag sees the
        // value.
        slot.ready.store(true, Release);
    }

    /// Moves the value of `index` out, if its sender has written it.
    ///
    /// # Safety
    ///
    /// Called by the receiver alone, once per index, for an `index` in this block.
    pub(crate) unsafe fn take(&self, index: usize) -> Option<T> {
        let slot = &self.slots[offset_of(index)];
        // Acquire: pairs with the Release in `write`.
        if !slot.ready.load(Acquire) {
            return None;
        }
        Some(slot.value.with(|v| {
            // SAFETY: the cell is alive, and nobody writes it any more (its sender is done).
            let v = unsafe { &*v };
            // SAFETY: the flag is set, so the slot holds a value that is the receiver's now,
            // and it is taken once (the contract).
            unsafe { v.assume_init_read() }
        }))
    }

    /// Whether every slot was written (so every sender of this block is done with it). Called
    /// by a sender walking past the block, once per block it walks past.
    pub(crate) fn is_final(&self) -> bool {
        // Acquire: pairs with the Release of the writes (only the flags matter here).
        self.slots.iter().all(|slot| slot.ready.load(Acquire))
    }

    /// Marks the block released: the queue's tail block moved past it, and the tail index was
    /// `tail` right after that.
    ///
    /// # Safety
    ///
    /// Called once, by the sender whose exchange moved the tail past this block.
    pub(crate) unsafe fn release(&self, tail: usize) {
        // Release: pairs with the Acquire in `observed_tail`. `tail + 1` cannot be 0: indices
        // are below `INDEX_MASK`.
        self.released.store(tail + 1, Release);
    }

    /// The tail index recorded when the block was released, if it was.
    pub(crate) fn observed_tail(&self) -> Option<usize> {
        // Acquire: pairs with the Release in `release`.
        match self.released.load(Acquire) {
            0 => None,
            t => Some(t - 1),
        }
    }

    /// Drops the value of `index` if it was written, for the queue's destructor.
    ///
    /// # Safety
    ///
    /// Exclusive access to the block, and the value of `index` was not taken out.
    pub(crate) unsafe fn drop_value(&self, index: usize) {
        let slot = &self.slots[offset_of(index)];
        // Acquire: as in `take` (the caller's exclusive access orders it already).
        if slot.ready.load(Acquire) {
            slot.value.with_mut(|v| {
                // SAFETY: exclusive access (the contract).
                let v = unsafe { &mut *v };
                // SAFETY: written and not taken (the contract).
                unsafe { v.assume_init_drop() }
            });
        }
    }
}
