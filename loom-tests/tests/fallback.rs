//! loom model of the fallback driver (`weft-core/src/driver/fallback.rs`): its switch from the
//! thread park to an I/O base attached from another thread, racing the unpark of a timer
//! registered in its timer layer. The unpark may go to the old base just as the driver
//! switches; the due timer must still fire.
//!
//! loom has no clock, so the timer is already due (deadline in the past): the question is only
//! whether the driver notices it.
#![cfg(weft_loom)]

mod support;

use loom::sync::atomic::Ordering;
use loom::thread;
use std::time::Duration;
use support::counting_waker;
use weft_core::driver::fallback::FallbackDriver;
use weft_core::driver::{Layer, Park, ThreadPark};
use weft_timer::loom_internals::register;
use weft_timer::{Instant, TimerDriver};

#[test]
fn attaching_a_base_never_loses_an_unpark() {
    loom::model(|| {
        let (mut driver, attach) = FallbackDriver::new();
        // The timer crate's layer, added before the driver thread runs (as the first timer
        // outside a runtime does).
        let handle = attach.add_layer(|unpark| {
            let (timers, handle) = TimerDriver::new(unpark, 1);
            (Box::new(timers) as Box<dyn Layer>, handle)
        });
        let (count, waker) = counting_waker();
        let driving = {
            let count = count.clone();
            thread::spawn(move || {
                while count.0.load(Ordering::SeqCst) == 0 {
                    driver.park(None);
                }
            })
        };
        let attaching = thread::spawn(move || {
            // A second thread park stands in for the reactor.
            assert!(attach.attach_base(Box::new(ThreadPark::new())).is_ok());
            // A second base is refused and handed back.
            assert!(attach.attach_base(Box::new(ThreadPark::new())).is_err());
        });
        let past = Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now);
        let registering = thread::spawn(move || {
            let _timer = register(&handle.for_worker(), past, &waker).unwrap();
        });
        registering.join().unwrap();
        attaching.join().unwrap();
        driving.join().unwrap();
        assert_eq!(
            count.0.load(Ordering::SeqCst),
            1,
            "the due timer fired once"
        );
    });
}
