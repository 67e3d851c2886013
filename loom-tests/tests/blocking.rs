//! loom model of the blocking pool (`weft-blocking`): a spawn racing with a pool thread going
//! idle and with shutdown.
//!
//! Checked in every interleaving: no job is lost (every handle resolves: with the job's output
//! if it ran, cancelled if it never started), no job runs twice, and shutdown returns only
//! after every pool thread left (no thread is leaked). loom has no clock, so the keep-alive
//! exit is not modelled; an idle thread here waits until the channel closes.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use weft_blocking::ThreadPool;

#[test]
fn spawn_races_with_an_idle_thread_and_shutdown() {
    let mut builder = loom::model::Builder::new();
    builder.max_branches = 20_000;
    builder.check(|| {
        let pool = ThreadPool::builder().max_threads(1).build().unwrap();
        let runs = Arc::new(AtomicUsize::new(0));
        let first = {
            let runs = runs.clone();
            pool.spawn(move || runs.fetch_add(1, Ordering::SeqCst))
        };
        let spawner = {
            let (pool, runs) = (pool.clone(), runs.clone());
            thread::spawn(move || pool.spawn(move || runs.fetch_add(1, Ordering::SeqCst)))
        };
        let second = spawner.join().unwrap();
        pool.shutdown();
        assert_eq!(
            pool.num_threads(),
            0,
            "shutdown returned with a thread alive"
        );
        let mut ran = 0;
        for job in [first, second] {
            match weft_core::block_on(job) {
                Ok(_) => ran += 1,
                Err(e) => assert!(e.is_cancelled()),
            }
        }
        assert_eq!(
            runs.load(Ordering::SeqCst),
            ran,
            "each job ran at most once"
        );
    });
}

#[test]
fn shutdown_races_with_a_spawn_from_another_thread() {
    let mut builder = loom::model::Builder::new();
    builder.max_branches = 20_000;
    builder.check(|| {
        let pool = ThreadPool::builder().max_threads(1).build().unwrap();
        let spawner = {
            let pool = pool.clone();
            thread::spawn(move || pool.spawn(|| 1))
        };
        pool.shutdown();
        let job = spawner.join().unwrap();
        // Either it ran before the shutdown took the queue, or it never will.
        match weft_core::block_on(job) {
            Ok(v) => assert_eq!(v, 1),
            Err(e) => assert!(e.is_cancelled()),
        }
        pool.shutdown(); // idempotent, and no thread is left
        assert_eq!(pool.num_threads(), 0);
    });
}
