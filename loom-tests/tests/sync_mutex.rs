//! loom model of `weft_sync::Mutex`: lock and unlock handed off between two threads, through
//! the fast path (one compare-exchange each way) and the waiter list.
//!
//! Checked in every interleaving: the value is never touched by both at once (loom's
//! `UnsafeCell` tracking, with the happens-before the permit's Release/Acquire must give), the
//! waiter is always woken when the holder unlocks (no deadlock), and both increments land.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::thread;
use weft_core::block_on;
use weft_sync::Mutex;

#[test]
fn lock_and_unlock_hand_the_value_over_between_two_threads() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0usize));
        let other = {
            let m = m.clone();
            thread::spawn(move || *block_on(m.lock()) += 1)
        };
        *block_on(m.lock()) += 1;
        other.join().unwrap();
        assert_eq!(*m.try_lock().unwrap(), 2);
    });
}

#[test]
fn a_try_lock_racing_a_hand_off_never_sees_the_value_in_use() {
    loom::model(|| {
        let m = Arc::new(Mutex::new(0usize));
        let waiting = {
            let m = m.clone();
            thread::spawn(move || *block_on(m.lock()) += 1)
        };
        let trying = {
            let m = m.clone();
            thread::spawn(move || {
                if let Ok(mut g) = m.try_lock() {
                    *g += 1;
                    true
                } else {
                    false
                }
            })
        };
        waiting.join().unwrap();
        let tried = trying.join().unwrap();
        assert_eq!(*m.try_lock().unwrap(), 1 + usize::from(tried));
    });
}
