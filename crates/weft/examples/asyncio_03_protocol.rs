//! asyncio pattern 3: a protocol whose `data_received` callback sets a Future's result.
//!
//! ```python
//! class EchoClientProtocol(asyncio.Protocol):
//!     def __init__(self, message, on_con_lost):
//!         self.message, self.on_con_lost = message, on_con_lost
//!     def connection_made(self, transport):
//!         transport.write(self.message.encode())
//!     def data_received(self, data):
//!         print("Data received:", data.decode())
//!     def connection_lost(self, exc):
//!         self.on_con_lost.set_result(True)
//!
//! on_con_lost = loop.create_future()
//! transport, protocol = await loop.create_connection(
//!     lambda: EchoClientProtocol("Hello World!", on_con_lost), "127.0.0.1", 8888)
//! await on_con_lost
//! ```
//!
//! weft has no `Protocol` base class: a socket is awaited directly. But the callback style is a
//! few lines away, and it is shown here: `drive` is the "transport" that calls the protocol's
//! methods as bytes arrive, and `connection_lost` sets a oneshot future the caller awaits.
//!
//! Run: `cargo run --example asyncio_03_protocol`

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};
use weft::sync::oneshot;

/// The callbacks of a stream protocol (asyncio.Protocol).
trait Protocol {
    /// The connection is up; `out` collects what to send.
    fn connection_made(&mut self, out: &mut Vec<u8>);
    /// Bytes arrived.
    fn data_received(&mut self, data: &[u8]);
    /// The peer closed (or the connection failed).
    fn connection_lost(&mut self, error: Option<std::io::Error>);
}

struct EchoClientProtocol {
    message: String,
    received: Vec<u8>,
    on_con_lost: Option<oneshot::Sender<String>>,
}

impl Protocol for EchoClientProtocol {
    fn connection_made(&mut self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.message.as_bytes());
        println!("data sent: {}", self.message);
    }

    fn data_received(&mut self, data: &[u8]) {
        println!("data_received: {}", String::from_utf8_lossy(data));
        self.received.extend_from_slice(data);
    }

    fn connection_lost(&mut self, error: Option<std::io::Error>) {
        println!("connection_lost (error: {error:?})");
        if let Some(fut) = self.on_con_lost.take() {
            let _ = fut.send(String::from_utf8_lossy(&self.received).into_owned());
        }
    }
}

/// The transport: writes what `connection_made` produced, closes its writing side, then feeds
/// every read to `data_received` until the peer closes.
async fn drive(mut stream: TcpStream, mut protocol: impl Protocol) {
    let mut out = Vec::new();
    protocol.connection_made(&mut out);
    if let Err(e) = stream.write_all(&out).await {
        return protocol.connection_lost(Some(e));
    }
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => return protocol.connection_lost(None),
            Ok(n) => protocol.data_received(&buf[..n]),
            Err(e) => return protocol.connection_lost(Some(e)),
        }
    }
}

#[weft::main]
async fn main() -> std::io::Result<()> {
    // An echo server to talk to.
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    weft::spawn(async move {
        let (mut s, _) = listener.accept().await.expect("accept");
        let mut data = Vec::new();
        s.read_to_end(&mut data).await.expect("read");
        s.write_all(&data).await.expect("write");
    });

    let (on_con_lost, con_lost) = oneshot::channel();
    let protocol = EchoClientProtocol {
        message: "Hello World!".to_owned(),
        received: Vec::new(),
        on_con_lost: Some(on_con_lost),
    };
    weft::spawn(drive(TcpStream::connect(addr).await?, protocol));
    let echoed = con_lost.await.expect("the protocol reports the loss");
    println!("on_con_lost resolved; the server echoed {echoed:?}");
    Ok(())
}
