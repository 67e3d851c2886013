//! A TCP echo server (asyncio: a `Protocol` whose `data_received` writes the data back).
//!
//! ```sh
//! cargo run --release --example echo_server            # listens on 127.0.0.1:7878
//! printf 'hello\n' | nc -q1 127.0.0.1 7878             # or: socat - TCP:127.0.0.1:7878
//! ```
//!
//! An argument sets the address (`127.0.0.1:0` picks a free port); with `--once` the server
//! stops after serving one connection (used by the tests). Ctrl-C (SIGINT) stops it cleanly:
//! it stops accepting, cancels the open connections, and exits 0.

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};
use weft::signal::unix::{SignalKind, signal};
use weft::task::JoinSet;

#[weft::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:7878".to_owned());
    let once = args.any(|a| a == "--once");
    // Listening before we say we are up: from here on Ctrl-C comes to us.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!("echo server listening on {}", listener.local_addr()?);
    let mut connections = JoinSet::new();
    loop {
        weft::select! {
            accepted = listener.accept() => {
                let (stream, peer) = accepted?;
                connections.spawn(serve(stream));
                if once {
                    connections.join_next().await;
                    println!("served {peer}; exiting (--once)");
                    return Ok(());
                }
            }
            _ = interrupt.recv() => {
                println!("Ctrl-C: closing {} connection(s) and exiting", connections.len());
                connections.shutdown().await;
                return Ok(());
            }
        }
    }
}

/// Writes back everything the peer sends until it closes its side.
async fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        stream.write_all(&buf[..n]).await?;
    }
}
