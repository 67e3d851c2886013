//! The hyper rows' service and connections (weft, tokio), shared by the bench binary and
//! `examples/hyper_split.rs` (which includes this file).

/// The hyper rows' service: "Hello, world!" as text, for every request.
pub(crate) async fn hyper_hello(
    _: hyper::Request<hyper::body::Incoming>,
) -> Result<hyper::Response<http_body_util::Full<bytes::Bytes>>, std::convert::Infallible> {
    let mut response = hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from_static(
        b"Hello, world!",
    )));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain"),
    );
    Ok(response)
}

/// One weft connection: hyper's HTTP/1 server over `weft::hyper`.
pub(crate) async fn weft_connection(stream: weft::net::TcpStream) {
    stream.set_nodelay(true).expect("nodelay");
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(weft::hyper::Timer::new())
        .serve_connection(
            weft::hyper::Io::new(stream),
            hyper::service::service_fn(hyper_hello),
        )
        .await;
}

/// One tokio connection: hyper's HTTP/1 server over hyper-util's `TokioIo` and `TokioTimer`.
pub(crate) async fn tokio_connection(stream: tokio::net::TcpStream) {
    stream.set_nodelay(true).expect("nodelay");
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(hyper_util::rt::TokioTimer::new())
        .serve_connection(
            hyper_util::rt::TokioIo::new(stream),
            hyper::service::service_fn(hyper_hello),
        )
        .await;
}
