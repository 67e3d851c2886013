//! The HTTP rows: each runtime serves the same HTTP/1.1 "hello" on loopback, and `wrk` drives
//! it from another process; requests per second, higher is better. `http_hello` is the server
//! of `crates/weft/examples/http_hello.rs` (keep-alive, pipelining, no framework);
//! `hyper_hello` is hyper 1.x's HTTP/1 server with each runtime's own glue (weft:
//! `weft::hyper`; tokio: hyper-util's `TokioIo` and `TokioTimer`; smol: smol-hyper's
//! `FuturesIo` and `SmolTimer`), a timer set so hyper's header-read timeout is armed per request
//! as in a real server.

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

/// The response every server sends for every request.
pub(crate) const RESPONSE: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, world!";

/// Bytes each connection reads at a time (a request head must fit).
pub(crate) const READ_BUFFER: usize = 8192;

/// The rows wrk drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HttpRow {
    /// The hand-written hello server, 50 connections.
    Hello,
    /// hyper's server, 50 connections.
    Hyper,
    /// hyper's server, 256 connections.
    Hyper256,
}

impl HttpRow {
    /// Every row, in table order.
    pub(crate) const ALL: [HttpRow; 3] = [HttpRow::Hello, HttpRow::Hyper, HttpRow::Hyper256];

    /// The row's name in the table and for `--only`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            HttpRow::Hello => "http_hello",
            HttpRow::Hyper => "hyper_hello",
            HttpRow::Hyper256 => "hyper_hello_c256",
        }
    }

    /// wrk's connections (`-c`), with one wrk thread (`-t1`).
    pub(crate) fn connections(self) -> usize {
        match self {
            HttpRow::Hello | HttpRow::Hyper => 50,
            HttpRow::Hyper256 => 256,
        }
    }

    /// The row named `name`.
    pub(crate) fn from_name(name: &str) -> Option<HttpRow> {
        HttpRow::ALL.into_iter().find(|r| r.name() == name)
    }

    /// Starts this row's server on `subject`.
    pub(crate) fn serve(self, subject: &dyn crate::workload::Subject) -> Server {
        match self {
            HttpRow::Hello => subject.http_hello(),
            HttpRow::Hyper | HttpRow::Hyper256 => subject.hyper_hello(),
        }
    }
}

pub(crate) use crate::hyper_service::hyper_hello;

/// A running server; dropping it stops accepting (open connections end when wrk closes them).
pub(crate) struct Server {
    /// Where it listens.
    pub(crate) addr: SocketAddr,
    /// Stops the accept loop.
    pub(crate) stop: Box<dyn FnOnce()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let stop = std::mem::replace(&mut self.stop, Box::new(|| {}));
        stop();
    }
}

/// Buffered request bytes of one connection: tells how many complete request heads arrived.
pub(crate) struct Requests {
    buf: Vec<u8>,
    filled: usize,
}

impl Requests {
    /// An empty buffer of [`READ_BUFFER`] bytes.
    pub(crate) fn new() -> Requests {
        Requests {
            buf: vec![0; READ_BUFFER],
            filled: 0,
        }
    }

    /// Where the next read goes; `None` when a request head outgrew the buffer (the server
    /// then drops the connection).
    pub(crate) fn spare(&mut self) -> Option<&mut [u8]> {
        (self.filled < self.buf.len()).then(|| &mut self.buf[self.filled..])
    }

    /// `n` more bytes were read into [`spare`](Requests::spare): returns how many requests are
    /// now complete (and forgets them).
    pub(crate) fn feed(&mut self, n: usize) -> usize {
        self.filled += n;
        let mut start = 0;
        let mut complete = 0;
        while let Some(end) = self.buf[start..self.filled]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
        {
            start += end + 4;
            complete += 1;
        }
        self.buf.copy_within(start..self.filled, 0);
        self.filled -= start;
        complete
    }
}

/// The responses for `count` requests, as one buffer (one write for a pipelined batch).
pub(crate) fn responses(count: usize) -> Vec<u8> {
    RESPONSE.repeat(count)
}

/// One connection of the hello server over the futures-io traits (weft's and smol's sockets):
/// answer every complete request until the client closes. tokio's traits differ, so its
/// adapter has its own copy of these few lines.
pub(crate) async fn serve_futures_io<S>(mut stream: S)
where
    S: futures_lite::AsyncRead + futures_lite::AsyncWrite + Unpin,
{
    use futures_lite::{AsyncReadExt, AsyncWriteExt};
    let mut requests = Requests::new();
    while let Some(spare) = requests.spare() {
        let n = match stream.read(spare).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let written = match requests.feed(n) {
            0 => Ok(()),
            1 => stream.write_all(RESPONSE).await,
            count => stream.write_all(&responses(count)).await,
        };
        if written.is_err() {
            return;
        }
    }
}

/// Whether `wrk` can be run.
pub(crate) fn wrk_available() -> bool {
    Command::new("wrk")
        .arg("--version")
        .output()
        .is_ok_and(|o| !o.stdout.is_empty() || !o.stderr.is_empty())
}

/// Runs `wrk -t1 -c{connections} -d{duration}` against `addr` and returns its requests per
/// second.
///
/// # Panics
///
/// If wrk cannot run, or reports socket errors or non-2xx responses: a server that fails
/// requests must not look fast.
pub(crate) fn run_wrk(addr: SocketAddr, connections: usize, duration: Duration) -> f64 {
    let out = Command::new("wrk")
        .args([
            "-t1",
            &format!("-c{connections}"),
            &format!("-d{}s", duration.as_secs().max(1)),
            &format!("http://{addr}/"),
        ])
        .output()
        .expect("run wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "wrk failed: {text}");
    for bad in ["Socket errors", "Non-2xx or 3xx responses"] {
        assert!(
            !text.contains(bad),
            "wrk saw errors against {addr}:\n{text}"
        );
    }
    parse_requests_per_sec(&text)
        .unwrap_or_else(|| panic!("no Requests/sec in wrk's output:\n{text}"))
}

/// The number on wrk's `Requests/sec:` line.
fn parse_requests_per_sec(text: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::{Requests, parse_requests_per_sec};

    fn feed(r: &mut Requests, bytes: &[u8]) -> usize {
        let spare = r.spare().expect("room");
        spare[..bytes.len()].copy_from_slice(bytes);
        r.feed(bytes.len())
    }

    #[test]
    fn requests_are_counted_across_reads_and_pipelines() {
        let mut r = Requests::new();
        assert_eq!(feed(&mut r, b"GET / HTTP/1.1\r\nHost: a\r\n"), 0);
        assert_eq!(feed(&mut r, b"\r\nGET / HTTP/1.1\r\n\r\nGET /"), 2);
        assert_eq!(feed(&mut r, b" HTTP/1.1\r\n\r\n"), 1);
        assert_eq!(r.filled, 0);
    }

    #[test]
    fn wrk_output_is_parsed() {
        let text = "Running 5s test @ http://127.0.0.1:1/\n  1 threads and 50 connections\n\
                    Requests/sec:  81234.56\nTransfer/sec:      6.43MB\n";
        assert_eq!(parse_requests_per_sec(text), Some(81234.56));
        assert_eq!(parse_requests_per_sec("nothing"), None);
    }
}
