//! How much of the hyper rows is locality: hyper's hello server on one two-worker runtime, and
//! on two one-thread loops that each accept on their own `SO_REUSEPORT` listener (the kernel
//! spreads the connections; each is served start to end on one thread).
//!
//! ```sh
//! cargo build --release -p weft-benches --example hyper_split
//! target/release/examples/hyper_split weft-mt 8080 &   # weft-split, tokio-mt, tokio-split
//! wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//! ```
//!
//! docs/benchmarks.md ("Locality") has the numbers.

use std::net::SocketAddr;

#[path = "../src/hyper_service.rs"]
mod hyper_service;

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("hyper_split shares a port with SO_REUSEPORT as Linux does: Linux only");
}

#[cfg(target_os = "linux")]
fn main() {
    let mode = std::env::args().nth(1).unwrap_or_else(|| "weft-mt".into());
    let port: u16 = std::env::args()
        .nth(2)
        .map_or(8080, |s| s.parse().expect("usage: hyper_split MODE [PORT]"));
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    match mode.as_str() {
        "weft-mt" => {
            let rt = weft::runtime::Builder::new()
                .worker_threads(2)
                .build()
                .expect("runtime");
            rt.block_on(weft_serve(listener(addr)));
        }
        "weft-split" => split(addr, |l| {
            let rt = weft::LocalRuntime::new().expect("local runtime");
            rt.block_on(weft_serve(l));
        }),
        "tokio-mt" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(tokio_serve(listener(addr)));
        }
        "tokio-split" => split(addr, |l| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(tokio_serve(l));
        }),
        _ => panic!("mode is weft-mt, weft-split, tokio-mt or tokio-split, not {mode:?}"),
    }
}

#[cfg(target_os = "linux")]
/// A non-blocking listener on `addr` with `SO_REUSEPORT`, so several can share the port.
fn listener(addr: SocketAddr) -> std::net::TcpListener {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV4, Type::STREAM, None).expect("socket");
    s.set_reuse_port(true).expect("reuseport");
    s.set_reuse_address(true).expect("reuseaddr");
    s.bind(&addr.into()).expect("bind");
    s.listen(1024).expect("listen");
    s.set_nonblocking(true).expect("nonblocking");
    s.into()
}

#[cfg(target_os = "linux")]
fn split(addr: SocketAddr, serve: fn(std::net::TcpListener)) {
    std::thread::scope(|s| {
        for _ in 0..2 {
            let l = listener(addr);
            s.spawn(move || serve(l));
        }
    });
}

async fn weft_serve(l: std::net::TcpListener) {
    let l = weft::net::TcpListener::from_std(l).expect("listener");
    loop {
        if let Ok((stream, _)) = l.accept().await {
            drop(weft::spawn(hyper_service::weft_connection(stream)));
        }
    }
}

async fn tokio_serve(l: std::net::TcpListener) {
    let l = tokio::net::TcpListener::from_std(l).expect("listener");
    loop {
        if let Ok((stream, _)) = l.accept().await {
            tokio::spawn(hyper_service::tokio_connection(stream));
        }
    }
}
