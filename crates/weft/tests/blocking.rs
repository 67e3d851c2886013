//! spawn_blocking and ThreadPool (asyncio: run_in_executor), as a user sees them.

mod common;

use common::eventually;

use std::io::ErrorKind;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;
use weft::blocking::ThreadPool;
use weft::runtime::Builder;

#[test]
fn two_thousand_jobs_complete_and_at_most_four_run_at_once() {
    let rt = Builder::new()
        .worker_threads(2)
        .max_blocking_threads(4)
        .build()
        .unwrap();
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let sum = rt.block_on({
        let (running, peak) = (running.clone(), peak.clone());
        async move {
            let jobs: Vec<_> = (0..2000u64)
                .map(|i| {
                    let (running, peak) = (running.clone(), peak.clone());
                    weft::spawn_blocking(move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        running.fetch_sub(1, Ordering::SeqCst);
                        i
                    })
                })
                .collect();
            let mut sum = 0;
            for job in jobs {
                sum += job.await.unwrap();
            }
            sum
        }
    });
    assert_eq!(sum, (0..2000u64).sum());
    let peak = peak.load(Ordering::SeqCst);
    assert!(
        (1..=4).contains(&peak),
        "at most 4 jobs ran at once, saw {peak}"
    );
}

#[test]
fn workers_keep_running_tasks_while_every_blocking_thread_is_busy() {
    let rt = Builder::new()
        .worker_threads(1)
        .max_blocking_threads(2)
        .build()
        .unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
    let started = Arc::new(Barrier::new(3));
    let jobs: Vec<_> = (0..2)
        .map(|_| {
            let (rx, started) = (release_rx.clone(), started.clone());
            rt.spawn_blocking(move || {
                started.wait();
                rx.lock().unwrap().recv().unwrap();
            })
        })
        .collect();
    started.wait(); // both blocking threads are busy now
    let answer = rt.block_on(rt.spawn(async {
        let inner = weft::spawn(async { 21 });
        inner.await.unwrap() * 2
    }));
    assert_eq!(answer.unwrap(), 42);
    release_tx.send(()).unwrap();
    release_tx.send(()).unwrap();
    for job in jobs {
        rt.block_on(job).unwrap();
    }
}

#[test]
fn idle_threads_exit_after_keep_alive() {
    let pool = ThreadPool::builder()
        .max_threads(3)
        .keep_alive(Duration::from_millis(30))
        .build()
        .unwrap();
    let barrier = Arc::new(Barrier::new(3));
    let jobs: Vec<_> = (0..3)
        .map(|_| {
            let barrier = barrier.clone();
            pool.spawn(move || {
                barrier.wait();
            })
        })
        .collect();
    for job in jobs {
        futures_lite::future::block_on(job).unwrap();
    }
    assert_eq!(
        pool.num_threads(),
        3,
        "three jobs met at a barrier: three threads"
    );
    assert!(
        eventually(|| pool.num_threads() == 0),
        "idle threads exited"
    );
    // The pool still works: a thread is started again on demand.
    assert_eq!(futures_lite::future::block_on(pool.spawn(|| 7)).unwrap(), 7);
}

#[test]
fn a_panicking_job_gives_is_panic_and_the_pool_keeps_serving() {
    let rt = Builder::new().max_blocking_threads(1).build().unwrap();
    let err = rt
        .block_on(rt.spawn_blocking(|| panic!("job failed")))
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(rt.block_on(rt.spawn_blocking(|| 5)).unwrap(), 5);
}

#[test]
fn a_job_aborted_before_it_starts_never_runs() {
    let pool = ThreadPool::builder().max_threads(1).build().unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let first = pool.spawn(move || {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
    });
    started_rx.recv().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let second = pool.spawn(move || r.store(true, Ordering::SeqCst));
    second.abort();
    release_tx.send(()).unwrap();
    futures_lite::future::block_on(first).unwrap();
    let err = futures_lite::future::block_on(second).unwrap_err();
    assert!(err.is_cancelled());
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn shutdown_lets_running_jobs_finish_and_cancels_queued_ones() {
    let pool = ThreadPool::builder().max_threads(1).build().unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let running = pool.spawn(move || {
        started_tx.send(()).unwrap();
        release_rx.recv().unwrap();
        "finished"
    });
    started_rx.recv().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let queued = pool.spawn(move || r.store(true, Ordering::SeqCst));
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        release_tx.send(()).unwrap();
    });
    pool.shutdown();
    releaser.join().unwrap();
    assert_eq!(futures_lite::future::block_on(running).unwrap(), "finished");
    assert!(
        futures_lite::future::block_on(queued)
            .unwrap_err()
            .is_cancelled()
    );
    assert!(!ran.load(Ordering::SeqCst));
    assert_eq!(pool.num_threads(), 0);
    // After shutdown, new jobs resolve cancelled.
    let late = pool.spawn(|| 1);
    assert!(
        futures_lite::future::block_on(late)
            .unwrap_err()
            .is_cancelled()
    );
}

#[test]
fn shutdown_timeout_does_not_hang_on_a_job_that_never_ends() {
    let pool = ThreadPool::builder().max_threads(1).build().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let stuck = pool.spawn(move || {
        started_tx.send(()).unwrap();
        while !s.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    started_rx.recv().unwrap();
    assert!(
        !pool.shutdown_timeout(Duration::from_millis(20)),
        "the timeout won"
    );
    assert!(!stuck.is_finished());
    stop.store(true, Ordering::SeqCst); // let the left-behind thread go
    futures_lite::future::block_on(stuck).unwrap();
}

#[test]
fn runtime_shutdown_timeout_bounds_the_wait_for_blocking_jobs() {
    let rt = Builder::new().max_blocking_threads(1).build().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let job = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        while !s.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
    });
    started_rx.recv().unwrap();
    rt.shutdown_timeout(Duration::from_millis(20));
    stop.store(true, Ordering::SeqCst);
    futures_lite::future::block_on(job).unwrap();
}

#[test]
fn a_thread_pool_works_from_a_plain_thread_and_from_another_executor() {
    let pool = ThreadPool::builder()
        .max_threads(2)
        .thread_name("custom-pool")
        .build()
        .unwrap();
    let p = pool.clone();
    let name = std::thread::spawn(move || {
        futures_lite::future::block_on(p.spawn(|| std::thread::current().name().map(str::to_owned)))
    })
    .join()
    .unwrap()
    .unwrap();
    assert!(name.unwrap().starts_with("custom-pool-"));
    // Awaited from inside a weft runtime too.
    let rt = Builder::new().worker_threads(1).build().unwrap();
    let p = pool.clone();
    assert_eq!(rt.block_on(async move { p.spawn(|| 3).await.unwrap() }), 3);
    pool.shutdown();
}

#[test]
fn blocking_misconfiguration_is_invalid_input() {
    let err = Builder::new().max_blocking_threads(0).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("max_blocking_threads(0)"), "{err}");
    let err = ThreadPool::builder().max_threads(0).build().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("max_threads(0)"), "{err}");
}

#[test]
fn spawn_blocking_outside_a_runtime_panics_saying_no_runtime_is_running() {
    let payload = std::panic::catch_unwind(|| weft::spawn_blocking(|| ())).unwrap_err();
    let msg = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    assert!(msg.contains("no weft runtime is running"), "{msg}");
}

#[test]
fn close_waits_for_running_blocking_jobs() {
    let rt = Builder::new().max_blocking_threads(2).build().unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let d = done.clone();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    let job = rt.spawn_blocking(move || {
        started_tx.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        d.store(true, Ordering::SeqCst);
    });
    started_rx.recv().unwrap();
    rt.close();
    assert!(
        done.load(Ordering::SeqCst),
        "close returned after the running job ended"
    );
    futures_lite::future::block_on(job).unwrap();
}

#[test]
fn a_thread_that_cannot_be_started_fails_its_job_not_the_pool() {
    // No OS gives a thread a stack this large: spawning the pool's thread fails.
    let pool = ThreadPool::builder()
        .max_threads(1)
        .stack_size(usize::MAX / 2)
        .build()
        .unwrap();
    let job = pool.spawn(|| 1);
    let err = futures_lite::future::block_on(job).unwrap_err();
    assert!(err.is_cancelled(), "the job never ran: {err}");
    assert_eq!(pool.num_threads(), 0);
    assert_eq!(
        pool.num_queued(),
        0,
        "nothing is left stranded in the queue"
    );
    pool.shutdown(); // and shutting down does not hang
}
