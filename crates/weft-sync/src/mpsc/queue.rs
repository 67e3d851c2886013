//! The value queue of the `mpsc` channels: a lock-free linked list of blocks (`block.rs`)
//! that many senders push to and one receiver takes from, with the channel's closed flag in
//! the same word as the tail index.
//!
//! # The parts
//!
//! | field | what | who |
//! |---|---|---|
//! | `tail` | `index << 1 \| CLOSED`: the next index to reserve, and whether the receiver closed the queue | senders `fetch_add`; the receiver's close `fetch_or`s |
//! | `block_tail` | a block at or before the one that holds `tail`; senders start looking from it | moved on, by compare-exchange, past blocks whose every slot is written |
//! | `rx` (`head`, `free_head`, `index`, `end`) | the receiver's place: the block and index it reads next, the oldest block not yet freed, where the stream ends once closed | the receiver alone |
//!
//! # Pushing and taking
//!
//! - **push**: `tail.fetch_add(1 << 1)` reserves an index (one read-modify-write, shared by
//!   every sender) unless `CLOSED` was set, then the value is handed back. Find the index's block
//!   from `block_tail`, linking new blocks at the end as needed; write the value; set the slot's
//!   ready flag (`Release`).
//! - **take** (receiver): move `head` on to the block of `index` (if it is linked yet); free the
//!   blocks before it that no sender can still reach (below); if the slot's ready flag is set
//!   (`Acquire`), move the value out and step `index`.
//! - **close** (receiver): `tail.fetch_or(CLOSED)`, which returns the tail at that moment: the
//!   stream ends there (`end`). Every index below it was reserved by a push that will write it;
//!   every push after it fails.
//!
//! Order: indices are reserved in one total order (the `fetch_add`s on `tail`) and the receiver
//! takes them in that order, so one sender's values come out in the order it sent them.
//!
//! # When a block may be freed
//!
//! A sender that reserved index `i` reads `block_tail` after its `fetch_add` and walks forward
//! from there; so it may touch any block from the one `block_tail` named then up to the block of
//! `i`, until it has written `i`. A sender moves `block_tail` past block `B` only when every slot
//! of `B` is written (so no sender still looks for `B` itself); right after its exchange it reads
//! `tail` with `fetch_add(0)` (`Release`) and records it in `B` as `observed_tail`, then sets
//! `RELEASED`. The receiver frees `B` once it sees `RELEASED` and its own `index` has reached
//! `observed_tail`. That is safe, because a sender that can still touch `B` is either:
//!
//! - one whose `fetch_add` came before that `fetch_add(0)` in `tail`'s order: its index is below
//!   `observed_tail`, so the receiver has taken its value, so it has finished writing (and a
//!   sender touches no block after its write); or
//! - one whose `fetch_add` came after it: its `fetch_add` (`Acquire`) reads a value the
//!   `fetch_add(0)` (`Release`) wrote or a later one, so it synchronizes with it, and the
//!   exchange that moved `block_tail` past `B` happens before its load of `block_tail`. It starts
//!   after `B` and never touches it.
//!
//! # The end of the stream
//!
//! The receiver knows nothing more can come when its `index` reaches `end` (it closed the queue)
//! or reaches the tail index once every sender is gone (`Chan` reads the sender count, `Acquire`,
//! before it looks; every push happens before its sender's drop, so by then every reserved index
//! is written and `tail` is final).

use super::block::{self, Block};
use crate::sync::{AtomicPtr, AtomicUsize, UnsafeCell};
use crossbeam_utils::CachePadded;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

const CLOSED: usize = 1;
const ONE: usize = 1 << 1;

/// The queue; see the module doc.
///
/// The senders' fields and the receiver's are a cache line apart: senders write `tail` on every
/// push, and the receiver should not lose its line to them each time.
pub(crate) struct Queue<T> {
    tail: CachePadded<AtomicUsize>,
    block_tail: AtomicPtr<Block<T>>,
    rx: CachePadded<UnsafeCell<RxSide<T>>>,
}

/// The receiver's place in the queue.
struct RxSide<T> {
    /// The block that holds `index`, or the one before it while that one is not linked yet.
    head: NonNull<Block<T>>,
    /// The oldest block not freed yet (at or before `head`).
    free_head: NonNull<Block<T>>,
    /// The next index to take.
    index: usize,
    /// Where the stream ends, once the receiver closed the queue.
    end: Option<usize>,
}

// SAFETY: blocks move values of `T` between threads (`T: Send`), and every access to a block's
// cells and to `rx` follows the ownership rules of the module doc and `block.rs`: senders write
// only the slots they reserved, the receiver's fields are touched only by the receiver (the
// `unsafe` methods' contract) or by `drop`, with exclusive access.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T> Queue<T> {
    pub(crate) fn new() -> Queue<T> {
        Queue::starting_at(0)
    }

    /// A queue whose first index is `index` (the tests start near the wrap of the index space).
    fn starting_at(index: usize) -> Queue<T> {
        let first = Block::alloc(block::start_of(index));
        Queue {
            tail: CachePadded::new(AtomicUsize::new(index << 1)),
            block_tail: AtomicPtr::new(first.as_ptr()),
            rx: CachePadded::new(UnsafeCell::new(RxSide {
                head: first,
                free_head: first,
                index,
                end: None,
            })),
        }
    }

    /// Appends `value`; hands it back if the receiver closed the queue.
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        // Acquire: pairs with the Release `fetch_add(0)` of a sender that moved `block_tail`
        // on ("When a block may be freed"). The index is ours alone from here.
        let prev = self.tail.fetch_add(ONE, Acquire);
        if prev & CLOSED != 0 {
            return Err(value);
        }
        let index = (prev >> 1) & block::INDEX_MASK;
        let block = self.find_block(index);
        // SAFETY: `block` holds `index`, which we reserved; it cannot be freed before we have
        // written it (module doc).
        let block = unsafe { block.as_ref() };
        // SAFETY: `index` is in `block`, and we reserved it.
        unsafe { block.write(index, value) };
        Ok(())
    }

    /// The block that holds `index`, linking new blocks as needed; moves `block_tail` past
    /// blocks found full on the way.
    fn find_block(&self, index: usize) -> NonNull<Block<T>> {
        let start = block::start_of(index);
        // Acquire: pairs with the Release exchange below, so the block's fields are seen.
        let mut curr = self.block_tail.load(Acquire);
        loop {
            // SAFETY: `curr` is `block_tail` as read after our reservation, or a block after it;
            // no such block is freed before we write our index (module doc).
            let block = unsafe { &*curr };
            if block.start_index() == start {
                // SAFETY: blocks are never null.
                return unsafe { NonNull::new_unchecked(curr) };
            }
            let next = block.next_or_grow();
            if block.is_final() {
                self.try_advance_tail(curr, next);
            }
            curr = next.as_ptr();
        }
    }

    /// Moves `block_tail` from `block` (every slot of which is written) to `next`, unless
    /// another sender did; the one that moves it releases `block`.
    fn try_advance_tail(&self, block: *mut Block<T>, next: NonNull<Block<T>>) {
        // Release: pairs with the Acquire load of `block_tail` in `find_block`.
        if self
            .block_tail
            .compare_exchange(block, next.as_ptr(), Release, Relaxed)
            .is_ok()
        {
            // Release: pairs with the Acquire `fetch_add` of every later push, which then
            // sees `block_tail` past `block` (module doc). A read-modify-write, so it takes its
            // place in `tail`'s single order.
            let tail = (self.tail.fetch_add(0, Release) >> 1) & block::INDEX_MASK;
            // SAFETY: `block` is alive: the receiver frees it only after seeing it released,
            // which is what this does.
            let block = unsafe { &*block };
            // SAFETY: our exchange moved the tail past `block`; only one exchange can, once.
            unsafe { block.release(tail) };
        }
    }

    /// Whether the receiver closed the queue.
    pub(crate) fn is_closed(&self) -> bool {
        // Acquire: pairs with the AcqRel `fetch_or` in `close`.
        self.tail.load(Acquire) & CLOSED != 0
    }

    /// Closes the queue: every push fails from now on. Returns whether this call closed it.
    ///
    /// # Safety
    ///
    /// Called by the receiver alone (it writes the receiver's fields).
    pub(crate) unsafe fn close(&self) -> bool {
        // AcqRel: Release publishes the close to `is_closed`; the old value, read in the word's
        // single order, is the last index a push reserved before the close.
        let prev = self.tail.fetch_or(CLOSED, AcqRel);
        if prev & CLOSED != 0 {
            return false;
        }
        // SAFETY: the receiver's fields are the caller's (the contract).
        self.rx
            .with_mut(|rx| unsafe { (*rx).end = Some((prev >> 1) & block::INDEX_MASK) });
        true
    }

    /// Takes the next value, if its sender has written it.
    ///
    /// # Safety
    ///
    /// Called by the receiver alone.
    pub(crate) unsafe fn pop(&self) -> Option<T> {
        // SAFETY: the receiver's fields are the caller's (the contract).
        let rx = self.rx.with_mut(|rx| unsafe { &mut *rx });
        let start = block::start_of(rx.index);
        let mut moved = false;
        loop {
            // SAFETY: `head` is not freed while it is the head (only blocks before it are).
            let head = unsafe { rx.head.as_ref() };
            if head.start_index() == start {
                break;
            }
            // The block of `index` is after `head`: step to it, if it is linked yet.
            rx.head = head.next()?;
            moved = true;
        }
        if moved {
            // The blocks before the new head may be freeable now.
            free_blocks(rx);
        }
        // SAFETY: as above.
        let head = unsafe { rx.head.as_ref() };
        // SAFETY: the receiver takes each index once, and `index` is in `head`.
        let value = unsafe { head.take(rx.index) }?;
        rx.index = block::next_index(rx.index);
        Some(value)
    }

    /// Whether nothing more can come: the receiver took everything up to the end of the stream.
    /// `no_senders` says every sender is gone (read, `Acquire`, before the last look).
    ///
    /// # Safety
    ///
    /// Called by the receiver alone.
    pub(crate) unsafe fn is_drained(&self, no_senders: bool) -> bool {
        // SAFETY: the receiver's fields are the caller's (the contract).
        let rx = self.rx.with(|rx| unsafe { &*rx });
        let end = match rx.end {
            Some(end) => end,
            // Acquire: with the sender count's Acquire, every push is visible: `tail` is final.
            None if no_senders => (self.tail.load(Acquire) >> 1) & block::INDEX_MASK,
            None => return false,
        };
        rx.index == end
    }

    /// Values pushed (or reserved by a push under way) and not yet taken.
    ///
    /// # Safety
    ///
    /// Called by the receiver alone, or while it cannot run (it reads the receiver's fields).
    pub(crate) unsafe fn len(&self) -> usize {
        // SAFETY: the caller keeps the receiver from writing meanwhile (the contract).
        let rx = self.rx.with(|rx| unsafe { &*rx });
        let end = rx
            .end
            .unwrap_or_else(|| (self.tail.load(Acquire) >> 1) & block::INDEX_MASK);
        block::distance(rx.index, end)
    }
}

/// Frees the blocks before `head` that no sender can still touch ("When a block may be
/// freed").
fn free_blocks<T>(rx: &mut RxSide<T>) {
    while rx.free_head != rx.head {
        // SAFETY: blocks from `free_head` on are alive.
        let block = unsafe { rx.free_head.as_ref() };
        let Some(observed) = block.observed_tail() else {
            return;
        };
        // Has `index` reached `observed`? Both lie within a window far smaller than half the
        // index space, so the distance tells.
        if block::distance(observed, rx.index) > block::INDEX_MASK / 2 {
            return;
        }
        let Some(next) = block.next() else {
            unreachable!("a block before the head has a next block");
        };
        let freed = rx.free_head;
        rx.free_head = next;
        // SAFETY: released, and every sender that could reach it has finished (module doc);
        // its values were all taken by the receiver (it is before `head`).
        unsafe { Block::dealloc(freed) };
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        // `&mut self`: every sender and the receiver are gone, and their accesses happen before
        // this (the channel's `Arc`).
        let rx = self.rx.get_mut();
        let end = rx
            .end
            .unwrap_or_else(|| (self.tail.load(Acquire) >> 1) & block::INDEX_MASK);
        // Drop the values pushed but not taken (after the receiver was dropped, or never taken).
        let mut index = rx.index;
        let mut block = Some(rx.head);
        while index != end {
            let Some(b) = block else { break };
            // SAFETY: blocks from `free_head` on are alive, and ours alone now.
            let b = unsafe { b.as_ref() };
            if b.start_index() != block::start_of(index) {
                block = b.next();
                continue;
            }
            // SAFETY: exclusive access; the receiver did not take `index`.
            unsafe { b.drop_value(index) };
            index = block::next_index(index);
        }
        // Free every block.
        let mut next = Some(rx.free_head);
        while let Some(b) = next {
            // SAFETY: alive, ours alone.
            next = unsafe { b.as_ref() }.next();
            // SAFETY: nobody else can touch it, and its values were dropped or taken above.
            unsafe { Block::dealloc(b) };
        }
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;
    use crate::mpsc::block::BLOCK_CAP;
    use std::sync::Arc;
    use std::sync::atomic::AtomicUsize as Count;
    use std::sync::atomic::Ordering::SeqCst;

    struct Tracked(Arc<Count>);

    impl Drop for Tracked {
        fn drop(&mut self) {
            self.0.fetch_add(1, SeqCst);
        }
    }

    fn take_all(q: &Queue<usize>) -> Vec<usize> {
        // SAFETY: the test is the only receiver.
        std::iter::from_fn(|| unsafe { q.pop() }).collect()
    }

    #[test]
    fn values_come_out_in_order_across_many_blocks() {
        let q = Queue::new();
        let n = BLOCK_CAP * 5 + 3;
        for i in 0..n {
            q.push(i).unwrap();
        }
        // SAFETY: the only receiver.
        assert_eq!(unsafe { q.len() }, n);
        assert_eq!(take_all(&q), (0..n).collect::<Vec<_>>());
        // SAFETY: as above.
        assert_eq!(unsafe { q.len() }, 0);
        // Pushing and taking in turns reuses nothing it should not: still in order.
        for i in 0..3 * BLOCK_CAP {
            q.push(i).unwrap();
            assert_eq!(take_all(&q), [i]);
        }
    }

    #[test]
    fn indices_wrap_around_the_index_space() {
        let start = block::INDEX_MASK - BLOCK_CAP - 2;
        let q = Queue::starting_at(start);
        let n = 3 * BLOCK_CAP;
        for i in 0..n {
            q.push(i).unwrap();
        }
        // SAFETY: the only receiver.
        assert_eq!(unsafe { q.len() }, n);
        assert_eq!(take_all(&q), (0..n).collect::<Vec<_>>());
        // SAFETY: as above.
        assert!(unsafe { q.is_drained(true) });
    }

    #[test]
    fn a_closed_queue_refuses_values_and_ends_after_the_ones_before_the_close() {
        let q = Queue::new();
        q.push(1).unwrap();
        // SAFETY: the only receiver.
        assert!(unsafe { q.close() });
        // SAFETY: as above.
        assert!(!unsafe { q.close() }, "closes once");
        assert!(q.is_closed());
        assert_eq!(q.push(2), Err(2));
        // SAFETY: as above.
        assert!(!unsafe { q.is_drained(false) });
        assert_eq!(take_all(&q), [1]);
        // SAFETY: as above.
        assert!(unsafe { q.is_drained(false) });
        // SAFETY: as above.
        assert_eq!(unsafe { q.len() }, 0, "the refused push is not counted");
    }

    #[test]
    fn dropping_the_queue_drops_every_value_not_taken_once() {
        let drops = Arc::new(Count::new(0));
        let q = Queue::new();
        let n = 2 * BLOCK_CAP + 5;
        for _ in 0..n {
            assert!(q.push(Tracked(drops.clone())).is_ok());
        }
        for _ in 0..BLOCK_CAP + 1 {
            // SAFETY: the only receiver.
            drop(unsafe { q.pop() }.unwrap());
        }
        assert_eq!(drops.load(SeqCst), BLOCK_CAP + 1);
        drop(q);
        assert_eq!(drops.load(SeqCst), n);
    }

    #[test]
    fn senders_on_many_threads_each_keep_their_order() {
        let q = Arc::new(Queue::new());
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let q = q.clone();
                std::thread::spawn(move || {
                    for i in 0..10_000 {
                        q.push((t, i)).unwrap();
                    }
                })
            })
            .collect();
        let mut next = [0; 4];
        let mut got = 0;
        while got < 40_000 {
            // SAFETY: this thread is the only receiver.
            if let Some((t, i)) = unsafe { q.pop() } {
                assert_eq!(i, next[t], "sender {t} out of order");
                next[t] += 1;
                got += 1;
            } else {
                std::thread::yield_now();
            }
        }
        for t in threads {
            t.join().unwrap();
        }
        // SAFETY: as above.
        assert!(unsafe { q.pop() }.is_none());
    }
}
