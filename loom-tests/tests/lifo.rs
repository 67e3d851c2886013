//! loom models of the LIFO slot (`scheduler/lifo.rs`): the owner puts and takes while a thief
//! takes, and every task is taken exactly once, none is lost or duplicated; and the
//! stuck-owner hand-off: a task in the slot of an owner stuck in one poll is taken by a thief
//! within two looks.
#![cfg(weft_loom)]

mod support;

use loom::sync::Arc;
use loom::sync::atomic::AtomicU64;
use loom::thread;
use std::cell::Cell;
use std::sync::atomic::Ordering::Relaxed;
use support::Queue;
use weft_core::scheduler::loom_internals::LifoSlot;

#[test]
fn owner_and_thief_take_each_task_exactly_once() {
    loom::model(|| {
        let queue = Queue::new();
        // Two tasks whose first Notified we route through the slot by hand.
        let a = queue.spawn(async {});
        let b = queue.spawn(async {});
        let slot = Arc::new(LifoSlot::default());
        let mut entries = Vec::new();
        while let Some(task) = queue.pop() {
            entries.push(task);
        }
        let second = entries.pop().unwrap();
        let first = entries.pop().unwrap();
        assert!(slot.put(first).is_none());
        let thief = {
            let slot = slot.clone();
            thread::spawn(move || slot.take().map(|t| t.id()))
        };
        // The owner schedules another task: the slot's previous task, if still there, comes
        // back to the owner.
        let displaced = slot.put(second).map(|t| t.id());
        let owner_took = slot.take().map(|t| t.id());
        let stolen = thread_join(thief);
        let mut seen: Vec<_> = [displaced, owner_took, stolen]
            .into_iter()
            .flatten()
            .collect();
        seen.sort();
        let mut expected = vec![a.id(), b.id()];
        expected.sort();
        assert_eq!(seen, expected, "each task taken exactly once");
        // The tasks never ran: cancel them so they release the queue they hold.
        queue.registry().close();
    });
}

#[test]
fn a_stuck_owners_task_is_taken_by_a_thief_within_two_looks() {
    loom::model(|| {
        let queue = Queue::new();
        let woken = queue.spawn(async {});
        let task = queue.pop().unwrap();
        let slot = Arc::new(LifoSlot::default());
        let polls = Arc::new(AtomicU64::new(0));
        // The owner starts a poll (its count goes to 1), which wakes a task into the slot, and
        // then never returns from that poll.
        let owner = {
            let (slot, polls) = (slot.clone(), polls.clone());
            thread::spawn(move || {
                polls.store(1, Relaxed);
                assert!(slot.put(task).is_none());
            })
        };
        // A thief's look racing the owner: it may see the slot empty, or filled with the count
        // at 0 or 1 (the loads are relaxed hints).
        let seen = Cell::new(u64::MAX);
        let early = slot.steal_if_stuck(&polls, &seen);
        assert!(early.is_none(), "one look is never enough");
        thread_join(owner);
        // The owner is stuck now: two more looks take the task.
        let taken = slot
            .steal_if_stuck(&polls, &seen)
            .or_else(|| slot.steal_if_stuck(&polls, &seen));
        assert_eq!(
            taken.map(|t| t.id()),
            Some(woken.id()),
            "the task behind a stuck owner was not taken"
        );
        queue.registry().close();
    });
}

fn thread_join<T>(t: thread::JoinHandle<T>) -> T {
    t.join().unwrap()
}
