//! A hyper client on weft (feature `hyper`): hyper-util's pooled client over
//! `weft::hyper::Connector`, a few requests on reused connections.
//!
//! ```sh
//! cargo run --release --features hyper --example hyper_server &   # something to talk to
//! cargo run --release --features hyper --example hyper_client -- http://127.0.0.1:3000/
//! ```

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use weft::hyper::{Connector, Executor, Timer};

#[weft::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let url: hyper::Uri = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:3000/".to_owned())
        .parse()?;
    let client = hyper_util::client::legacy::Client::builder(Executor::current())
        .timer(Timer::new())
        .build::<_, Empty<Bytes>>(Connector::new());
    for i in 1..=3 {
        let response = client.get(url.clone()).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        println!(
            "request {i}: {status} {}",
            String::from_utf8_lossy(&body).trim_end()
        );
    }
    Ok(())
}
