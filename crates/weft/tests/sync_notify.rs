//! `weft::sync::{Notify, Event, Condition, Barrier}`: who is woken, what is stored, and
//! cancellation that loses nothing.

mod sync_support;

use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use sync_support::{Probe, WATCHDOG, within_watchdog};
use weft::runtime::Builder;
use weft::sync::{Barrier, Condition, Event, Mutex, Notify};

#[test]
fn notify_one_with_nobody_waiting_stores_exactly_one_notification() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_one();
    Probe::new(notify.notified()).ready();
    Probe::new(notify.notified()).pending();
}

#[test]
fn notify_one_wakes_the_first_waiter_only() {
    let notify = Notify::new();
    let mut waiters: Vec<_> = (0..3).map(|_| Probe::new(notify.notified())).collect();
    for w in &mut waiters {
        w.pending();
    }
    notify.notify_one();
    assert!(waiters[0].woken());
    assert!(!waiters[1].woken() && !waiters[2].woken());
    waiters[0].ready();
    notify.notify_one();
    assert!(waiters[1].woken());
    waiters[1].ready();
    waiters[2].pending();
}

#[test]
fn notify_waiters_wakes_every_current_waiter_and_stores_nothing() {
    let notify = Notify::new();
    let mut waiters: Vec<_> = (0..40).map(|_| Probe::new(notify.notified())).collect();
    for w in &mut waiters {
        w.pending();
    }
    // Created before the call but never polled: it counts as a current waiter too.
    let mut unpolled = Probe::new(notify.notified());
    notify.notify_waiters();
    for w in &mut waiters {
        assert!(w.woken());
        w.ready();
    }
    unpolled.ready();
    Probe::new(notify.notified()).pending();
}

#[test]
fn a_stored_notification_survives_notify_waiters() {
    let notify = Notify::new();
    notify.notify_one();
    notify.notify_waiters();
    Probe::new(notify.notified()).ready();
}

#[test]
fn a_waiter_dropped_after_notify_one_chose_it_passes_the_notification_on() {
    let notify = Notify::new();
    let mut first = Probe::new(notify.notified());
    let mut second = Probe::new(notify.notified());
    first.pending();
    second.pending();
    notify.notify_one();
    assert!(first.woken());
    drop(first);
    assert!(second.woken(), "the notification went to the next waiter");
    second.ready();
}

#[test]
fn a_chosen_waiter_dropped_with_nobody_behind_it_stores_the_notification() {
    let notify = Notify::new();
    let mut only = Probe::new(notify.notified());
    only.pending();
    notify.notify_one();
    drop(only);
    Probe::new(notify.notified()).ready();
}

#[test]
fn a_waiter_chosen_by_notify_waiters_and_dropped_passes_nothing_on() {
    let notify = Notify::new();
    let mut first = Probe::new(notify.notified());
    first.pending();
    notify.notify_waiters();
    drop(first);
    Probe::new(notify.notified()).pending();
}

#[test]
fn a_waiter_dropped_before_it_was_chosen_leaves_the_line() {
    let notify = Notify::new();
    let mut first = Probe::new(notify.notified());
    let mut second = Probe::new(notify.notified());
    first.pending();
    second.pending();
    drop(first);
    notify.notify_one();
    assert!(second.woken());
    second.ready();
}

#[test]
fn enable_puts_a_future_in_line_before_it_is_polled() {
    within_watchdog(|| {
        let notify = Notify::new();
        let mut late = pin!(notify.notified());
        let mut early = pin!(notify.notified());
        assert!(!early.as_mut().enable());
        assert!(!late.as_mut().enable());
        notify.notify_one();
        futures_lite::future::block_on(early);
        let mut late = Probe::new(late);
        late.pending();
    });
}

#[test]
fn notify_one_from_a_plain_thread_reaches_every_task_in_turn() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    let notify = Arc::new(Notify::new());
    let woken = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (notify, woken) = (notify.clone(), woken.clone());
            rt.spawn(async move {
                notify.notified().await;
                woken.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    let notifier = std::thread::spawn({
        let (notify, woken) = (notify.clone(), woken.clone());
        move || {
            // One at a time: notifications sent while nobody waits coalesce into one.
            let deadline = std::time::Instant::now() + WATCHDOG;
            for i in 0..20 {
                notify.notify_one();
                while woken.load(Ordering::SeqCst) <= i && std::time::Instant::now() < deadline {
                    std::thread::yield_now();
                }
            }
        }
    });
    notifier.join().unwrap();
    rt.block_on(async {
        let all = weft::time::timeout(WATCHDOG, weft::join_all(tasks)).await;
        for r in all.expect("watchdog: a notification was lost") {
            r.unwrap();
        }
    });
    assert_eq!(woken.load(Ordering::SeqCst), 20);
}

#[test]
fn event_wait_returns_at_once_while_set_and_waits_after_clear() {
    let event = Event::new();
    assert!(!event.is_set());
    Probe::new(event.wait()).pending();
    event.set();
    assert!(event.is_set());
    Probe::new(event.wait()).ready();
    Probe::new(event.wait()).ready();
    event.clear();
    Probe::new(event.wait()).pending();
}

#[test]
fn event_set_wakes_every_waiter_even_if_cleared_before_they_run() {
    let event = Event::new();
    let mut waiters: Vec<_> = (0..5).map(|_| Probe::new(event.wait())).collect();
    for w in &mut waiters {
        w.pending();
    }
    event.set();
    event.clear();
    for w in &mut waiters {
        assert!(w.woken());
        w.ready();
    }
}

#[test]
fn event_set_from_a_plain_thread_wakes_a_task() {
    let rt = Builder::new().worker_threads(1).build().unwrap();
    let event = Arc::new(Event::new());
    let waiter = rt.spawn({
        let event = event.clone();
        async move { event.wait().await }
    });
    std::thread::spawn({
        let event = event.clone();
        move || event.set()
    })
    .join()
    .unwrap();
    rt.block_on(async {
        weft::time::timeout(WATCHDOG, waiter)
            .await
            .expect("watchdog")
            .unwrap();
    });
}

#[test]
fn condition_wait_while_returns_once_the_predicate_is_false() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    let shared = Arc::new((Mutex::new(0u32), Condition::new()));
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let shared = shared.clone();
            rt.spawn(async move {
                let (count, cond) = &*shared;
                let guard = cond.wait_while(count.lock().await, |n| *n < 10).await;
                *guard
            })
        })
        .collect();
    rt.block_on(async {
        let (count, cond) = &*shared;
        for _ in 0..10 {
            *count.lock().await += 1;
            cond.notify_all();
            weft::task::yield_now().await;
        }
        let all = weft::time::timeout(WATCHDOG, weft::join_all(consumers)).await;
        for r in all.expect("watchdog: a consumer missed the notification") {
            assert_eq!(r.unwrap(), 10);
        }
    });
}

#[test]
fn condition_wait_releases_the_lock_and_the_next_holder_can_notify_it() {
    let m = Mutex::new(false);
    let cond = Condition::new();
    let mut waiter = Probe::new(async {
        let guard = m.lock().await;
        let guard = cond.wait(guard).await;
        *guard
    });
    waiter.pending();
    // The waiter released the lock while waiting, and is already in line.
    let mut guard = m.try_lock().expect("wait released the lock");
    *guard = true;
    cond.notify_one();
    assert!(waiter.woken());
    // It needs the lock back before it returns.
    waiter.pending();
    drop(guard);
    assert!(waiter.woken());
    assert!(waiter.ready());
}

#[test]
fn condition_notify_with_nobody_waiting_is_not_stored() {
    let m = Mutex::new(());
    let cond = Condition::new();
    cond.notify_one();
    cond.notify_all();
    let mut waiter = Probe::new(async {
        let guard = m.lock().await;
        drop(cond.wait(guard).await);
    });
    waiter.pending();
    cond.notify_one();
    waiter.ready();
}

#[test]
fn a_condition_waiter_dropped_after_it_was_notified_passes_it_on() {
    let m = Mutex::new(());
    let cond = Condition::new();
    let wait = || async {
        let guard = m.lock().await;
        drop(cond.wait(guard).await);
    };
    let mut first = Probe::new(wait());
    let mut second = Probe::new(wait());
    first.pending();
    second.pending();
    // The first is chosen, but it needs the lock, which is held.
    let held = m.try_lock().unwrap();
    cond.notify_one();
    assert!(first.woken());
    first.pending();
    drop(first);
    drop(held);
    assert!(
        second.woken(),
        "the notification went on to the second waiter"
    );
    second.ready();
}

#[test]
fn exactly_one_leader_per_group_and_the_barrier_is_reusable() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    const N: usize = 4;
    const ROUNDS: usize = 25;
    let barrier = Arc::new(Barrier::new(N));
    let leaders = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..N)
        .map(|_| {
            let (barrier, leaders) = (barrier.clone(), leaders.clone());
            rt.spawn(async move {
                for _ in 0..ROUNDS {
                    if barrier.wait().await.is_leader() {
                        leaders.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    rt.block_on(async {
        let all = weft::time::timeout(WATCHDOG, weft::join_all(tasks)).await;
        for r in all.expect("watchdog: a group never completed") {
            r.unwrap();
        }
    });
    assert_eq!(leaders.load(Ordering::SeqCst), ROUNDS);
}

#[test]
fn a_barrier_of_zero_behaves_as_a_barrier_of_one() {
    let barrier = Barrier::new(0);
    assert!(Probe::new(barrier.wait()).ready().is_leader());
    assert!(Probe::new(barrier.wait()).ready().is_leader());
}

#[test]
fn a_barrier_waiter_dropped_before_its_group_is_complete_leaves_it() {
    let barrier = Barrier::new(2);
    let mut leaving = Probe::new(barrier.wait());
    leaving.pending();
    drop(leaving);
    let mut a = Probe::new(barrier.wait());
    a.pending();
    let mut b = Probe::new(barrier.wait());
    assert!(b.ready().is_leader());
    assert!(a.woken());
    assert!(!a.ready().is_leader());
}

#[test]
fn a_large_group_is_released_in_full() {
    let barrier = Barrier::new(100);
    let mut waiters: Vec<_> = (0..99).map(|_| Probe::new(barrier.wait())).collect();
    for w in &mut waiters {
        w.pending();
    }
    // The next group's first waiter joins before the leader.
    assert!(Probe::new(barrier.wait()).ready().is_leader());
    let mut next = Probe::new(barrier.wait());
    next.pending();
    for w in &mut waiters {
        assert!(w.woken());
        assert!(!w.ready().is_leader());
    }
    assert!(!next.woken());
}

#[test]
fn closing_a_runtime_drops_tasks_waiting_on_a_notify_and_it_stays_usable() {
    let notify = Arc::new(Notify::new());
    for _ in 0..50 {
        let rt = Builder::new().worker_threads(2).build().unwrap();
        for _ in 0..20 {
            let notify = notify.clone();
            drop(rt.spawn(async move { notify.notified().await }));
        }
        std::thread::sleep(Duration::from_millis(1));
        drop(rt); // drops every waiting task's future
    }
    notify.notify_one();
    Probe::new(notify.notified()).ready();
}
