//! loom models of a worker's `Parker` (`scheduler/park.rs`) and the thread parker it sleeps in
//! (`driver/thread_park.rs`, also `block_on`'s): an unpark is never lost, whether
//! it comes before the park or during it. (loom has no clock, so timed parks are not modelled:
//! under loom a timed wait never times out.)
#![cfg(weft_loom)]

use loom::thread;
use weft_core::scheduler::loom_internals::Parker;

#[test]
fn unpark_races_with_park() {
    loom::model(|| {
        let parker = Parker::default();
        let unparker = parker.unparker();
        let t = thread::spawn(move || unparker.unpark());
        parker.park(None); // must return: loom reports a deadlock otherwise
        t.join().unwrap();
    });
}

#[test]
fn an_unpark_between_two_parks_wakes_the_second() {
    loom::model(|| {
        let parker = Parker::default();
        let unparker = parker.unparker();
        let first = unparker.clone();
        let t = thread::spawn(move || {
            first.unpark();
        });
        parker.park(None);
        t.join().unwrap();
        // The first unpark was consumed by the first park; a new one wakes the next park.
        let second = thread::spawn(move || unparker.unpark());
        parker.park(None);
        second.join().unwrap();
    });
}
