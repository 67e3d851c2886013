//! A hyper server on weft (feature `hyper`): HTTP/1.1 and HTTP/2 on one port through
//! hyper-util's auto builder, keep-alive, a header-read timeout on weft's timers, and a graceful
//! shutdown on Ctrl-C (open connections finish their requests, then the server exits 0).
//!
//! ```sh
//! cargo run --release --features hyper --example hyper_server      # 127.0.0.1:3000
//! curl http://127.0.0.1:3000/                                      # HTTP/1.1
//! curl --http2-prior-knowledge http://127.0.0.1:3000/              # HTTP/2
//! curl -d 'some text' http://127.0.0.1:3000/echo                   # the body back
//! ```
//!
//! An argument sets the address (`127.0.0.1:0` picks a free port). The glue is
//! `weft::hyper::{Executor, Timer, Io}` and nothing else.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use std::time::Duration;
use weft::hyper::{Executor, Io, Timer};
use weft::signal::unix::{SignalKind, signal};

async fn route(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let version = format!("{:?}", request.version());
    Ok(match (request.method(), request.uri().path()) {
        (&Method::GET, "/") => Response::new(Full::new(Bytes::from(format!(
            "Hello from hyper on weft ({version})\n"
        )))),
        (&Method::POST, "/echo") => {
            let body = request.into_body().collect().await?.to_bytes();
            Response::new(Full::new(body))
        }
        _ => {
            let mut response = Response::new(Full::new(Bytes::from_static(b"not found\n")));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    })
}

#[weft::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
    // Listening for Ctrl-C before we say we are up.
    let mut interrupt = signal(SignalKind::interrupt())?;
    let listener = weft::net::TcpListener::bind(addr.as_str()).await?;
    println!(
        "hyper server listening on http://{}/",
        listener.local_addr()?
    );
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = hyper_util::server::conn::auto::Builder::new(Executor::current());
    builder
        .http1()
        .timer(Timer::new())
        .header_read_timeout(Duration::from_secs(10));
    builder.http2().timer(Timer::new());
    loop {
        weft::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                let connection = builder
                    .serve_connection_with_upgrades(Io::new(stream), hyper::service::service_fn(route))
                    .into_owned();
                let connection = graceful.watch(connection);
                weft::spawn(async move {
                    if let Err(e) = connection.await {
                        eprintln!("connection error: {e}");
                    }
                });
            }
            _ = interrupt.recv() => break,
        }
    }
    println!("Ctrl-C: finishing open connections, then exiting");
    drop(listener);
    match weft::time::timeout(Duration::from_secs(5), graceful.shutdown()).await {
        Ok(()) => println!("all connections closed"),
        Err(_) => println!("gave up waiting for connections after 5 s"),
    }
    Ok(())
}
