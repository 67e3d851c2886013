//! loom model of the LIFO slot (`scheduler/lifo.rs`): the owner puts and takes while a thief
//! takes; every task is taken exactly once, none is lost or duplicated.
#![cfg(weft_loom)]

mod support;

use loom::sync::Arc;
use loom::thread;
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

fn thread_join<T>(t: thread::JoinHandle<T>) -> T {
    t.join().unwrap()
}
