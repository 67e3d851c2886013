//! asyncio pattern 9: `run_in_executor` for blocking I/O or CPU-heavy work, on the default
//! pool and on a custom one.
//!
//! ```python
//! def blocking_io():
//!     with open("/dev/urandom", "rb") as f:
//!         return f.read(16)
//! def cpu_bound():
//!     return sum(i * i for i in range(10 ** 6))
//!
//! loop = asyncio.get_running_loop()
//! await loop.run_in_executor(None, blocking_io)             # the default executor
//! with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
//!     await loop.run_in_executor(pool, cpu_bound)           # a custom one
//! ```
//!
//! weft: `weft::spawn_blocking(f)` runs `f` on the runtime's blocking pool (its size is
//! `Builder::max_blocking_threads`; the workers never block). A custom pool is a
//! `weft::blocking::ThreadPool`; its `JoinHandle`s can be awaited from any runtime. (For
//! CPU-heavy work, a pool sized to the cores is the usual choice, as a process pool would be
//! in Python.)
//!
//! Run: `cargo run --example asyncio_09_run_in_executor`

use std::io::Read;
use std::time::Duration;
use weft::blocking::ThreadPool;

fn blocking_io() -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; 16];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    // A slow device, as a stand-in for a blocking database driver or a file on NFS.
    std::thread::sleep(Duration::from_millis(100));
    Ok(buf)
}

fn cpu_bound(n: u64) -> u64 {
    (0..n).map(|i| i * i % 7).sum()
}

#[weft::main]
async fn main() -> std::io::Result<()> {
    // A ticker shows the workers stay free while the blocking work runs.
    let ticker = weft::spawn(async {
        let mut ticks = 0;
        for _ in 0..5 {
            weft::time::sleep(Duration::from_millis(20)).await;
            ticks += 1;
        }
        ticks
    });

    let bytes = weft::spawn_blocking(blocking_io)
        .await
        .expect("the job ran")?;
    println!("default pool: read {} bytes of /dev/urandom", bytes.len());

    let pool = ThreadPool::builder()
        .max_threads(2)
        .thread_name("cpu-pool")
        .build()?;
    let jobs: Vec<_> = (1..=4)
        .map(|k| pool.spawn(move || cpu_bound(k * 1_000_000)))
        .collect();
    let sums: Vec<u64> = weft::join_all(jobs)
        .await
        .into_iter()
        .map(|r| r.expect("the job ran"))
        .collect();
    println!("custom pool (2 threads): 4 CPU-bound jobs gave {sums:?}");
    pool.shutdown();

    println!(
        "the ticker ticked {} times meanwhile: the workers never blocked",
        ticker.await.expect("ticker")
    );
    Ok(())
}
