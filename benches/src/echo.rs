//! The `tcp_echo` row's two sides, for weft and tokio: the bench binary runs them on its
//! subjects, and `examples/echo_split.rs` (which includes this file) on one loop per thread.
//! A client sends `bytes` and reads them back, `rounds` times; the server echoes what it reads
//! until its client closes.

/// weft: the whole echo, `connections` clients against one server, in the current runtime.
pub(crate) async fn weft(connections: usize, rounds: usize, bytes: usize) {
    let listener = weft::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = weft::spawn(weft_server(listener, connections, bytes));
    weft_clients(addr, connections, rounds, bytes).await;
    server.await.expect("server failed");
}

/// weft: accepts `connections` and spawns an echo task for each; returns those tasks (each
/// ends when its client closes).
pub(crate) async fn weft_server(
    listener: weft::net::TcpListener,
    connections: usize,
    bytes: usize,
) -> Vec<weft::task::JoinHandle<()>> {
    use weft::io::{AsyncReadExt, AsyncWriteExt};
    let mut echoes = Vec::with_capacity(connections);
    for _ in 0..connections {
        let (mut s, _) = listener.accept().await.expect("accept");
        s.set_nodelay(true).expect("nodelay");
        echoes.push(weft::spawn(async move {
            let mut buf = vec![0u8; bytes];
            while s.read_exact(&mut buf).await.is_ok() {
                s.write_all(&buf).await.expect("echo write");
            }
        }));
    }
    echoes
}

/// weft: `connections` client tasks against `addr`; returns when every one is done.
pub(crate) async fn weft_clients(
    addr: std::net::SocketAddr,
    connections: usize,
    rounds: usize,
    bytes: usize,
) {
    use weft::io::{AsyncReadExt, AsyncWriteExt};
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            weft::spawn(async move {
                let mut s = weft::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let out = vec![7u8; bytes];
                let mut back = vec![0u8; bytes];
                for _ in 0..rounds {
                    s.write_all(&out).await.expect("write");
                    s.read_exact(&mut back).await.expect("read");
                }
            })
        })
        .collect();
    for c in clients {
        c.await.expect("client failed");
    }
}

/// tokio: the whole echo, as [`weft()`].
pub(crate) async fn tokio(connections: usize, rounds: usize, bytes: usize) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        for _ in 0..connections {
            let (mut s, _) = listener.accept().await.expect("accept");
            s.set_nodelay(true).expect("nodelay");
            tokio::spawn(async move {
                let mut buf = vec![0u8; bytes];
                while s.read_exact(&mut buf).await.is_ok() {
                    s.write_all(&buf).await.expect("echo write");
                }
            });
        }
    });
    let clients: Vec<_> = (0..connections)
        .map(|_| {
            tokio::spawn(async move {
                let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
                s.set_nodelay(true).expect("nodelay");
                let out = vec![7u8; bytes];
                let mut back = vec![0u8; bytes];
                for _ in 0..rounds {
                    s.write_all(&out).await.expect("write");
                    s.read_exact(&mut back).await.expect("read");
                }
            })
        })
        .collect();
    for c in clients {
        c.await.expect("client failed");
    }
    server.await.expect("server failed");
}
