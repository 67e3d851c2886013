#[weft::test(worker_threads = 0)]
async fn zero_workers() {}

#[weft::test(worker_threads = "two")]
async fn not_an_integer() {}

#[weft::test(worker_threads)]
async fn no_value() {}

#[weft::test(workers = 2)]
async fn unknown_argument() {}

#[weft::test(worker_threads = 1, worker_threads = 2)]
async fn given_twice() {}

#[weft::test]
#[test]
async fn test_attribute_twice() {}

#[weft::test(flavor = "local", worker_threads = 2)]
async fn workers_on_a_local_runtime() {}

#[weft::test(flavor = "current_thread")]
async fn unknown_flavor() {}

#[weft::test(start_paused = 1)]
async fn paused_not_a_bool() {}

fn main() {}
