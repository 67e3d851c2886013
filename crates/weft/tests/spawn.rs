//! Spawning and running tasks, as a user sees it.

mod common;

use common::runtime;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

#[test]
fn hundred_thousand_tasks_spawned_from_outside_all_complete() {
    let rt = runtime(2);
    let done = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..100_000u64)
        .map(|i| {
            let done = done.clone();
            rt.spawn(async move {
                done.fetch_add(1, Ordering::Relaxed);
                i
            })
        })
        .collect();
    let sum = rt.block_on(async {
        let mut sum = 0;
        for h in handles {
            sum += h.await.unwrap();
        }
        sum
    });
    assert_eq!(sum, (0..100_000u64).sum());
    assert_eq!(done.load(Ordering::Relaxed), 100_000);
}

#[test]
fn hundred_thousand_tasks_spawned_from_a_task_all_complete() {
    let rt = runtime(2);
    let sum = rt.block_on(async {
        weft::spawn(async {
            let handles: Vec<_> = (0..100_000u64)
                .map(|i| weft::spawn(async move { i }))
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.unwrap();
            }
            sum
        })
        .await
        .unwrap()
    });
    assert_eq!(sum, (0..100_000u64).sum());
}

fn tree(depth: u32) -> std::pin::Pin<Box<dyn std::future::Future<Output = u64> + Send>> {
    Box::pin(async move {
        if depth == 0 {
            return 1;
        }
        let left = weft::spawn(tree(depth - 1));
        let right = weft::spawn(tree(depth - 1));
        left.await.unwrap() + right.await.unwrap()
    })
}

#[test]
fn a_recursive_spawn_tree_completes() {
    let rt = runtime(2);
    assert_eq!(rt.block_on(tree(12)), 1 << 12);
}

#[test]
fn two_tasks_run_in_parallel() {
    // Each task blocks its worker until the other one reaches the barrier too: this only
    // finishes if the two run at the same time on two workers.
    let rt = runtime(2);
    let barrier = Arc::new(Barrier::new(2));
    let tasks: Vec<_> = (0..2)
        .map(|_| {
            let barrier = barrier.clone();
            rt.spawn(async move {
                barrier.wait();
            })
        })
        .collect();
    rt.block_on(async {
        for t in tasks {
            t.await.unwrap();
        }
    });
}

#[test]
fn a_task_blocked_on_one_worker_does_not_stop_others_from_being_stolen() {
    let rt = runtime(2);
    let (tx, rx) = mpsc::channel::<u32>();
    let blocker = rt.spawn(async move {
        // Spawned from this worker: they land in its LIFO slot and local queue. The worker then
        // blocks until all of them ran, so they must be stolen by the other worker.
        for i in 0..10 {
            let tx = tx.clone();
            weft::spawn(async move { tx.send(i).unwrap() });
        }
        let mut got: Vec<u32> = (0..10).map(|_| rx.recv().unwrap()).collect();
        got.sort_unstable();
        got
    });
    let got = rt.block_on(blocker).unwrap();
    assert_eq!(got, (0..10).collect::<Vec<_>>());
}

#[test]
fn a_task_woken_by_a_blocked_task_is_stolen() {
    // The woken task goes to the LIFO slot of the blocked task's worker.
    let rt = runtime(2);
    let (gate_tx, gate_rx) = futures_lite_oneshot();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let waiter = rt.spawn(async move {
        gate_rx.await;
        done_tx.send(()).unwrap();
    });
    // Let the waiter park on the gate.
    std::thread::sleep(Duration::from_millis(20));
    let blocker = rt.spawn(async move {
        gate_tx.open();
        done_rx.recv().unwrap();
    });
    rt.block_on(async {
        blocker.await.unwrap();
        waiter.await.unwrap();
    });
}

#[test]
fn yield_now_lets_the_other_task_run() {
    let rt = runtime(1);
    let log = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log2 = log.clone();
    rt.block_on(async move {
        // Both are spawned by a task on the only worker, so neither runs before both exist
        // (spawned from `block_on`'s thread, the first could start before the second is spawned).
        weft::spawn(async move {
            let tasks: Vec<_> = ["a", "b"]
                .into_iter()
                .map(|name| {
                    let log = log2.clone();
                    weft::spawn(async move {
                        for i in 0..3 {
                            log.lock().unwrap().push(format!("{name}{i}"));
                            weft::task::yield_now().await;
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
        })
        .await
        .unwrap();
    });
    let log = log.lock().unwrap();
    // With one worker and yields in between, neither task runs twice in a row.
    for pair in log.windows(2) {
        assert_ne!(pair[0].as_bytes()[0], pair[1].as_bytes()[0], "log: {log:?}");
    }
    assert_eq!(log.len(), 6);
}

#[test]
fn tasks_spawned_from_outside_run_while_every_worker_spins_in_a_yield_loop() {
    let rt = runtime(2);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let started = Arc::new(Barrier::new(3));
    // Each worker busy-waits until a task spawned from outside tells it to stop: that task
    // only runs if a worker that does nothing but yield still takes work from the injector.
    let spinners: Vec<_> = (0..2)
        .map(|_| {
            let (stop, started) = (stop.clone(), started.clone());
            rt.spawn(async move {
                started.wait();
                let mut yields = 0u64;
                while !stop.load(Ordering::Acquire) {
                    weft::task::yield_now().await;
                    yields += 1;
                }
                yields
            })
        })
        .collect();
    // Both workers are in their spin loops before anything else is spawned.
    started.wait();
    let ran = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..1_000)
        .map(|_| {
            let ran = ran.clone();
            rt.spawn(async move {
                ran.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    let stopper = {
        let stop = stop.clone();
        rt.spawn(async move { stop.store(true, Ordering::Release) })
    };
    let yields: u64 = rt.block_on(async move {
        for w in workers {
            w.await.unwrap();
        }
        stopper.await.unwrap();
        let mut total = 0;
        for s in spinners {
            total += s.await.unwrap();
        }
        total
    });
    assert_eq!(ran.load(Ordering::Relaxed), 1_000);
    assert!(
        yields > 0,
        "the spinners never yielded, so the test proved nothing"
    );
}

#[test]
fn dropping_a_join_handle_detaches_the_task() {
    let rt = runtime(2);
    let (tx, rx) = mpsc::channel();
    drop(rt.spawn(async move { tx.send("still ran").unwrap() }));
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        "still ran"
    );
}

#[test]
fn tasks_spawned_from_many_threads_all_complete() {
    let rt = runtime(2);
    let handle = rt.handle().clone();
    let done = Arc::new(AtomicUsize::new(0));
    std::thread::scope(|s| {
        for _ in 0..4 {
            let handle = handle.clone();
            let done = done.clone();
            s.spawn(move || {
                let tasks: Vec<_> = (0..1000)
                    .map(|_| {
                        let done = done.clone();
                        handle.spawn(async move {
                            done.fetch_add(1, Ordering::Relaxed);
                        })
                    })
                    .collect();
                handle.block_on(async {
                    for t in tasks {
                        t.await.unwrap();
                    }
                });
            });
        }
    });
    assert_eq!(done.load(Ordering::Relaxed), 4000);
}

#[test]
fn join_handle_reports_id_name_and_finished() {
    let rt = runtime(1);
    let a = rt.spawn(async {});
    let b = weft::task::Builder::new()
        .name("worker-b")
        .spawn_on(async { 7 }, rt.handle());
    assert_ne!(a.id(), b.id());
    assert_eq!(a.name(), None);
    assert_eq!(b.name(), Some("worker-b"));
    let id = b.id();
    let (a_done, b_out) = rt.block_on(async { (a.await.is_ok(), b.await.unwrap()) });
    assert!(a_done);
    assert_eq!(b_out, 7);
    assert_eq!(format!("{id}"), id.as_u64().to_string());
}

#[test]
fn is_finished_turns_true_when_the_task_completes() {
    let rt = runtime(1);
    let (tx, rx) = mpsc::channel::<()>();
    let task = rt.spawn(async move {
        rx.recv().unwrap();
    });
    assert!(!task.is_finished());
    tx.send(()).unwrap();
    while !task.is_finished() {
        std::thread::yield_now();
    }
    rt.block_on(task).unwrap();
}

/// A tiny runtime-agnostic one-shot gate for the tests.
fn futures_lite_oneshot() -> (Gate, GateWait) {
    let shared = Arc::new(std::sync::Mutex::new((false, None::<std::task::Waker>)));
    (Gate(shared.clone()), GateWait(shared))
}

struct Gate(Arc<std::sync::Mutex<(bool, Option<std::task::Waker>)>>);
struct GateWait(Arc<std::sync::Mutex<(bool, Option<std::task::Waker>)>>);

impl Gate {
    fn open(self) {
        let waker = {
            let mut g = self.0.lock().unwrap();
            g.0 = true;
            g.1.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

impl std::future::Future for GateWait {
    type Output = ();
    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let mut g = self.0.lock().unwrap();
        if g.0 {
            std::task::Poll::Ready(())
        } else {
            g.1 = Some(cx.waker().clone());
            std::task::Poll::Pending
        }
    }
}

#[test]
fn a_cancelled_task_as_an_io_error_is_not_retried_by_io_loops() {
    use std::io::Read;
    let rt = runtime(1);
    let task = rt.spawn(std::future::pending::<()>());
    task.abort();
    let err = rt.block_on(task).unwrap_err();
    assert!(err.is_cancelled());
    let message = err.to_string();
    let io_err = std::io::Error::from(err);
    assert_ne!(io_err.kind(), std::io::ErrorKind::Interrupted);
    assert_eq!(io_err.to_string(), message);

    // A reader that fails with it: std's read loop gives up at once instead of retrying.
    struct FailsWith(Option<std::io::Error>, usize);
    impl Read for FailsWith {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            self.1 += 1;
            if self.1 > 1000 {
                return Ok(0); // retried forever otherwise
            }
            let e = self.0.as_ref().unwrap();
            Err(std::io::Error::new(e.kind(), e.to_string()))
        }
    }
    let mut reader = FailsWith(Some(io_err), 0);
    assert!(reader.read_to_end(&mut Vec::new()).is_err());
    assert_eq!(reader.1, 1, "the read was tried once");
}
