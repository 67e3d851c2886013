//! loom models of the idle/search protocol (`scheduler/idle.rs`) with two workers: no lost
//! wake-up when work is pushed while the last searcher goes to sleep, nor while a worker whose
//! search was refused goes to sleep; at most one worker woken per notification; a LIFO push
//! always has a rescuer.
//!
//! A parking worker's final look is the worker's own function
//! (`Idle::worker_to_notify_after_parking`, through `loom_internals`); only its look at the
//! queues is stood for by a counter of pushed tasks.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use weft_core::scheduler::loom_internals::Idle;

/// A push (the counter stands for the injector) and the notification that follows every push.
/// The counter is as strong as the real queues and no stronger: a push publishes with Release,
/// a look reads with Acquire (crossbeam's orderings), so the idle protocol itself must order a
/// push before a parker's look.
fn push_and_notify(idle: &Idle, queued: &AtomicUsize) -> Option<usize> {
    queued.fetch_add(1, Ordering::Release);
    idle.worker_to_notify()
}

/// Worker `index` parks and takes its final look at the queues, as `worker.rs` does.
fn park(idle: &Idle, index: usize, searching: bool, queued: &AtomicUsize) -> Option<usize> {
    let parked = idle.transition_worker_to_parked(index, searching);
    idle.worker_to_notify_after_parking(parked, || queued.load(Ordering::Acquire) > 0)
}

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
            thread::spawn(move || push_and_notify(&idle, &queued))
        };
        // Worker 1 parks; as the last searcher it looks at the queues once more.
        let parker = {
            let (idle, queued) = (idle.clone(), queued.clone());
            thread::spawn(move || park(&idle, 1, true, &queued))
        };
        let notified = pusher.join().unwrap();
        let rescued = parker.join().unwrap();
        assert!(
            notified.is_some() || rescued.is_some(),
            "the task was pushed, but no worker was woken and the parking worker missed it"
        );
    });
}

#[test]
fn work_pushed_while_a_refused_worker_parks_wakes_it() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(2));
        // Worker 0 searches, so worker 1's search is refused (half the workers search) and it
        // goes to park without having searched.
        assert!(idle.transition_worker_to_searching());
        assert!(!idle.transition_worker_to_searching());
        let queued = Arc::new(AtomicUsize::new(0));

        // Worker 0 finds a task elsewhere and goes on to run it (for as long as it likes): it
        // stops searching and, as the last searcher, notifies.
        let finder = {
            let idle = idle.clone();
            thread::spawn(move || {
                if idle.transition_worker_from_searching() {
                    idle.worker_to_notify()
                } else {
                    None
                }
            })
        };
        let pusher = {
            let (idle, queued) = (idle.clone(), queued.clone());
            thread::spawn(move || push_and_notify(&idle, &queued))
        };
        let parker = {
            let (idle, queued) = (idle.clone(), queued.clone());
            thread::spawn(move || park(&idle, 1, false, &queued))
        };
        let woken: Vec<usize> = [finder, pusher, parker]
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        // Worker 0 is busy; the pushed task needs worker 1, now, not after a timed park.
        assert_eq!(
            woken,
            [1],
            "worker 1 must be woken exactly once (by the finder, the pusher or its own look)"
        );
        assert!(idle.transition_worker_from_parked(1), "woken by a notifier");
    });
}

#[test]
fn a_searcher_that_finds_work_hands_off_to_a_sleeper() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(2));
        let _ = idle.transition_worker_to_parked(0, false);
        assert!(idle.transition_worker_to_searching());
        // A notification racing the hand-off (a push from elsewhere).
        let other = {
            let idle = idle.clone();
            thread::spawn(move || idle.worker_to_notify())
        };
        // Worker 1 found a task: as the last searcher it must wake another worker.
        let finder = {
            let idle = idle.clone();
            thread::spawn(move || {
                if idle.transition_worker_from_searching() {
                    idle.worker_to_notify()
                } else {
                    None
                }
            })
        };
        let woken: Vec<usize> = [other, finder]
            .into_iter()
            .filter_map(|t| t.join().unwrap())
            .collect();
        // Whichever comes first, worker 0 is woken, and only once: the other notification
        // sees a searcher (the one woken, or worker 1 still searching).
        assert_eq!(woken, [0], "worker 0 must be woken exactly once");
        assert!(idle.transition_worker_from_parked(0), "woken by a notifier");
    });
}

#[test]
fn a_lifo_push_always_has_a_rescuer_or_wakes_one() {
    loom::model(|| {
        let idle = Arc::new(Idle::new(2));
        // Worker 0 sleeps (timed: worker 1 was unparked).
        assert!(idle.transition_worker_to_parked(0, false).timed());
        // Worker 0 wakes on its own and runs a task that fills its LIFO slot without
        // notifying, unless nobody would rescue the slot if that task got stuck.
        let runner = {
            let idle = idle.clone();
            thread::spawn(move || {
                assert!(!idle.transition_worker_from_parked(0), "woke on its own");
                if idle.rescue_available() {
                    None
                } else {
                    idle.worker_to_notify()
                }
            })
        };
        // Meanwhile worker 1 goes to sleep: untimed if it is the last unparked worker.
        let parker = {
            let idle = idle.clone();
            thread::spawn(move || idle.transition_worker_to_parked(1, false).timed())
        };
        let woke = runner.join().unwrap();
        let timed = parker.join().unwrap();
        // Worker 1 either sleeps timed (it will look at worker 0's slot) or was woken.
        assert!(
            timed || woke == Some(1),
            "worker 1 sleeps for good while worker 0's LIFO task has no rescuer"
        );
    });
}
