//! `Connector`: plain-TCP connections for hyper-util's pooled client.

use super::Io;
use crate::net::TcpStream;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Opens a weft [`TcpStream`] to the host and port of an `http://` URI (port 80 when none is
/// given), resolving the name off the workers: what hyper-util's `HttpConnector` does on tokio,
/// for its pooled client (`hyper_util::client::legacy::Client`). TLS is a layer over this one.
///
/// ```
/// # weft::run(async {
/// let client = hyper_util::client::legacy::Client::builder(weft::hyper::Executor::current())
///     .timer(weft::hyper::Timer::new())
///     .build::<_, http_body_util::Empty<bytes::Bytes>>(weft::hyper::Connector::new());
/// # drop(client);
/// # });
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct Connector {
    nodelay: bool,
}

impl Connector {
    /// A connector with Nagle's algorithm left on (as std and hyper-util's default).
    pub fn new() -> Connector {
        Connector { nodelay: false }
    }

    /// Sets `TCP_NODELAY` on every connection it opens.
    pub fn nodelay(mut self, nodelay: bool) -> Connector {
        self.nodelay = nodelay;
        self
    }
}

/// The authority to connect to: `host:port` of an `http` URI.
fn target(uri: &hyper::Uri) -> io::Result<String> {
    match uri.scheme_str() {
        Some("http") | None => {}
        Some(other) => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "weft::hyper::Connector speaks plain http, not {other:?}: wrap it in a TLS connector"
                ),
            ));
        }
    }
    let host = uri.host().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("the URI {uri} has no host"),
        )
    })?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = uri.port_u16().unwrap_or(80);
    Ok(if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    })
}

impl tower_service::Service<hyper::Uri> for Connector {
    type Response = Io<TcpStream>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Io<TcpStream>>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: hyper::Uri) -> Self::Future {
        let nodelay = self.nodelay;
        Box::pin(async move {
            let stream = TcpStream::connect(target(&uri)?).await?;
            if nodelay {
                stream.set_nodelay(true)?;
            }
            Ok(Io::new(stream))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::target;

    #[test]
    fn targets_come_from_http_uris() {
        let t = |s: &str| target(&s.parse().unwrap());
        assert_eq!(t("http://example.com/x").unwrap(), "example.com:80");
        assert_eq!(t("http://127.0.0.1:8080/").unwrap(), "127.0.0.1:8080");
        assert_eq!(t("http://[::1]:9/").unwrap(), "[::1]:9");
        let err = t("https://example.com/").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    }
}
