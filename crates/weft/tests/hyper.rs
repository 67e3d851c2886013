//! hyper on weft (feature `hyper`): hyper's HTTP/1 and HTTP/2 clients against hyper-util's
//! auto server builder, with `weft::hyper::{Executor, Timer, Io}` as the only glue; keep-alive
//! under 100 concurrent clients; a `header_read_timeout` through weft's timers; a slow client
//! that stalls nobody; the pooled client through `weft::hyper::Connector`; no fd left behind.
#![cfg(feature = "hyper")]

mod common;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use weft::hyper::{Executor, Io, Timer};
use weft::net::{TcpListener, TcpStream};

/// Answers with the request's method and path, and its body echoed after a colon.
async fn echo(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let head = format!("{} {}:", request.method(), request.uri().path());
    let body = request.into_body().collect().await.map(|b| b.to_bytes());
    let mut out = head.into_bytes();
    out.extend_from_slice(&body.unwrap_or_default());
    Ok(Response::new(Full::new(Bytes::from(out))))
}

/// An auto (HTTP/1 or HTTP/2) server on an ephemeral port, one task per connection, with
/// `header_read_timeout` set (so hyper needs the timer).
async fn serve() -> SocketAddr {
    serve_counting().await.0
}

/// The same, with the count of connections it accepted.
async fn serve_counting() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    weft::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            count.fetch_add(1, Ordering::SeqCst);
            weft::spawn(async move {
                let mut builder = hyper_util::server::conn::auto::Builder::new(Executor::current());
                builder
                    .http1()
                    .timer(Timer::new())
                    .header_read_timeout(Duration::from_millis(200));
                let service = hyper::service::service_fn(echo);
                let _ = builder.serve_connection(Io::new(stream), service).await;
            });
        }
    });
    (addr, accepted)
}

/// An HTTP/1 client connection to `addr`, its connection task spawned.
async fn http1_client(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Full<Bytes>> {
    let stream = TcpStream::connect(addr).await.unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(Io::new(stream))
        .await
        .unwrap();
    weft::spawn(conn);
    sender
}

fn request(path: &str, body: &'static str) -> Request<Full<Bytes>> {
    Request::post(path)
        .header("host", "localhost")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .unwrap()
}

async fn text(response: Response<Incoming>) -> String {
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[test]
fn http1_requests_on_one_keep_alive_connection() {
    common::runtime(2).block_on(async {
        let addr = serve().await;
        let mut sender = http1_client(addr).await;
        for i in 0..10 {
            // The connection is ready for the next request once it has finished the last.
            sender.ready().await.unwrap();
            let response = sender
                .send_request(request(&format!("/h1/{i}"), "ping"))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.version(), hyper::Version::HTTP_11);
            assert_eq!(text(response).await, format!("POST /h1/{i}:ping"));
        }
    });
}

#[test]
fn a_one_mebibyte_body_comes_back_whole() {
    common::runtime(2).block_on(async {
        let addr = serve().await;
        let mut sender = http1_client(addr).await;
        // Every byte different from its neighbours, so a lost or repeated read shows.
        let body: Vec<u8> = (0..1 << 20).map(|i: u32| (i % 251) as u8).collect();
        let request = Request::post("/big")
            .header("host", "localhost")
            .body(Full::new(Bytes::from(body.clone())))
            .unwrap();
        let response = sender.send_request(request).await.unwrap();
        let back = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&back[..b"POST /big:".len()], b"POST /big:");
        assert!(
            back[b"POST /big:".len()..] == body[..],
            "the body came back altered"
        );
    });
}

#[test]
fn http2_with_prior_knowledge_multiplexes_requests() {
    common::runtime(2).block_on(async {
        let addr = serve().await;
        let stream = TcpStream::connect(addr).await.unwrap();
        let (sender, conn) = hyper::client::conn::http2::Builder::new(Executor::current())
            .timer(Timer::new())
            .handshake(Io::new(stream))
            .await
            .unwrap();
        weft::spawn(conn);
        // Twenty requests at once on the one connection.
        let requests: Vec<_> = (0..20)
            .map(|i| {
                let mut sender = sender.clone();
                weft::spawn(async move {
                    let response = sender
                        .send_request(request(&format!("/h2/{i}"), "pong"))
                        .await
                        .unwrap();
                    assert_eq!(response.version(), hyper::Version::HTTP_2);
                    text(response).await
                })
            })
            .collect();
        for (i, r) in requests.into_iter().enumerate() {
            assert_eq!(r.await.unwrap(), format!("POST /h2/{i}:pong"));
        }
    });
}

#[test]
fn a_hundred_concurrent_keep_alive_clients() {
    common::runtime(2).block_on(async {
        let addr = serve().await;
        let clients: Vec<_> = (0..100)
            .map(|c| {
                weft::spawn(async move {
                    let mut sender = http1_client(addr).await;
                    for i in 0..10 {
                        sender.ready().await.unwrap();
                        let response = sender
                            .send_request(request(&format!("/{c}/{i}"), ""))
                            .await
                            .unwrap();
                        assert_eq!(text(response).await, format!("POST /{c}/{i}:"));
                    }
                })
            })
            .collect();
        for client in clients {
            client.await.unwrap();
        }
    });
}

/// Reads until the peer closes; returns what came.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    use weft::io::AsyncReadExt;
    let mut all = Vec::new();
    stream.read_to_end(&mut all).await.unwrap();
    all
}

#[test]
fn header_read_timeout_fires_through_weft_timers() {
    common::runtime(2).block_on(async {
        use weft::io::AsyncWriteExt;
        let addr = serve().await;
        // Half a request line, then nothing: the server gives up after its 200 ms.
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET / HT").await.unwrap();
        let answer = weft::time::timeout(Duration::from_secs(30), read_to_close(&mut stream))
            .await
            .expect("the server closed the connection");
        // hyper answers a header timeout with a 408 or by closing; either way, it is over.
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
    });
}

#[test]
fn hyper_timeouts_follow_a_paused_clock() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .start_paused(true)
        .build()
        .unwrap();
    rt.block_on(async {
        use weft::io::AsyncWriteExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        weft::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(Timer::new())
                .header_read_timeout(Duration::from_secs(3600))
                .serve_connection(Io::new(stream), hyper::service::service_fn(echo))
                .await;
        });
        let mut stream = TcpStream::connect(addr).await.unwrap();
        stream.write_all(b"GET / HT").await.unwrap();
        let started = weft::time::Instant::now();
        // Nothing else to do: the paused clock jumps to hyper's deadline an hour on (and, were
        // hyper's sleep not on this clock, to this guard's two hours, failing the test).
        weft::time::timeout(Duration::from_secs(7200), read_to_close(&mut stream))
            .await
            .expect("hyper's header-read timeout did not fire on the paused clock");
        assert!(started.elapsed() >= Duration::from_secs(3600));
    });
}

/// A stream that claims to have read more than the buffer it was given.
struct Liar;

impl weft::io::AsyncRead for Liar {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(Ok(buf.len() + 1))
    }
}

#[test]
fn a_stream_that_overstates_a_read_gets_an_error_not_memory() {
    common::runtime(1).block_on(async {
        let mut io = Io::new(Liar);
        let mut buf = vec![0u8; 64];
        let result = std::future::poll_fn(|cx| {
            let mut read_buf = hyper::rt::ReadBuf::new(&mut buf);
            let pinned = std::pin::Pin::new(&mut io);
            hyper::rt::Read::poll_read(pinned, cx, read_buf.unfilled())
        })
        .await;
        let err = result.unwrap_err();
        assert!(err.to_string().contains("claimed"), "{err}");
    });
}

#[test]
fn a_slow_client_stalls_nobody() {
    common::runtime(1).block_on(async {
        use weft::io::AsyncWriteExt;
        let addr = serve().await;
        // A client that sends a request line and then waits.
        let mut slow = TcpStream::connect(addr).await.unwrap();
        slow.write_all(b"POST /slow HTTP/1.1\r\nhost: x\r\n")
            .await
            .unwrap();
        // Others are served meanwhile, on the one worker.
        for i in 0..20 {
            let mut sender = http1_client(addr).await;
            let response = sender
                .send_request(request(&format!("/fast/{i}"), ""))
                .await
                .unwrap();
            assert_eq!(text(response).await, format!("POST /fast/{i}:"));
        }
        drop(slow);
    });
}

#[test]
fn the_pooled_client_reuses_connections() {
    common::runtime(2).block_on(async {
        let (addr, accepted) = serve_counting().await;
        let client = hyper_util::client::legacy::Client::builder(Executor::current())
            .timer(Timer::new())
            .build::<_, Full<Bytes>>(weft::hyper::Connector::new());
        for i in 0..10 {
            let uri: hyper::Uri = format!("http://{addr}/pooled/{i}").parse().unwrap();
            let response = client
                .request(
                    Request::post(uri)
                        .body(Full::new(Bytes::from("p")))
                        .unwrap(),
                )
                .await
                .unwrap();
            assert_eq!(text(response).await, format!("POST /pooled/{i}:p"));
        }
        // One after the other, the ten requests reused pooled connections (hyper-util may
        // open a second one while the first is on its way back to the pool).
        let accepted = accepted.load(Ordering::SeqCst);
        assert!(
            accepted < 10,
            "{accepted} connections for 10 requests: no reuse"
        );
    });
}

#[cfg(target_os = "linux")]
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[cfg(target_os = "linux")]
#[test]
fn a_thousand_connections_leave_no_fd_behind() {
    let rt = common::runtime(2);
    rt.block_on(async {
        // Warm up: the runtime's own fds (reactor, wakers) exist before the count.
        let addr = serve().await;
        let before = open_fds();
        for i in 0..1000 {
            let stream = TcpStream::connect(addr).await.unwrap();
            let (mut sender, conn) = hyper::client::conn::http1::handshake(Io::new(stream))
                .await
                .unwrap();
            let conn = weft::spawn(conn);
            let response = sender
                .send_request(request(&format!("/{i}"), ""))
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            drop(text(response).await);
            drop(sender);
            // The client side closes once its sender is gone; the server's task then ends.
            conn.await.unwrap().unwrap();
        }
        assert!(
            common::eventually(|| open_fds() <= before),
            "{} fds open, {before} before the connections",
            open_fds()
        );
    });
}
