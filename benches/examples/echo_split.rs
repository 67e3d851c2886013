//! How much of `tcp_echo` is locality: the same echo (16 connections x 500 round trips of 1 KiB)
//! on one two-worker runtime (`weft-mt`, `tokio-mt`), and on two one-thread loops, each with
//! its own poller and its own tasks:
//!
//! - `*-split`: each loop serves half the connections, both ends of each (the best placement
//!   a poller per worker could hope for);
//! - `weft-cross`: each loop's clients talk to the other loop's server, so every round trip
//!   crosses threads (a placement that ignores where the peer is), but no task ever moves and
//!   each socket is read by the thread that runs its task.
//!
//! ```sh
//! cargo build --release -p weft-benches --example echo_split
//! target/release/examples/echo_split weft-mt [REPS]   # weft-split, weft-cross, tokio-mt, tokio-split
//! ```
//!
//! docs/benchmarks.md ("Locality") has the numbers and what they say about a poller per worker.

use std::time::Instant;

#[path = "../src/echo.rs"]
mod echo;

const CONNS: usize = 16;
const ROUNDS: usize = 500;
const BYTES: usize = 1024;

fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "weft-mt".into());
    let reps: usize = std::env::args()
        .nth(2)
        .map_or(20, |s| s.parse().expect("usage: echo_split MODE [REPS]"));
    let run: fn() = match mode.as_str() {
        "weft-mt" => || weft_mt(CONNS),
        "weft-cross" => weft_cross,
        "weft-split" => || split(|| weft_local(CONNS / 2)),
        "tokio-mt" => || tokio_mt(CONNS),
        "tokio-split" => || split(|| tokio_local(CONNS / 2)),
        _ => {
            panic!("mode is weft-mt, weft-split, weft-cross, tokio-mt or tokio-split, not {mode:?}")
        }
    };
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let start = Instant::now();
            run();
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let per_trip = times[times.len() / 2] / (CONNS * ROUNDS) as f64;
    println!(
        "{mode}: {:.2} us per round trip (median of {reps})",
        per_trip * 1e6
    );
}

fn split(one: fn()) {
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(one);
        }
    });
}

fn weft_mt(connections: usize) {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .expect("runtime");
    rt.block_on(echo::weft(connections, ROUNDS, BYTES));
}

fn weft_local(connections: usize) {
    let rt = weft::LocalRuntime::new().expect("local runtime");
    rt.block_on(echo::weft(connections, ROUNDS, BYTES));
}

fn tokio_mt(connections: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(echo::tokio(connections, ROUNDS, BYTES));
}

fn tokio_local(connections: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(echo::tokio(connections, ROUNDS, BYTES));
}

/// Two one-thread loops, each serving the other's clients: every round trip crosses threads.
fn weft_cross() {
    let listeners: Vec<std::net::TcpListener> = (0..2)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind"))
        .collect();
    let addrs: Vec<_> = listeners
        .iter()
        .map(|l| l.local_addr().expect("addr"))
        .collect();
    std::thread::scope(|s| {
        for (i, listener) in listeners.into_iter().enumerate() {
            let peer = addrs[1 - i];
            s.spawn(move || {
                let rt = weft::LocalRuntime::new().expect("local runtime");
                rt.block_on(async move {
                    listener.set_nonblocking(true).expect("nonblocking");
                    let listener = weft::net::TcpListener::from_std(listener).expect("listener");
                    let server = weft::spawn(echo::weft_server(listener, CONNS / 2, BYTES));
                    echo::weft_clients(peer, CONNS / 2, ROUNDS, BYTES).await;
                    // This loop serves the other's clients until they are done too.
                    for echo in server.await.expect("server failed") {
                        echo.await.expect("echo failed");
                    }
                });
            });
        }
    });
}
