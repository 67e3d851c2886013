//! loom models of the idle/search protocol (`scheduler/idle.rs`) with two workers: no lost
//! wake-up when work is pushed while the last searcher goes to sleep, and at most one worker
//! woken per notification.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use weft_core::scheduler::loom_internals::Idle;

#[test]
fn work_pushed_while_the_last_searcher_parks_is_never_lost() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(2));
        // Worker 0 already sleeps; worker 1 is searching and found nothing.
        let _ = idle.transition_worker_to_parked(0, false);
        assert!(idle.transition_worker_to_searching());
        let queued = Arc::new(AtomicUsize::new(0));

        let pusher = {
            let (idle, queued) = (idle.clone(), queued.clone());
            thread::spawn(move || {
                queued.fetch_add(1, Ordering::SeqCst); // push a task
                idle.worker_to_notify() // the notify that follows every push
            })
        };
        // Worker 1 parks; as the last searcher it looks at the queues once more.
        let (last_searcher, _timed) = idle.transition_worker_to_parked(1, true);
        assert!(last_searcher);
        let saw_work = queued.load(Ordering::SeqCst) > 0;
        let rescued = saw_work && idle.worker_to_notify().is_some();
        let notified = pusher.join().unwrap().is_some();
        assert!(
            notified || rescued,
            "the task was pushed, but no worker was woken and the parking worker missed it"
        );
    });
}

#[test]
fn a_searcher_that_finds_work_hands_off_to_a_sleeper() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(2));
        let _ = idle.transition_worker_to_parked(0, false);
        assert!(idle.transition_worker_to_searching());
        let other = {
            let idle = idle.clone();
            thread::spawn(move || idle.worker_to_notify())
        };
        // Worker 1 found a task: as the last searcher it must wake another worker.
        let woke = if idle.transition_worker_from_searching() {
            idle.worker_to_notify()
        } else {
            None
        };
        let other = other.join().unwrap();
        // Worker 0 is woken by at most one of the two notifications.
        assert!(woke.is_none() || other.is_none());
        if let Some(i) = woke.or(other) {
            assert_eq!(i, 0);
            assert!(idle.transition_worker_from_parked(0), "woken by a notifier");
        }
    });
}

#[test]
fn a_lifo_push_always_has_a_rescuer_or_wakes_one() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(2));
        // Worker 0 runs a task that fills its LIFO slot; worker 1 is going to sleep.
        let parker = {
            let idle = idle.clone();
            thread::spawn(move || idle.transition_worker_to_parked(1, false).1)
        };
        let rescue = idle.rescue_available();
        let woke = if rescue {
            None
        } else {
            idle.worker_to_notify()
        };
        let timed = parker.join().unwrap();
        // Worker 1 either sleeps timed (it will look at worker 0's slot) or was woken.
        assert!(timed || woke == Some(1));
    });
}
