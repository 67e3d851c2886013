//! loom models of the timer driver (`weft-timer`): a registration from another thread racing
//! the driver deciding to park (the new timer is never slept through), and a timer firing
//! racing its cancel and its reset (woken at most once, never after a cancel).
//!
//! loom has no clock, so the timers here are already due (deadline in the past): the question
//! is only whether the driver notices them.
#![cfg(weft_loom)]

mod support;

use loom::sync::atomic::Ordering;
use loom::thread;
use std::time::Duration;
use support::counting_waker;
use weft_core::driver::{Park, Stack, ThreadPark};
use weft_timer::loom_internals::{register, remove, reset};
use weft_timer::{Instant, TimerDriver, TimerHandle};

fn past() -> Instant {
    Instant::now()
        .checked_sub(Duration::from_secs(1))
        .unwrap_or_else(Instant::now)
}

/// A driver stack as a runtime without I/O has: the timer layer over a thread park.
fn timer_stack(wheels: usize) -> (Stack, TimerHandle) {
    let mut stack = Stack::new(Box::new(ThreadPark::new()));
    let (timers, handle) = TimerDriver::new(stack.unparker(), wheels);
    stack.push(Box::new(timers));
    (stack, handle)
}

#[test]
fn a_timer_registered_while_the_driver_parks_is_never_slept_through() {
    loom::model(|| {
        let (mut driver, handle) = timer_stack(2);
        let (count, waker) = counting_waker();
        let parker = {
            let count = count.clone();
            // An idle worker: parks in the driver (no timeout) until its timer has fired. If
            // the registration below were slept through, it would park forever (loom reports
            // the deadlock).
            thread::spawn(move || {
                while count.0.load(Ordering::SeqCst) == 0 {
                    driver.park(None);
                }
            })
        };
        let _timer = register(&handle.for_worker(), past(), &waker).unwrap();
        parker.join().unwrap();
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            1,
            "the due timer fired once"
        );
    });
}

#[test]
fn a_timer_firing_races_its_cancel_and_reset() {
    loom::model(|| {
        let (mut driver, handle) = timer_stack(1);
        let (count, waker) = counting_waker();
        let timer = register(&handle, past(), &waker).unwrap();
        let canceller = {
            let handle = handle.clone();
            thread::spawn(move || {
                let _ = reset(&handle, timer, past());
                remove(&handle, timer);
            })
        };
        // Two advances: a reset (to a due deadline) between them re-arms the timer, and the
        // second may fire it again, but its waker was spent on the first fire.
        driver.park(Some(Duration::ZERO));
        driver.park(Some(Duration::ZERO));
        canceller.join().unwrap();
        let woken = count.0.load(Ordering::SeqCst);
        assert!(woken <= 1, "woken at most once, got {woken}");
    });
}
