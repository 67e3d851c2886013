//! `weft::sync::Mutex` and `RwLock`: held across `.await`, fair, no poisoning, cancellation
//! that loses nothing, the cooperative budget, and the blocking forms.

mod sync_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use sync_support::{Probe, WATCHDOG, within_watchdog};
use weft::runtime::Builder;
use weft::sync::{Mutex, RwLock, TryLockError};

#[test]
fn a_mutex_held_across_awaits_by_many_tasks_on_many_workers_keeps_the_count_exact() {
    let rt = Builder::new().worker_threads(4).build().unwrap();
    let count = Arc::new(Mutex::new(0u64));
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let count = count.clone();
            rt.spawn(async move {
                for _ in 0..100 {
                    let mut n = count.lock().await;
                    let seen = *n;
                    weft::task::yield_now().await; // others run while it is held
                    *n = seen + 1;
                }
            })
        })
        .collect();
    rt.block_on(async {
        let done = weft::time::timeout(WATCHDOG, weft::join_all(tasks)).await;
        for r in done.expect("watchdog: the tasks did not finish") {
            r.unwrap();
        }
        assert_eq!(*count.lock().await, 64 * 100);
    });
}

#[test]
fn waiters_get_the_mutex_in_the_order_they_asked() {
    let m = Mutex::new(Vec::new());
    let held = m.try_lock().unwrap();
    let mut waiters: Vec<_> = (0..5)
        .map(|i| {
            let m = &m;
            Probe::new(async move { m.lock().await.push(i) })
        })
        .collect();
    for w in &mut waiters {
        w.pending();
    }
    drop(held);
    for (i, w) in waiters.iter_mut().enumerate() {
        assert!(w.woken(), "waiter {i} is next");
        w.ready();
    }
    assert_eq!(*m.try_lock().unwrap(), [0, 1, 2, 3, 4]);
}

#[test]
fn a_lock_waiter_dropped_after_it_was_handed_the_lock_passes_it_on() {
    let m = Mutex::new(0);
    let held = m.try_lock().unwrap();
    let mut first = Probe::new(m.lock());
    let mut second = Probe::new(m.lock());
    first.pending();
    second.pending();
    drop(held);
    assert!(first.woken());
    drop(first);
    assert!(second.woken());
    *second.ready() += 1;
    assert_eq!(*m.try_lock().unwrap(), 1);
}

#[test]
fn a_lock_lost_in_an_or_race_leaves_the_mutex_free() {
    let m = Mutex::new(());
    let held = m.try_lock().unwrap();
    let lost = futures_lite::future::block_on(futures_lite::future::or(
        async {
            let _g = m.lock().await;
            false
        },
        async { true },
    ));
    assert!(lost);
    drop(held);
    assert!(m.try_lock().is_ok());
}

#[test]
fn try_lock_says_the_lock_is_held() {
    let m = Mutex::new(1);
    let _g = m.try_lock().unwrap();
    let err: TryLockError = m.try_lock().unwrap_err();
    assert!(err.to_string().contains("held"));
    assert!(format!("{m:?}").contains("locked"));
}

#[test]
fn get_mut_and_into_inner_need_no_lock() {
    let mut m = Mutex::new(String::from("a"));
    m.get_mut().push('b');
    assert_eq!(m.into_inner(), "ab");
    let mut l = RwLock::new(1);
    *l.get_mut() += 1;
    assert_eq!(l.into_inner(), 2);
}

#[test]
fn a_panic_while_the_guard_is_held_does_not_poison_the_mutex() {
    within_watchdog(|| {
        weft::run(async {
            let m = Arc::new(Mutex::new(1));
            let task = weft::spawn({
                let m = m.clone();
                async move {
                    let mut g = m.lock().await;
                    *g = 2;
                    panic!("while holding the lock");
                }
            });
            assert!(task.await.unwrap_err().is_panic());
            assert_eq!(*m.lock().await, 2);
        });
    });
}

#[test]
fn an_owned_guard_moves_into_a_task() {
    within_watchdog(|| {
        weft::run(async {
            let m = Arc::new(Mutex::new(0));
            let mut g = m.clone().lock_owned().await;
            assert!(m.clone().try_lock_owned().is_err());
            let task = weft::spawn(async move {
                *g += 5;
            });
            task.await.unwrap();
            assert_eq!(*m.lock().await, 5);
        });
    });
}

#[test]
fn the_mutex_works_under_another_executor() {
    within_watchdog(|| {
        let m = Arc::new(Mutex::new(0));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    futures_lite::future::block_on(async {
                        for _ in 0..250 {
                            *m.lock().await += 1;
                        }
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(*m.blocking_lock(), 1000);
    });
}

#[test]
fn blocking_lock_from_a_plain_thread_waits_for_a_task_to_unlock() {
    within_watchdog(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let m = Arc::new(Mutex::new(0));
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let task = rt.spawn({
            let m = m.clone();
            async move {
                let mut g = m.lock().await;
                locked_tx.send(()).unwrap();
                weft::time::sleep(Duration::from_millis(20)).await;
                *g = 7;
            }
        });
        locked_rx.recv_timeout(WATCHDOG).unwrap();
        let thread = std::thread::spawn({
            let m = m.clone();
            move || *m.blocking_lock()
        });
        assert_eq!(thread.join().unwrap(), 7);
        rt.block_on(task).unwrap();
    });
}

#[test]
fn blocking_lock_on_a_worker_panics_and_says_to_use_lock() {
    within_watchdog(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let m = Arc::new(Mutex::new(0));
        let task = rt.spawn({
            let m = m.clone();
            async move {
                let _g = m.blocking_lock();
            }
        });
        let err = rt.block_on(task).unwrap_err();
        assert!(err.is_panic());
        let payload = err.into_panic();
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(msg.contains("lock().await"), "message: {msg}");
        // The lock is still free.
        assert!(m.try_lock().is_ok());
    });
}

#[test]
fn a_task_looping_over_a_free_lock_still_lets_another_task_run() {
    let rt = Builder::new().worker_threads(1).build().unwrap();
    let m = Arc::new(Mutex::new(0u64));
    let stop = Arc::new(AtomicBool::new(false));
    let other_ran = Arc::new(AtomicBool::new(false));
    let (ran_tx, ran_rx) = std::sync::mpsc::channel();
    let looping = rt.spawn({
        let (m, stop) = (m.clone(), stop.clone());
        async move {
            // Never awaits anything that is not ready: only the budget makes it yield.
            while !stop.load(Ordering::SeqCst) {
                *m.lock().await += 1;
            }
        }
    });
    let other = rt.spawn({
        let other_ran = other_ran.clone();
        async move {
            other_ran.store(true, Ordering::SeqCst);
            ran_tx.send(()).unwrap();
        }
    });
    let ran = ran_rx.recv_timeout(WATCHDOG);
    stop.store(true, Ordering::SeqCst);
    assert!(
        ran.is_ok(),
        "the other task never ran: lock() did not spend the budget"
    );
    rt.block_on(async {
        looping.await.unwrap();
        other.await.unwrap();
    });
    assert!(other_ran.load(Ordering::SeqCst));
}

#[test]
fn many_readers_hold_an_rwlock_at_once() {
    let lock = RwLock::new(3);
    let a = lock.try_read().unwrap();
    let b = lock.try_read().unwrap();
    assert_eq!(*a * *b, 9);
    assert!(lock.try_write().is_err());
    drop((a, b));
    *lock.try_write().unwrap() = 4;
    assert!(lock.try_read().is_err() || *lock.try_read().unwrap() == 4);
}

#[test]
fn a_waiting_writer_makes_later_readers_wait() {
    let lock = RwLock::new(0);
    let reader = lock.try_read().unwrap();
    let mut writer = Probe::new(async {
        *lock.write().await += 1;
    });
    writer.pending();
    // A reader that comes after the writer waits, although only readers hold the lock.
    assert!(lock.try_read().is_err());
    let mut late_reader = Probe::new(async { *lock.read().await });
    late_reader.pending();
    drop(reader);
    assert!(writer.woken());
    assert!(!late_reader.woken());
    writer.ready();
    assert!(late_reader.woken());
    assert_eq!(late_reader.ready(), 1, "the writer went first");
}

#[test]
fn writers_are_not_starved_by_a_stream_of_readers_on_a_runtime() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    let lock = Arc::new(RwLock::new(0u64));
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(AtomicUsize::new(0));
    let readers: Vec<_> = (0..8)
        .map(|_| {
            let (lock, stop, reads) = (lock.clone(), stop.clone(), reads.clone());
            rt.spawn(async move {
                while !stop.load(Ordering::SeqCst) {
                    let _r = lock.read().await;
                    reads.fetch_add(1, Ordering::SeqCst);
                    weft::task::yield_now().await;
                }
            })
        })
        .collect();
    rt.block_on(async {
        for _ in 0..20 {
            let write = async { *lock.write().await += 1 };
            weft::time::timeout(WATCHDOG, write)
                .await
                .expect("watchdog: the writer was starved");
        }
    });
    stop.store(true, Ordering::SeqCst);
    rt.block_on(async {
        for r in weft::join_all(readers).await {
            r.unwrap();
        }
    });
    assert_eq!(*lock.blocking_read(), 20);
}

#[test]
fn blocking_write_on_a_worker_panics_and_says_to_use_write() {
    within_watchdog(|| {
        let rt = Builder::new().worker_threads(1).build().unwrap();
        let lock = Arc::new(RwLock::new(0));
        let task = rt.spawn({
            let lock = lock.clone();
            async move {
                *lock.blocking_write() += 1;
            }
        });
        let payload = rt.block_on(task).unwrap_err().into_panic();
        let msg = payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default();
        assert!(msg.contains("write().await"), "message: {msg}");
    });
}
