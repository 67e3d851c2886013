//! loom model of a task snapshot (`Registry::snapshot`, `weft-core/src/task/snapshot.rs`)
//! walking the registry while tasks complete and unlink themselves: every task the walk
//! reports is one that was alive, each at most once, a completed one never, and nothing the
//! walk reads is freed under it (loom checks every access to the links' `UnsafeCell`).
#![cfg(weft_loom)]

mod support;

use loom::thread;
use support::Queue;

#[test]
fn a_snapshot_walks_the_registry_while_tasks_complete() {
    loom::model(|| {
        let queue = Queue::new();
        let a = queue.spawn(async { 1 });
        let b = queue.spawn(std::future::pending::<()>());
        let (a_id, b_id) = (a.id(), b.id());
        let runner = {
            let queue = queue.clone();
            // Polls both: `a` completes and unlinks itself, `b` stays.
            thread::spawn(move || queue.run())
        };
        let seen = queue.registry().snapshot();
        let ids: Vec<_> = seen.iter().map(|t| t.id()).collect();
        assert!(ids.iter().all(|id| *id == a_id || *id == b_id), "{ids:?}");
        assert!(ids.contains(&b_id), "the pending task is always listed");
        assert!(ids.iter().filter(|id| **id == a_id).count() <= 1);
        runner.join().unwrap();
        assert!(a.is_finished());
        let after: Vec<_> = queue.registry().snapshot().iter().map(|t| t.id()).collect();
        assert_eq!(after, [b_id], "a completed task is not listed");
        queue.registry().close();
        drop((a, b));
    });
}
