//! `#[weft::main]` and `#[weft::test]`, used as a user would. The compile errors are checked
//! by `macro_errors.rs`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::runtime::Handle;

#[weft::test]
async fn a_test_runs_on_a_runtime_and_can_spawn() {
    let tasks: Vec<_> = (1..=4u32)
        .map(|i| weft::spawn(async move { i * 10 }))
        .collect();
    let mut total = 0;
    for task in tasks {
        total += task.await.unwrap();
    }
    assert_eq!(total, 100);
}

#[weft::test(worker_threads = 2)]
async fn worker_threads_sets_the_worker_count() {
    assert_eq!(Handle::current().num_workers(), 2);
    let ran = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let ran = Arc::clone(&ran);
            weft::spawn(async move {
                ran.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(ran.load(Ordering::Relaxed), 8);
}

#[weft::test(flavor = "local")]
async fn flavor_local_runs_on_a_local_runtime() {
    let shared = std::rc::Rc::new(std::cell::Cell::new(0));
    let here = std::thread::current().id();
    let task = weft::task::spawn_local({
        let shared = shared.clone();
        async move {
            shared.set(shared.get() + 1);
            std::thread::current().id()
        }
    });
    assert_eq!(task.await.unwrap(), here);
    assert_eq!(shared.get(), 1);
}

#[weft::test(start_paused = true, worker_threads = 2)]
async fn start_paused_starts_with_the_clock_paused() {
    let handle = weft::runtime::Handle::current();
    let start = handle.time();
    std::thread::sleep(std::time::Duration::from_millis(2));
    assert_eq!(handle.time(), start);
    weft::time::sleep(std::time::Duration::from_secs(7200)).await;
    assert!(handle.time() - start >= std::time::Duration::from_secs(7200));
}

#[weft::test(flavor = "local", start_paused = true)]
async fn local_and_paused_together() {
    let start = weft::time::Instant::now();
    weft::time::sleep(std::time::Duration::from_secs(60)).await;
    assert_eq!(
        weft::time::Instant::now() - start,
        std::time::Duration::from_secs(60)
    );
}

#[weft::test]
async fn a_test_may_return_a_result_and_use_the_question_mark() -> Result<(), std::io::Error> {
    let len = weft::spawn_blocking(|| std::fs::read("/proc/self/stat").map(|b| b.len()))
        .await
        .unwrap()?;
    assert!(len > 0);
    Ok(())
}

/// Doc comments, `#[should_panic]` and inner attributes are kept.
#[weft::test(worker_threads = 1)]
#[should_panic(expected = "inside the test")]
async fn a_panicking_test_fails() {
    #![allow(unused_variables)]
    let unused = 1;
    panic!("inside the test");
}

mod main_attribute {
    use std::fmt::Debug;

    #[weft::main(worker_threads = 1)]
    pub(crate) async fn computes() -> u32 {
        weft::spawn(async { 41 }).await.unwrap() + 1
    }

    #[weft::main]
    async fn returns_an_impl_trait() -> impl Debug {
        weft::spawn(async { "opaque" }).await.unwrap()
    }

    /// Never called: checks that a body that never returns (a server's accept loop) compiles
    /// without an "unreachable expression" warning from the expansion.
    #[weft::main]
    #[deny(unreachable_code)]
    #[allow(dead_code)]
    async fn serves_forever() {
        loop {
            weft::task::yield_now().await;
        }
    }

    #[test]
    fn main_returns_the_body_output_and_closes_its_runtime() {
        assert_eq!(computes(), 42);
        assert!(weft::runtime::Handle::try_current().is_none());
        assert_eq!(format!("{:?}", returns_an_impl_trait()), "\"opaque\"");
    }
}
