//! Virtual time: a paused clock on every runtime kind, `advance`, auto-advance when the runtime
//! has nothing else to do, and the things that hold it back (a blocking job, a busy
//! `block_on` thread).

mod common;

use common::panic_message;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use weft::time::{Instant, advance, sleep};

const HOUR: Duration = Duration::from_secs(3600);

/// The runtime kinds every test runs on.
enum Kind {
    Workers(usize),
    Local,
}

const KINDS: [Kind; 3] = [Kind::Workers(1), Kind::Workers(2), Kind::Local];

/// Runs `body` on a paused runtime of `kind`.
fn on<T>(kind: &Kind, body: impl AsyncFnOnce() -> T) -> T {
    let mut builder = weft::runtime::Builder::new();
    builder.start_paused(true);
    match kind {
        Kind::Workers(n) => builder.worker_threads(*n).build().unwrap().block_on(body()),
        Kind::Local => builder.build_local().unwrap().block_on(body()),
    }
}

#[test]
fn an_hour_long_sleep_finishes_with_the_clock_moved_by_an_hour() {
    for kind in &KINDS {
        on(kind, async || {
            let handle = weft::runtime::Handle::current();
            let start = handle.time();
            assert_eq!(
                Instant::now(),
                start,
                "Instant::now() is the runtime's paused clock"
            );
            sleep(HOUR).await;
            let moved = handle.time() - start;
            assert!(
                moved >= HOUR && moved < HOUR + Duration::from_millis(2),
                "{moved:?}"
            );
            let waited = weft::time::timeout(HOUR, std::future::pending::<()>()).await;
            assert!(waited.is_err(), "the timeout fired after its virtual hour");
        });
    }
}

#[test]
fn timers_fire_in_deadline_order() {
    for kind in &KINDS {
        let order = on(kind, async || {
            let order = Arc::new(Mutex::new(Vec::new()));
            let tasks: Vec<_> = [30u64, 10, 50, 20, 40]
                .into_iter()
                .map(|secs| {
                    let order = order.clone();
                    weft::spawn(async move {
                        sleep(Duration::from_secs(secs)).await;
                        order.lock().unwrap().push(secs);
                    })
                })
                .collect();
            for task in tasks {
                task.await.unwrap();
            }
            order.lock().unwrap().clone()
        });
        assert_eq!(order, [10, 20, 30, 40, 50]);
    }
}

#[test]
fn advance_fires_exactly_what_falls_due_and_moves_time_by_exactly_that() {
    for kind in &KINDS {
        on(kind, async || {
            let handle = weft::runtime::Handle::current();
            let (tx, mut fired) = weft::sync::mpsc::unbounded_channel();
            let (armed_tx, mut armed) = weft::sync::mpsc::unbounded_channel();
            for secs in [10u64, 20, 30] {
                let tx = tx.clone();
                let armed_tx = armed_tx.clone();
                drop(weft::spawn(async move {
                    let timer = sleep(Duration::from_secs(secs));
                    armed_tx.send(()).unwrap();
                    timer.await;
                    tx.send(secs).unwrap();
                }));
            }
            for _ in 0..3 {
                armed.recv().await.unwrap();
            }
            let start = handle.time();
            advance(Duration::from_secs(15)).await;
            assert_eq!(handle.time() - start, Duration::from_secs(15));
            // The woken task runs and reports; while it is queued or running the runtime is
            // not quiescent, so the clock cannot jump on to the next timer meanwhile.
            assert_eq!(fired.recv().await, Some(10));
            assert_eq!(handle.time() - start, Duration::from_secs(15));
            assert!(fired.try_recv().is_err(), "only the 10 s timer fell due");
            advance(Duration::from_secs(10)).await;
            assert_eq!(handle.time() - start, Duration::from_secs(25));
            assert_eq!(fired.recv().await, Some(20));
            // Nothing else to do: the clock jumps to the last timer's deadline.
            assert_eq!(fired.recv().await, Some(30));
            assert_eq!(handle.time() - start, Duration::from_secs(30));
        });
    }
}

#[test]
fn the_clock_does_not_jump_while_a_blocking_job_runs() {
    for kind in &KINDS {
        on(kind, async || {
            let done = Arc::new(AtomicBool::new(false));
            let job = {
                let done = done.clone();
                weft::spawn_blocking(move || {
                    std::thread::sleep(Duration::from_millis(30));
                    done.store(true, Ordering::SeqCst);
                })
            };
            let timer = weft::spawn(async { sleep(HOUR).await });
            weft::select! {
                biased;
                _ = timer => panic!("the clock jumped an hour while a blocking job ran"),
                joined = job => joined.unwrap(),
            }
            assert!(done.load(Ordering::SeqCst));
        });
    }
}

#[test]
fn the_clock_does_not_jump_while_the_block_on_thread_is_busy() {
    for kind in [Kind::Workers(1), Kind::Workers(2)] {
        on(&kind, async || {
            let fired = Arc::new(AtomicBool::new(false));
            let timer = {
                let fired = fired.clone();
                weft::spawn(async move {
                    sleep(Duration::from_secs(10)).await;
                    fired.store(true, Ordering::SeqCst);
                })
            };
            // The task arms its timer and the workers go idle while this poll keeps the
            // block_on thread busy: the clock must stay where it is.
            std::thread::sleep(Duration::from_millis(30));
            assert!(
                !fired.load(Ordering::SeqCst),
                "the clock jumped during a poll"
            );
            timer.await.unwrap();
            assert!(fired.load(Ordering::SeqCst));
        });
    }
}

#[test]
fn resume_lets_the_clock_run_on_from_where_it_stands() {
    for kind in &KINDS {
        on(kind, async || {
            let handle = weft::runtime::Handle::current();
            let start = handle.time();
            advance(HOUR).await;
            weft::time::resume();
            let after = handle.time();
            assert!(after - start >= HOUR, "resuming never moves the clock back");
            sleep(Duration::from_millis(5)).await;
            assert!(handle.time() - after >= Duration::from_millis(5));
            weft::time::pause();
            let frozen = handle.time();
            std::thread::sleep(Duration::from_millis(5));
            assert_eq!(handle.time(), frozen);
        });
    }
}

#[test]
fn pause_outside_a_runtime_panics_saying_so() {
    let message = panic_message(catch_unwind(weft::time::pause).unwrap_err());
    assert!(message.contains("outside a runtime"), "{message}");
}

#[test]
fn advance_on_a_running_clock_panics_saying_so() {
    let rt = weft::Runtime::new().unwrap();
    let payload = catch_unwind(AssertUnwindSafe(|| {
        rt.block_on(async { advance(Duration::from_secs(1)).await })
    }))
    .unwrap_err();
    assert!(panic_message(payload).contains("pause"));
}

#[test]
fn pause_inside_a_running_runtime_then_sleep_an_hour() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        weft::time::pause();
        let start = Instant::now();
        sleep(HOUR).await;
        assert!(Instant::now() - start >= HOUR);
    });
    // Other runtimes keep real time.
    let other = weft::Runtime::new().unwrap();
    let real = std::time::Instant::now();
    let theirs = other.block_on(async { Instant::now() });
    assert!(theirs.into_std() >= real);
}
