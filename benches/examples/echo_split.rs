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

async fn weft_echo(connections: usize) {
    use weft::io::{AsyncReadExt, AsyncWriteExt};
    let listener = weft::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = weft::spawn(async move {
        for _ in 0..connections {
            let (mut s, _) = listener.accept().await.expect("accept");
            s.set_nodelay(true).expect("nodelay");
            weft::spawn(async move {
                let mut buf = vec![0u8; BYTES];
                while s.read_exact(&mut buf).await.is_ok() {
                    s.write_all(&buf).await.expect("echo write");
                }
            });
        }
    });
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            weft::spawn(async move {
                let mut s = weft::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let out = vec![7u8; BYTES];
                let mut back = vec![0u8; BYTES];
                for _ in 0..ROUNDS {
                    s.write_all(&out).await.expect("write");
                    s.read_exact(&mut back).await.expect("read");
                }
            })
        })
        .collect();
    for c in clients {
        c.await.expect("client failed");
    }
    server.await.expect("server failed");
}

fn weft_mt(connections: usize) {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .expect("runtime");
    rt.block_on(weft_echo(connections));
}

fn weft_local(connections: usize) {
    let rt = weft::LocalRuntime::new().expect("local runtime");
    rt.block_on(weft_echo(connections));
}

async fn tokio_echo(connections: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        for _ in 0..connections {
            let (mut s, _) = listener.accept().await.expect("accept");
            s.set_nodelay(true).expect("nodelay");
            tokio::spawn(async move {
                let mut buf = vec![0u8; BYTES];
                while s.read_exact(&mut buf).await.is_ok() {
                    s.write_all(&buf).await.expect("echo write");
                }
            });
        }
    });
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let out = vec![7u8; BYTES];
                let mut back = vec![0u8; BYTES];
                for _ in 0..ROUNDS {
                    s.write_all(&out).await.expect("write");
                    s.read_exact(&mut back).await.expect("read");
                }
            })
        })
        .collect();
    for c in clients {
        c.await.expect("client failed");
    }
    server.await.expect("server failed");
}

fn tokio_mt(connections: usize) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(tokio_echo(connections));
}

fn tokio_local(connections: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(tokio_echo(connections));
}

/// Two one-thread loops, each serving the other's clients: every round trip crosses threads.
fn weft_cross() {
    use weft::io::{AsyncReadExt, AsyncWriteExt};
    let listeners: Vec<std::net::TcpListener> = (0..2)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0").unwrap())
        .collect();
    let addrs: Vec<_> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
    std::thread::scope(|sc| {
        for (i, l) in listeners.into_iter().enumerate() {
            let peer = addrs[1 - i];
            sc.spawn(move || {
                let rt = weft::LocalRuntime::new().unwrap();
                rt.block_on(async move {
                    l.set_nonblocking(true).unwrap();
                    let listener = weft::net::TcpListener::from_std(l).unwrap();
                    let server = weft::spawn(async move {
                        let mut echoes = Vec::new();
                        for _ in 0..CONNS / 2 {
                            let (mut s, _) = listener.accept().await.expect("accept");
                            s.set_nodelay(true).expect("nodelay");
                            echoes.push(weft::spawn(async move {
                                let mut buf = vec![0u8; BYTES];
                                while s.read_exact(&mut buf).await.is_ok() {
                                    s.write_all(&buf).await.expect("echo write");
                                }
                            }));
                        }
                        for e in echoes {
                            let _ = e.await;
                        }
                    });
                    let clients: Vec<_> = (0..CONNS / 2)
                        .map(|_| {
                            weft::spawn(async move {
                                let mut s =
                                    weft::net::TcpStream::connect(peer).await.expect("connect");
                                s.set_nodelay(true).expect("nodelay");
                                let out = vec![7u8; BYTES];
                                let mut back = vec![0u8; BYTES];
                                for _ in 0..ROUNDS {
                                    s.write_all(&out).await.expect("write");
                                    s.read_exact(&mut back).await.expect("read");
                                }
                            })
                        })
                        .collect();
                    for c in clients {
                        c.await.unwrap();
                    }
                    server.await.unwrap();
                });
            });
        }
    });
}
