//! A minimal HTTP/1.1 "hello" server with keep-alive, no framework: enough for `curl` and `wrk`.
//!
//! ```sh
//! cargo run --release --example http_hello             # listens on 127.0.0.1:8080
//! curl http://127.0.0.1:8080/
//! wrk -t1 -c50 -d5s http://127.0.0.1:8080/
//! ```
//!
//! An argument sets the address; `--once` stops after one connection (used by the tests).

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};

const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

#[weft::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let once = args.any(|a| a == "--once");
    let listener = TcpListener::bind(addr.as_str()).await?;
    println!(
        "http server listening on http://{}/",
        listener.local_addr()?
    );
    loop {
        let (stream, _) = listener.accept().await?;
        let connection = weft::spawn(serve(stream));
        if once {
            connection.await.ok();
            return Ok(());
        }
    }
}

/// Answers every request on the connection (requests end at an empty line; bodies are not
/// expected) until the client closes it.
async fn serve(mut stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 8192];
    let mut filled = 0;
    loop {
        let n = stream.read(&mut buf[filled..]).await?;
        if n == 0 {
            return Ok(());
        }
        filled += n;
        // Answer every complete request in the buffer (pipelining included).
        let mut start = 0;
        while let Some(end) = find_header_end(&buf[start..filled]) {
            stream.write_all(RESPONSE).await?;
            start += end;
        }
        buf.copy_within(start..filled, 0);
        filled -= start;
        if filled == buf.len() {
            return Ok(()); // a request head larger than the buffer: give up on this client
        }
    }
}

fn find_header_end(data: &[u8]) -> Option<usize> {
    data.windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4)
}
