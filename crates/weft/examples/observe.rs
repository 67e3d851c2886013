//! Observing a running runtime from outside, with `weft-ps` (Python: `python -m asyncio ps
//! PID`): a small service of named tasks in a tree, built with `Builder::inspect(true)` and
//! in debug mode (`Builder::slow_poll_threshold`, asyncio's `loop.set_debug(True)`).
//!
//! ```text
//! service
//!   acceptor
//!     conn-1
//!     conn-2
//!   ticker
//!   thumbnail     one slow poll: a 150 ms blocking call, reported when it ends
//! worker-pool
//!   job-1 .. job-3
//!   reindex       every 4 s blocks its worker for 2 s: reported while it is stuck, shown
//!                 by weft-ps as the worker's current poll; the other tasks run on the
//!                 other worker meanwhile
//! ```
//!
//! Run: `cargo run --example observe` (until Ctrl-C), or `cargo run --example observe --
//! --seconds 30`; then, from another shell, `cargo run -p weft-ps -- PID` (add `--json` or
//! `--watch`) with the pid it prints.

use std::time::Duration;
use weft::task::Builder;

/// A connection: wakes now and then, does a little work.
async fn connection(every: Duration) {
    loop {
        weft::time::sleep(every).await;
        busy_work(50_000);
    }
}

/// Some CPU work, so busy times are not all zero.
fn busy_work(rounds: u64) -> u64 {
    (0..rounds).fold(0u64, |acc, i| {
        std::hint::black_box(acc.wrapping_mul(31) ^ i)
    })
}

async fn acceptor() {
    let conns: Vec<_> = (1..=2)
        .map(|i| {
            Builder::new()
                .name(&format!("conn-{i}"))
                .spawn(connection(Duration::from_millis(150 * i)))
        })
        .collect();
    for conn in conns {
        conn.await.unwrap();
    }
}

/// One slow poll: a synchronous call that blocks for 150 ms, as a file read or a DNS lookup
/// made without `spawn_blocking` would.
async fn thumbnail() {
    weft::time::sleep(Duration::from_millis(500)).await;
    std::thread::sleep(Duration::from_millis(150));
}

/// A stuck worker, now and then: 2 s inside one poll (a lock held too long, a tight loop).
async fn reindex() {
    loop {
        weft::time::sleep(Duration::from_secs(4)).await;
        std::thread::sleep(Duration::from_secs(2));
    }
}

async fn service() {
    let thumbnail = Builder::new().name("thumbnail").spawn(thumbnail());
    let acceptor = Builder::new().name("acceptor").spawn(acceptor());
    let ticker = Builder::new().name("ticker").spawn(async {
        let mut interval = weft::time::interval(Duration::from_millis(250));
        loop {
            interval.tick().await;
        }
    });
    thumbnail.await.unwrap();
    acceptor.await.unwrap();
    ticker.await.unwrap();
}

async fn worker_pool() {
    let (tx, rx) = weft::sync::mpsc::unbounded_channel::<u64>();
    let rx = std::sync::Arc::new(weft::sync::Mutex::new(rx));
    let jobs: Vec<_> = (1..=3)
        .map(|i| {
            let rx = rx.clone();
            Builder::new().name(&format!("job-{i}")).spawn(async move {
                while let Some(n) = rx.lock().await.recv().await {
                    busy_work(n);
                }
            })
        })
        .collect();
    let reindex = Builder::new().name("reindex").spawn(reindex());
    let mut n = 0;
    loop {
        weft::time::sleep(Duration::from_millis(100)).await;
        n += 1;
        if tx.send(300_000 + n % 7).is_err() {
            break;
        }
    }
    for job in jobs {
        job.await.unwrap();
    }
    reindex.await.unwrap();
}

fn main() -> std::io::Result<()> {
    let seconds = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => None,
        [flag, n] if flag == "--seconds" => Some(n.parse::<u64>().map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("--seconds: {e}"))
        })?),
        _ => {
            eprintln!("usage: observe [--seconds N]");
            std::process::exit(2);
        }
    };
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .inspect(true)
        // Debug mode: every poll over 100 ms is reported, by default as a line on stderr.
        .slow_poll_threshold(Duration::from_millis(100))
        .build()?;
    let pid = std::process::id();
    let socket = rt.handle().inspection_socket().expect("inspection is on");
    println!("pid {pid}, inspection socket {}", socket.display());
    println!("see it with: cargo run -p weft-ps -- {pid}   (or --json, --watch)");
    Builder::new()
        .name("service")
        .spawn_on(service(), rt.handle());
    Builder::new()
        .name("worker-pool")
        .spawn_on(worker_pool(), rt.handle());
    match seconds {
        Some(n) => rt.block_on(weft::time::sleep(Duration::from_secs(n))),
        None => rt.block_on(std::future::pending::<()>()),
    }
    rt.close();
    println!("closed; {} removed: {}", socket.display(), !socket.exists());
    Ok(())
}
