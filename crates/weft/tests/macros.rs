//! `#[weft::main]` and `#[weft::test]`, used as a user would.

use weft::runtime::Handle;

#[weft::test]
async fn a_test_runs_on_a_runtime() {
    let task = weft::spawn(async { 2 + 2 });
    assert_eq!(task.await.unwrap(), 4);
}

#[weft::test(worker_threads = 2)]
async fn worker_threads_sets_the_worker_count() {
    assert_eq!(Handle::current().num_workers(), 2);
}

#[weft::test]
async fn a_test_may_return_a_result() -> Result<(), std::io::Error> {
    let len = weft::spawn_blocking(|| std::fs::read("/proc/self/stat").map(|b| b.len()))
        .await
        .unwrap()?;
    assert!(len > 0);
    Ok(())
}

#[weft::test]
#[should_panic(expected = "inside the test")]
async fn a_panicking_test_fails() {
    panic!("inside the test");
}

mod returning_values {
    #[weft::main(worker_threads = 1)]
    pub(crate) async fn computes() -> u32 {
        weft::spawn(async { 41 }).await.unwrap() + 1
    }

    #[test]
    fn main_returns_the_body_output_and_closes_the_runtime() {
        assert_eq!(computes(), 42);
        assert!(weft::runtime::Handle::try_current().is_none());
    }
}
