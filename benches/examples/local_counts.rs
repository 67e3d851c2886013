//! The one-thread rows' spawn and yield paths in isolation, for instruction counts that machine
//! noise does not move (see docs/benchmarks.md, "The one-thread rows"):
//!
//! ```sh
//! cargo build --release -p weft-benches --example local_counts
//! valgrind --tool=callgrind target/release/examples/local_counts weft spawn 100000
//! valgrind --tool=callgrind target/release/examples/local_counts tokio yield 100000
//! ```
//!
//! `RUNTIME` is `weft` (`LocalRuntime`), `tokio` (current-thread runtime + `LocalSet`) or `smol`
//! (`LocalExecutor` under `futures_lite::future::block_on`), as the `local_*` rows.
//! `spawn N`: `local_spawn_many`'s shape, a local task spawns N local tasks that each bump an
//! `Rc<Cell>` count, then awaits all the handles. `yield N`: `local_yield_many`'s shape, 100
//! local tasks share N yields (N / 100 each). `pingpong N`: `local_ping_pong`'s shape, N round
//! trips between two local tasks over two `async_channel::bounded(1)`. Run it with two values of N and divide the
//! difference of the totals by the difference of the Ns: that is the cost of one spawned task
//! (or one yield, or one round trip), without the runtime's construction and teardown.

use std::cell::Cell;
use std::rc::Rc;

/// Tasks that share the yields of `yield N`.
const YIELD_TASKS: usize = 100;

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: local_counts weft|tokio|smol spawn|yield|pingpong N";
    let runtime = args.next().expect(usage);
    let what = args.next().expect(usage);
    let n: usize = args.next().expect(usage).parse().expect(usage);
    let count = Rc::new(Cell::new(0usize));
    let expected = match what.as_str() {
        "spawn" => {
            spawn(&runtime, n, count.clone());
            n
        }
        "yield" => {
            yields(&runtime, n / YIELD_TASKS, count.clone());
            n / YIELD_TASKS * YIELD_TASKS
        }
        "pingpong" => {
            ping_pong(&runtime, n, count.clone());
            n
        }
        _ => panic!("{usage}"),
    };
    assert_eq!(count.get(), expected, "wrong count");
}

fn bump(count: &Cell<usize>) {
    count.set(count.get() + 1);
}

fn spawn(runtime: &str, n: usize, count: Rc<Cell<usize>>) {
    match runtime {
        "weft" => {
            let rt = weft::LocalRuntime::new().expect("runtime");
            let root = rt.spawn_local(async move {
                let handles: Vec<_> = (0..n)
                    .map(|_| {
                        let count = count.clone();
                        weft::task::spawn_local(async move { bump(&count) })
                    })
                    .collect();
                for h in handles {
                    h.await.expect("task failed");
                }
            });
            rt.block_on(root).expect("root failed");
        }
        "tokio" => {
            let (rt, local) = tokio_local();
            let root = local.spawn_local(async move {
                let handles: Vec<_> = (0..n)
                    .map(|_| {
                        let count = count.clone();
                        tokio::task::spawn_local(async move { bump(&count) })
                    })
                    .collect();
                for h in handles {
                    h.await.expect("task failed");
                }
            });
            local.block_on(&rt, root).expect("root failed");
        }
        "smol" => {
            let ex = Rc::new(async_executor::LocalExecutor::new());
            let inner = ex.clone();
            let root = ex.spawn(async move {
                let tasks: Vec<_> = (0..n)
                    .map(|_| {
                        let count = count.clone();
                        inner.spawn(async move { bump(&count) })
                    })
                    .collect();
                for t in tasks {
                    t.await;
                }
            });
            futures_lite::future::block_on(ex.run(root));
        }
        _ => panic!("runtime: weft, tokio or smol"),
    }
}

fn yields(runtime: &str, each: usize, count: Rc<Cell<usize>>) {
    match runtime {
        "weft" => {
            let rt = weft::LocalRuntime::new().expect("runtime");
            let handles: Vec<_> = (0..YIELD_TASKS)
                .map(|_| {
                    let count = count.clone();
                    rt.spawn_local(async move {
                        for _ in 0..each {
                            weft::task::yield_now().await;
                            bump(&count);
                        }
                    })
                })
                .collect();
            rt.block_on(async {
                for h in handles {
                    h.await.expect("task failed");
                }
            });
        }
        "tokio" => {
            let (rt, local) = tokio_local();
            let handles: Vec<_> = (0..YIELD_TASKS)
                .map(|_| {
                    let count = count.clone();
                    local.spawn_local(async move {
                        for _ in 0..each {
                            tokio::task::yield_now().await;
                            bump(&count);
                        }
                    })
                })
                .collect();
            local.block_on(&rt, async {
                for h in handles {
                    h.await.expect("task failed");
                }
            });
        }
        "smol" => {
            let ex = async_executor::LocalExecutor::new();
            let tasks: Vec<_> = (0..YIELD_TASKS)
                .map(|_| {
                    let count = count.clone();
                    ex.spawn(async move {
                        for _ in 0..each {
                            futures_lite::future::yield_now().await;
                            bump(&count);
                        }
                    })
                })
                .collect();
            futures_lite::future::block_on(ex.run(async {
                for t in tasks {
                    t.await;
                }
            }));
        }
        _ => panic!("runtime: weft, tokio or smol"),
    }
}

/// The two sides of `pingpong`: `ping` sends `0..n`, expects each back and counts the trips.
async fn ping(
    tx: async_channel::Sender<usize>,
    rx: async_channel::Receiver<usize>,
    n: usize,
    count: Rc<Cell<usize>>,
) {
    for i in 0..n {
        tx.send(i).await.expect("pong gone");
        assert_eq!(rx.recv().await.expect("pong gone"), i);
        bump(&count);
    }
}

async fn pong(tx: async_channel::Sender<usize>, rx: async_channel::Receiver<usize>, n: usize) {
    for _ in 0..n {
        let v = rx.recv().await.expect("ping gone");
        tx.send(v).await.expect("ping gone");
    }
}

fn ping_pong(runtime: &str, n: usize, count: Rc<Cell<usize>>) {
    let (to_pong, from_ping) = async_channel::bounded(1);
    let (to_ping, from_pong) = async_channel::bounded(1);
    let a = ping(to_pong, from_pong, n, count);
    let b = pong(to_ping, from_ping, n);
    match runtime {
        "weft" => {
            let rt = weft::LocalRuntime::new().expect("runtime");
            let (a, b) = (rt.spawn_local(a), rt.spawn_local(b));
            rt.block_on(async {
                a.await.expect("ping failed");
                b.await.expect("pong failed");
            });
        }
        "tokio" => {
            let (rt, local) = tokio_local();
            let (a, b) = (local.spawn_local(a), local.spawn_local(b));
            local.block_on(&rt, async {
                a.await.expect("ping failed");
                b.await.expect("pong failed");
            });
        }
        "smol" => {
            let ex = async_executor::LocalExecutor::new();
            let (a, b) = (ex.spawn(a), ex.spawn(b));
            futures_lite::future::block_on(ex.run(async {
                a.await;
                b.await;
            }));
        }
        _ => panic!("runtime: weft, tokio or smol"),
    }
}

/// The `local_*` rows' tokio setup: a current-thread runtime with time and I/O, and a `LocalSet`.
fn tokio_local() -> (tokio::runtime::Runtime, tokio::task::LocalSet) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
        .expect("runtime");
    (rt, tokio::task::LocalSet::new())
}
