//! hyper on weft (feature `hyper`): the three types hyper 1.x needs from a runtime, so that
//! hyper's HTTP/1 and HTTP/2 servers and clients, and hyper-util's `server::conn::auto::Builder`
//! and pooled client, run on weft with nothing else written by hand.
//!
//! | type | hyper's trait | what it does |
//! |---|---|---|
//! | [`Executor`] | `hyper::rt::Executor` | spawns hyper's background tasks (HTTP/2 streams, the pooled client's connections) on a weft runtime |
//! | [`Timer`] | `hyper::rt::Timer` | hyper's timeouts (`header_read_timeout`, keep-alive pings) on weft's timers, paused time included |
//! | [`Io`] | `hyper::rt::Read`, `hyper::rt::Write` (and hyper-util's `Connection`) | any weft stream (`TcpStream`, `UnixStream`, `Async<T>`, anything futures-io `AsyncRead + AsyncWrite`) |
//! | [`Connector`] | tower's `Service<Uri>`, hyper-util's `Connect` | plain-TCP connections for hyper-util's pooled client (its `HttpConnector` is tokio's) |
//!
//! A server, one connection per task:
//!
//! ```
//! use http_body_util::Full;
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response};
//!
//! async fn hello(_: Request<Incoming>) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
//!     Ok(Response::new(Full::new(Bytes::from("hello from weft"))))
//! }
//!
//! weft::run(async {
//!     let listener = weft::net::TcpListener::bind("127.0.0.1:0").await?;
//!     let addr = listener.local_addr()?;
//!     weft::spawn(async move {
//!         loop {
//!             let (stream, _) = listener.accept().await.unwrap();
//!             weft::spawn(async move {
//!                 let _ = hyper::server::conn::http1::Builder::new()
//!                     .timer(weft::hyper::Timer::new())
//!                     .serve_connection(weft::hyper::Io::new(stream), hyper::service::service_fn(hello))
//!                     .await;
//!             });
//!         }
//!     });
//!     // A client on the same runtime.
//!     let stream = weft::net::TcpStream::connect(addr).await?;
//!     let (mut sender, conn) =
//!         hyper::client::conn::http1::handshake(weft::hyper::Io::new(stream)).await.unwrap();
//!     weft::spawn(conn);
//!     let request = Request::get("/").header("host", "localhost").body(Full::new(Bytes::new())).unwrap();
//!     let response = sender.send_request(request).await.unwrap();
//!     assert_eq!(response.status(), 200);
//!     Ok::<(), std::io::Error>(())
//! })?;
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! hyper itself depends on the `tokio` crate for its synchronization types (no tokio runtime
//! is started or needed); see docs/ecosystem.md.

mod connector;
mod executor;
mod io;
mod timer;

pub use connector::Connector;
pub use executor::Executor;
pub use io::Io;
pub use timer::Timer;
