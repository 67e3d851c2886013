//! The hyper rows' service, shared by the bench binary and `examples/hyper_split.rs` (which
//! includes this file).

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
