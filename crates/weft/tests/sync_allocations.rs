//! Steady-state allocations of weft::sync, counted by a global allocator: none per lock,
//! acquire, notify or queue put/get once warm, and for mpsc at most the channel's own block
//! growth (one block of 32 values). Waiting (a contended lock, a full channel) allocates
//! nothing either: the waiter lists are intrusive.
//!
//! One test function, so no other test of this binary allocates while it counts.

use std::sync::Arc;
use weft::sync::{Mutex, Notify, Queue, Semaphore, mpsc};

mod counting_alloc;

use counting_alloc::allocations;

#[global_allocator]
static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;

const ROUNDS: usize = 2_000;

/// Two futures in one task (no spawn: a task is an allocation) handing control back and forth.
async fn measure<F: std::future::Future<Output = ()>>(what: &str, warm: F, run: F) -> usize {
    warm.await;
    let before = allocations();
    run.await;
    let n = allocations() - before;
    println!("{what}: {n} allocations for {ROUNDS} rounds");
    n
}

async fn contended_mutex(m: &Mutex<u64>) {
    let side = || async {
        for _ in 0..ROUNDS {
            let mut g = m.lock().await;
            *g += 1;
            weft::task::yield_now().await; // the other side waits on the lock meanwhile
        }
    };
    weft::join!(side(), side());
}

async fn semaphore_round(s: &Semaphore) {
    let side = || async {
        for _ in 0..ROUNDS {
            let _p = s.acquire().await.unwrap();
            weft::task::yield_now().await;
        }
    };
    weft::join!(side(), side());
}

async fn notify_ping_pong(a: &Notify, b: &Notify) {
    weft::join!(
        async {
            for _ in 0..ROUNDS {
                a.notify_one();
                b.notified().await;
            }
        },
        async {
            for _ in 0..ROUNDS {
                a.notified().await;
                b.notify_one();
            }
        }
    );
}

async fn queue_round(q: &Queue<u64>) {
    weft::join!(
        async {
            for i in 0..ROUNDS as u64 {
                q.put(i).await.unwrap();
            }
        },
        async {
            for _ in 0..ROUNDS {
                q.get().await.unwrap();
                q.task_done();
            }
        }
    );
}

async fn mpsc_round(tx: &mpsc::Sender<u64>, rx: &mut mpsc::Receiver<u64>) {
    weft::join!(
        async {
            for i in 0..ROUNDS as u64 {
                tx.send(i).await.unwrap();
            }
        },
        async {
            for _ in 0..ROUNDS {
                rx.recv().await.unwrap();
            }
        }
    );
}

#[test]
fn sync_primitives_do_not_allocate_in_steady_state() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        // Steady state: the worker thread has started (a new thread allocates its own
        // thread-locals as it comes up, which a process-wide count would see).
        weft::spawn(async {}).await.unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let m = Arc::new(Mutex::new(0));
        let n = measure("contended Mutex", contended_mutex(&m), contended_mutex(&m)).await;
        assert_eq!(n, 0, "a lock, waited for or not, allocates nothing");

        let s = Semaphore::new(1);
        let n = measure("Semaphore", semaphore_round(&s), semaphore_round(&s)).await;
        assert_eq!(n, 0);

        let (a, b) = (Notify::new(), Notify::new());
        let n = measure("Notify", notify_ping_pong(&a, &b), notify_ping_pong(&a, &b)).await;
        assert_eq!(n, 0);

        let q = Queue::new(8);
        let n = measure("Queue", queue_round(&q), queue_round(&q)).await;
        assert_eq!(
            n, 0,
            "put waits while full, get frees a place: no allocation"
        );

        let (tx, mut rx) = mpsc::channel(8);
        mpsc_round(&tx, &mut rx).await;
        let before = allocations();
        mpsc_round(&tx, &mut rx).await;
        let n = allocations() - before;
        println!("mpsc: {n} allocations for {ROUNDS} values");
        assert!(
            n <= ROUNDS / 32 + 1,
            "at most one block of 32 values per 32 sends: {n} for {ROUNDS}"
        );
    });
    rt.close();
}
