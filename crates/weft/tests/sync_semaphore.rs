//! `weft::sync::Semaphore`: asyncio.Semaphore, fair, with batch requests and cancellation
//! that loses nothing.

mod sync_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use sync_support::{Probe, WATCHDOG, within_watchdog};
use weft::sync::{AcquireError, Semaphore, TryAcquireError};

#[test]
fn waiters_are_served_in_the_order_they_started_waiting() {
    let sem = Semaphore::new(0);
    let mut waiters: Vec<_> = (0..4).map(|_| Probe::new(sem.acquire())).collect();
    for w in &mut waiters {
        assert!(w.poll().is_pending());
    }
    for i in 0..4 {
        sem.add_permits(1);
        // Exactly the i-th waiter was woken and holds the permit.
        for (j, w) in waiters.iter().enumerate() {
            assert_eq!(w.woken(), j == i, "waiter {j} after permit {i}");
        }
        let permit = waiters[i].ready().unwrap();
        permit.forget();
    }
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn a_waiting_acquire_many_at_the_head_is_not_overtaken() {
    let sem = Semaphore::new(1);
    let mut big = Probe::new(sem.acquire_many(3));
    assert!(big.poll().is_pending());
    // One permit is free, but the head of the line waits for three: later requests wait too.
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::NoPermits);
    let mut small = Probe::new(sem.acquire());
    assert!(small.poll().is_pending());
    sem.add_permits(1);
    assert!(
        !big.woken() && !small.woken(),
        "big holds two of three; small waits behind it"
    );
    sem.add_permits(1);
    assert!(big.woken());
    assert!(!small.woken(), "no permit was left for the small request");
    let permits = big.ready().unwrap();
    assert_eq!(permits.num_permits(), 3);
    sem.add_permits(1);
    assert!(small.woken());
    small.ready().unwrap().forget();
    drop(permits);
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn a_waiter_dropped_after_it_was_handed_the_permit_passes_it_on() {
    let sem = Semaphore::new(0);
    let mut first = Probe::new(sem.acquire());
    let mut second = Probe::new(sem.acquire());
    assert!(first.poll().is_pending());
    assert!(second.poll().is_pending());
    sem.add_permits(1);
    assert!(first.woken());
    // Cancelled before it ran again: the permit it was handed goes to the next waiter.
    drop(first);
    assert!(second.woken());
    let permit = second.ready().unwrap();
    drop(permit);
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn a_waiter_dropped_before_it_was_served_leaves_the_line() {
    let sem = Semaphore::new(0);
    let mut first = Probe::new(sem.acquire());
    let mut second = Probe::new(sem.acquire());
    assert!(first.poll().is_pending());
    assert!(second.poll().is_pending());
    drop(first);
    sem.add_permits(1);
    assert!(second.woken());
    second.ready().unwrap().forget();
    assert_eq!(sem.available_permits(), 0);
}

#[test]
fn a_partly_granted_batch_request_dropped_gives_its_permits_to_the_next() {
    let sem = Semaphore::new(2);
    let mut big = Probe::new(sem.acquire_many(5));
    assert!(big.poll().is_pending());
    let mut small = Probe::new(sem.acquire_many(2));
    assert!(small.poll().is_pending());
    sem.add_permits(1);
    // `big` holds three of its five now; dropping it passes them on.
    drop(big);
    assert!(small.woken());
    drop(small.ready().unwrap());
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn close_wakes_every_waiter_with_the_error() {
    let sem = Semaphore::new(1);
    let mut big = Probe::new(sem.acquire_many(3));
    let mut waiters: Vec<_> = (0..40).map(|_| Probe::new(sem.acquire())).collect();
    assert!(big.poll().is_pending());
    for w in &mut waiters {
        assert!(w.poll().is_pending());
    }
    sem.close();
    assert!(sem.is_closed());
    assert!(big.woken());
    let err: AcquireError = big.ready().unwrap_err();
    assert!(err.to_string().contains("closed"));
    for w in &mut waiters {
        assert!(w.woken());
        assert!(w.ready().is_err());
    }
    // The permit `big` had been granted is back, but nobody can take it.
    assert_eq!(sem.available_permits(), 1);
    assert_eq!(sem.try_acquire().unwrap_err(), TryAcquireError::Closed);
    assert!(futures_lite::future::block_on(sem.acquire()).is_err());
}

#[test]
fn acquire_errors_say_the_semaphore_is_closed() {
    let sem = Semaphore::new(0);
    sem.close();
    let err = futures_lite::future::block_on(sem.acquire()).unwrap_err();
    assert!(err.to_string().contains("closed"));
    assert!(TryAcquireError::NoPermits.to_string().contains("no"));
}

#[test]
fn a_forgotten_permit_stays_out_of_the_semaphore() {
    let sem = Semaphore::new(2);
    sem.try_acquire().unwrap().forget();
    assert_eq!(sem.available_permits(), 1);
    drop(sem.try_acquire().unwrap());
    assert_eq!(sem.available_permits(), 1);
}

#[test]
fn acquire_many_of_zero_is_ready_at_once() {
    let sem = Semaphore::new(0);
    let permit = futures_lite::future::block_on(sem.acquire_many(0)).unwrap();
    assert_eq!(permit.num_permits(), 0);
}

#[test]
fn a_lost_or_branch_loses_no_permit() {
    within_watchdog(|| {
        let sem = Semaphore::new(0);
        let out = futures_lite::future::block_on(futures_lite::future::or(
            async {
                let _p = sem.acquire().await.unwrap();
                "acquired"
            },
            async { "other branch" },
        ));
        assert_eq!(out, "other branch");
        sem.add_permits(1);
        assert_eq!(sem.available_permits(), 1);
        assert!(sem.try_acquire().is_ok());
    });
}

#[test]
fn a_timed_out_acquire_on_a_runtime_loses_nothing() {
    weft::run(async {
        let sem = Arc::new(Semaphore::new(1));
        let held = sem.clone().acquire_owned().await.unwrap();
        let timed_out = weft::time::timeout(Duration::from_millis(5), sem.acquire()).await;
        assert!(timed_out.is_err());
        let waiter = weft::spawn({
            let sem = sem.clone();
            async move { sem.acquire_owned().await.unwrap().num_permits() }
        });
        drop(held);
        let got = weft::time::timeout(WATCHDOG, waiter).await;
        assert_eq!(got.expect("watchdog").unwrap(), 1);
        assert_eq!(sem.available_permits(), 1);
    });
}

#[test]
fn at_most_the_permitted_number_of_tasks_run_at_once() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    let sem = Arc::new(Semaphore::new(3));
    let inside = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (sem, inside, most) = (sem.clone(), inside.clone(), most.clone());
            rt.spawn(async move {
                for _ in 0..20 {
                    let _p = sem.acquire().await.unwrap();
                    let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    weft::task::yield_now().await;
                    inside.fetch_sub(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    rt.block_on(async {
        let all = weft::join_all(tasks);
        let done = weft::time::timeout(WATCHDOG, all).await;
        for r in done.expect("watchdog: the tasks did not finish") {
            r.unwrap();
        }
    });
    assert!(most.load(Ordering::SeqCst) <= 3);
    assert_eq!(sem.available_permits(), 3);
}

#[test]
fn an_owned_permit_moves_into_a_thread_and_returns_when_dropped() {
    within_watchdog(|| {
        let sem = Arc::new(Semaphore::new(1));
        let permit = sem.clone().try_acquire_owned().unwrap();
        assert!(Arc::ptr_eq(permit.semaphore(), &sem));
        let waiter = std::thread::spawn({
            let sem = sem.clone();
            move || {
                futures_lite::future::block_on(sem.acquire_many_owned(1)).map(|p| p.num_permits())
            }
        });
        std::thread::spawn(move || drop(permit)).join().unwrap();
        assert_eq!(waiter.join().unwrap(), Ok(1));
        assert_eq!(sem.available_permits(), 1);
    });
}
