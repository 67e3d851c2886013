//! loom models of the one-thread loop's remote queue (`local/shared.rs`): a push or a wake of
//! the main future from another thread, racing with the loop deciding to sleep, always
//! reaches the loop (it takes the value, or it is unparked). The loop parks in a
//! `ThreadPark`, as a `LocalRuntime` without I/O would; a lost wake-up is a loom deadlock.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::thread;
use weft_core::driver::{Park, ThreadPark};
use weft_core::local::loom_internals::Remote;

/// The loop's idle path: take what is queued; if nothing, sleep unless something arrived.
/// Returns once `want` values were taken and (if `main`) the main future was woken.
fn run_loop(remote: &Remote, park: &mut ThreadPark, want: usize, main: bool) -> Vec<u32> {
    let mut got = Vec::new();
    let mut main_seen = !main;
    loop {
        let (values, main_woken) = remote.take();
        got.extend(values);
        main_seen |= main_woken;
        if got.len() == want && main_seen {
            return got;
        }
        if remote.prepare_sleep() {
            park.park(None);
            remote.woke();
        }
    }
}

#[test]
fn a_remote_push_wakes_the_loop() {
    loom::model(|| {
        let remote = Arc::new(Remote::default());
        let mut park = ThreadPark::new();
        let unpark = park.unparker();
        let pusher = {
            let remote = remote.clone();
            thread::spawn(move || {
                if remote.push(7).expect("open") {
                    unpark.unpark();
                }
            })
        };
        assert_eq!(run_loop(&remote, &mut park, 1, false), [7]);
        pusher.join().unwrap();
    });
}

#[test]
fn a_remote_wake_of_the_main_future_wakes_the_loop() {
    loom::model(|| {
        let remote = Arc::new(Remote::default());
        let mut park = ThreadPark::new();
        let unpark = park.unparker();
        let waker = {
            let remote = remote.clone();
            thread::spawn(move || {
                if remote.wake_main() {
                    unpark.unpark();
                }
            })
        };
        run_loop(&remote, &mut park, 0, true);
        waker.join().unwrap();
    });
}

#[test]
fn two_pushers_both_reach_the_loop_in_their_order() {
    loom::model(|| {
        let remote = Arc::new(Remote::default());
        let mut park = ThreadPark::new();
        let pushers: Vec<_> = [1, 2]
            .into_iter()
            .map(|v| {
                let remote = remote.clone();
                let unpark = park.unparker();
                thread::spawn(move || {
                    if remote.push(v).expect("open") {
                        unpark.unpark();
                    }
                })
            })
            .collect();
        let mut got = run_loop(&remote, &mut park, 2, false);
        got.sort();
        assert_eq!(got, [1, 2]);
        for p in pushers {
            p.join().unwrap();
        }
    });
}
