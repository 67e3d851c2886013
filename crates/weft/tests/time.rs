//! Timers as a user sees them: sleep, timeout, interval, call_later / call_at, time().

mod common;

use common::{DropCounter, runtime};

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use weft::time::{Instant, MissedTickBehavior, interval, sleep, sleep_until, timeout};

#[test]
fn ten_thousand_sleeps_of_random_lengths_all_complete_and_none_early() {
    let rt = runtime(2);
    let early = rt.block_on(async {
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let tasks: Vec<_> = (0..10_000)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let ms = seed % 60;
                weft::spawn(async move {
                    let start = Instant::now();
                    sleep(Duration::from_millis(ms)).await;
                    start.elapsed() < Duration::from_millis(ms)
                })
            })
            .collect();
        let mut early = 0;
        for t in tasks {
            early += usize::from(t.await.unwrap());
        }
        early
    });
    assert_eq!(early, 0, "a sleep completed before its deadline");
}

#[test]
fn a_sleep_can_be_reset_earlier_and_later() {
    let rt = runtime(1);
    rt.block_on(async {
        let start = Instant::now();
        let mut s = Box::pin(sleep(Duration::from_secs(3600)));
        s.as_mut().reset(start + Duration::from_millis(10));
        s.as_mut().await;
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(10) && waited < Duration::from_secs(60));

        let start = Instant::now();
        let mut s = Box::pin(sleep(Duration::from_millis(5)));
        s.as_mut().reset(start + Duration::from_millis(30));
        assert_eq!(s.deadline(), start + Duration::from_millis(30));
        s.as_mut().await;
        assert!(
            start.elapsed() >= Duration::from_millis(30),
            "reset later is honoured"
        );
    });
}

#[test]
fn timeout_fires_and_drops_the_inner_future() {
    let rt = runtime(2);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let result = rt.block_on(async move {
        let guard = DropCounter(d);
        timeout(Duration::from_millis(10), async move {
            let _guard = guard;
            sleep(Duration::from_secs(10)).await;
            "finished"
        })
        .await
    });
    assert!(result.is_err());
    assert_eq!(result.unwrap_err().to_string(), "deadline has elapsed");
    assert_eq!(
        drops.load(Ordering::SeqCst),
        1,
        "the operation's cleanup ran"
    );
}

#[test]
fn timeout_does_not_fire_for_a_fast_future_and_a_ready_future_wins_a_passed_deadline() {
    let rt = runtime(1);
    rt.block_on(async {
        let fast = timeout(Duration::from_secs(5), async {
            weft::task::yield_now().await;
            7
        })
        .await;
        assert_eq!(fast, Ok(7));
        let passed = weft::time::timeout_at(Instant::now() - Duration::from_secs(1), async { 8 });
        assert_eq!(passed.await, Ok(8));
    });
}

#[test]
fn interval_ticks_on_schedule_and_handles_missed_ticks() {
    let rt = runtime(1);
    rt.block_on(async {
        let period = Duration::from_millis(10);
        // Burst: missed ticks come back to back.
        let mut ticks = interval(period);
        let first = ticks.tick().await;
        std::thread::sleep(period * 3 + Duration::from_millis(2));
        let mut burst = Vec::new();
        for _ in 0..3 {
            burst.push(ticks.tick().await);
        }
        assert_eq!(
            burst,
            vec![first + period, first + period * 2, first + period * 3]
        );

        // Delay: the schedule restarts from the late tick.
        let mut ticks = interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let first = ticks.tick().await;
        std::thread::sleep(period * 3 + Duration::from_millis(2));
        let late = ticks.tick().await;
        assert_eq!(late, first + period);
        let next = ticks.tick().await;
        assert!(
            next >= late + period * 3,
            "the next tick is a period after the late one"
        );

        // Skip: missed ticks are dropped; the next is on the original grid, in the future.
        let mut ticks = interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let first = ticks.tick().await;
        std::thread::sleep(period * 3 + Duration::from_millis(2));
        let late = ticks.tick().await;
        let next = ticks.tick().await;
        assert!(next > late + period, "missed ticks were skipped");
        assert_eq!(
            (next - first).as_nanos() % period.as_nanos(),
            0,
            "on the original grid"
        );
    });
}

#[test]
fn call_later_runs_in_deadline_order_and_never_early() {
    let rt = runtime(2);
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    let start = rt.handle().time();
    for (name, ms) in [("c", 50u64), ("a", 10), ("b", 30)] {
        let (log, tx) = (log.clone(), tx.clone());
        rt.handle().call_later(Duration::from_millis(ms), move || {
            assert!(
                start.elapsed() >= Duration::from_millis(ms),
                "{name} ran early"
            );
            log.lock().unwrap().push(name);
            tx.send(()).unwrap();
        });
    }
    for _ in 0..3 {
        rx.recv_timeout(Duration::from_secs(10)).unwrap();
    }
    assert_eq!(*log.lock().unwrap(), vec!["a", "b", "c"]);
}

#[test]
fn a_cancelled_call_later_never_runs() {
    let rt = runtime(1);
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let cb = rt.handle().call_later(Duration::from_millis(10), move || {
        r.fetch_add(1, Ordering::SeqCst);
    });
    cb.cancel();
    assert!(cb.is_cancelled());
    let (tx, rx) = mpsc::channel();
    rt.handle()
        .call_at(rt.handle().time() + Duration::from_millis(30), move || {
            tx.send(()).unwrap()
        });
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(ran.load(Ordering::SeqCst), 0);
}

#[test]
fn timers_work_outside_a_runtime() {
    let start = Instant::now();
    futures_lite::future::block_on(async {
        sleep(Duration::from_millis(10)).await;
        let late = timeout(Duration::from_millis(5), std::future::pending::<()>()).await;
        assert!(late.is_err());
        let mut ticks = interval(Duration::from_millis(2));
        ticks.tick().await;
        ticks.tick().await;
    });
    assert!(start.elapsed() >= Duration::from_millis(17));
}

#[test]
fn a_timer_registered_from_another_thread_wakes_a_parked_runtime() {
    let rt = runtime(2);
    // Let every worker go to sleep (one of them in the timer driver, with no timer due).
    std::thread::sleep(Duration::from_millis(30));
    let handle = rt.handle().clone();
    let start = Instant::now();
    std::thread::spawn(move || {
        let _inside = handle.enter(); // this thread's sleeps register with the runtime's wheel
        futures_lite::future::block_on(sleep(Duration::from_millis(20)));
    })
    .join()
    .unwrap();
    let waited = start.elapsed();
    assert!(waited >= Duration::from_millis(20));
    assert!(
        waited < Duration::from_secs(10),
        "the parked driver was woken for the timer"
    );
}

#[test]
fn far_and_past_deadlines() {
    let rt = runtime(1);
    rt.block_on(async {
        // Days away: registered, and does not fire.
        let far = timeout(
            Duration::from_millis(10),
            sleep(Duration::from_secs(3 * 86_400)),
        )
        .await;
        assert!(far.is_err());
        // Beyond the clock's range: accepted, means never.
        let never = timeout(Duration::from_millis(10), sleep(Duration::MAX)).await;
        assert!(never.is_err());
        // In the past: completes at once.
        sleep_until(Instant::now() - Duration::from_secs(5)).await;
        sleep(Duration::ZERO).await;
    });
}

#[test]
fn close_cancels_pending_timers_and_a_sleep_polled_after_close_still_completes() {
    let rt = runtime(1);
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let sleeper = rt.spawn(async move {
        let _guard = DropCounter(d);
        sleep(Duration::from_secs(3600)).await;
    });
    std::thread::sleep(Duration::from_millis(10));
    rt.close();
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    assert!(
        futures_lite::future::block_on(sleeper)
            .unwrap_err()
            .is_cancelled()
    );
    // A sleep made inside the closed runtime's context moves to the fallback driver.
    let _inside = rt.handle().enter();
    let start = Instant::now();
    futures_lite::future::block_on(sleep(Duration::from_millis(10)));
    assert!(start.elapsed() >= Duration::from_millis(10));
}

#[test]
fn time_is_the_runtimes_monotonic_clock() {
    let rt = runtime(1);
    let a = rt.handle().time();
    let b = rt.block_on(async { weft::runtime::Handle::current().time() });
    assert!(b >= a);
    let std_instant: std::time::Instant = b.into();
    assert_eq!(Instant::from(std_instant), b);
}
