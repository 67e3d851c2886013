//! The spawn path in isolation, for instruction counts that machine noise does not move:
//!
//! ```sh
//! cargo build --release -p weft-benches --example spawn_join
//! valgrind --tool=callgrind target/release/examples/spawn_join 200000
//! ```
//!
//! One worker (so the count is deterministic), N tasks spawned from a task and joined in
//! order; the total divided by N is the cost of one spawned-and-joined task.

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(200_000, |s| s.parse().expect("usage: spawn_join [N]"));
    let rt = weft::runtime::Builder::new()
        .worker_threads(1)
        .build()
        .expect("runtime");
    let sum = rt.block_on(rt.spawn(async move {
        let mut sum = 0usize;
        for i in 0..n {
            sum += weft::spawn(async move { i }).await.unwrap();
        }
        sum
    }));
    assert_eq!(sum.unwrap(), n * (n - 1) / 2);
    rt.close();
}
