//! Allocation costs, counted by a global allocator: one allocation per spawned task (plus the
//! run queues' amortized growth), and none at all for waking, yielding and rescheduling.
//!
//! One test function, so no other test of this binary allocates while it counts.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

mod counting_alloc;

use counting_alloc::allocations;

#[global_allocator]
static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;

/// A flag two tasks hand back and forth; waking through it allocates nothing itself (the
/// waker slot is reused), so any allocation counted is the runtime's.
struct Signal {
    set: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Signal {
    fn new() -> Arc<Signal> {
        Arc::new(Signal {
            set: AtomicBool::new(false),
            waker: Mutex::new(None),
        })
    }

    fn raise(&self) {
        self.set.store(true, Ordering::SeqCst);
        if let Some(w) = self.waker.lock().unwrap().as_ref() {
            w.wake_by_ref();
        }
    }

    fn wait(&self) -> Wait<'_> {
        Wait(self)
    }
}

struct Wait<'a>(&'a Signal);

impl Future for Wait<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut slot = self.0.waker.lock().unwrap();
        if self.0.set.swap(false, Ordering::SeqCst) {
            return Poll::Ready(());
        }
        match slot.as_mut() {
            Some(w) => w.clone_from(cx.waker()),
            None => *slot = Some(cx.waker().clone()),
        }
        drop(slot);
        if self.0.set.swap(false, Ordering::SeqCst) {
            return Poll::Ready(());
        }
        Poll::Pending
    }
}

#[test]
fn spawning_costs_one_allocation_per_task_and_waking_costs_none() {
    const N: usize = 10_000;
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    // Warm up: thread-locals, queue buffers, the block_on waker.
    rt.block_on(async {
        let hs: Vec<_> = (0..N).map(|_| weft::spawn(async {})).collect();
        for h in hs {
            h.await.unwrap();
        }
    });

    // Spawning N tasks from a task: N task allocations plus at most N/32 for the queues.
    let spawned = rt.block_on(async {
        weft::spawn(async {
            let mut handles = Vec::with_capacity(N);
            let before = allocations();
            for _ in 0..N {
                handles.push(weft::spawn(async {}));
            }
            let spent = allocations() - before;
            for h in handles {
                h.await.unwrap();
            }
            spent
        })
        .await
        .unwrap()
    });
    assert!(spawned >= N, "each task is one allocation: {spawned}");
    assert!(
        spawned <= N + N / 32,
        "spawning {N} tasks allocated {spawned} times"
    );

    // Spawning from outside the runtime costs the same.
    let mut handles = Vec::with_capacity(N);
    let before = allocations();
    for _ in 0..N {
        handles.push(rt.spawn(async {}));
    }
    let spent = allocations() - before;
    rt.block_on(async {
        for h in handles {
            h.await.unwrap();
        }
    });
    assert!(
        spent <= N + N / 32,
        "spawning {N} tasks from outside allocated {spent} times"
    );

    // Steady state: two tasks wake each other 10,000 times and a third yields 10,000 times.
    // Three workers, since each task blocks one at the start barrier. The first run warms up
    // the new worker threads (thread-locals, queue buffers); the second is counted.
    let rt = weft::runtime::Builder::new()
        .worker_threads(3)
        .build()
        .unwrap();
    // Warm-up runs: each worker thread pays one-time costs the first time it does something
    // (thread-local set-up, crossbeam's per-thread epoch record on its first steal), and which
    // worker does what first varies from run to run.
    for _ in 0..3 {
        steady_state(&rt);
    }
    let spent = steady_state(&rt);
    let resets = rt
        .block_on(rt.spawn(async {
            let mut sleep = std::pin::pin!(weft::time::sleep(std::time::Duration::from_secs(60)));
            // Warm-up: the first poll arms the timer (the wheel's slab may grow once).
            assert!(
                futures_lite::future::poll_once(sleep.as_mut())
                    .await
                    .is_none()
            );
            let before = allocations();
            for i in 0..1_000u64 {
                let deadline =
                    weft::time::Instant::now() + std::time::Duration::from_secs(30 + i % 60);
                sleep.as_mut().reset(deadline);
                assert!(
                    futures_lite::future::poll_once(sleep.as_mut())
                        .await
                        .is_none()
                );
            }
            allocations() - before
        }))
        .unwrap();
    assert_eq!(
        resets, 0,
        "resetting and re-polling a sleep allocated {resets} times"
    );
    assert_eq!(
        spent, 0,
        "waking, yielding and rescheduling allocated {spent} times"
    );
}

/// Runs the steady-state workload; returns the allocations counted once all three tasks have
/// made their first wake (their wakers are registered).
fn steady_state(rt: &weft::Runtime) -> usize {
    let ping = Signal::new();
    let pong = Signal::new();
    let ready = Arc::new(std::sync::Barrier::new(4));
    const ROUNDS: usize = 10_000;
    rt.block_on({
        let (ping, pong, ready) = (ping.clone(), pong.clone(), ready.clone());
        async move {
            let a = {
                let (ping, pong, ready) = (ping.clone(), pong.clone(), ready.clone());
                weft::spawn(async move {
                    // First round outside the count: registers the wakers.
                    ping.raise();
                    pong.wait().await;
                    ready.wait();
                    for _ in 0..ROUNDS {
                        ping.raise();
                        pong.wait().await;
                    }
                })
            };
            let b = {
                let ready = ready.clone();
                weft::spawn(async move {
                    ping.wait().await;
                    pong.raise();
                    ready.wait();
                    for _ in 0..ROUNDS {
                        ping.wait().await;
                        pong.raise();
                    }
                })
            };
            let c = {
                let ready = ready.clone();
                weft::spawn(async move {
                    weft::task::yield_now().await;
                    ready.wait();
                    for _ in 0..ROUNDS {
                        weft::task::yield_now().await;
                    }
                })
            };
            // All three are parked at the barrier with their first wake done; count from here.
            let before = allocations();
            ready.wait();
            a.await.unwrap();
            b.await.unwrap();
            c.await.unwrap();
            allocations() - before
        }
    })
}
