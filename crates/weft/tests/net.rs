//! TCP, UDP, Unix sockets and Async<T>, as a user sees them.

mod common;

use common::runtime;
use std::io::ErrorKind;
use std::net::Shutdown;
use std::time::Duration;
use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream, UdpSocket, UnixListener, UnixStream};

/// Echoes everything on each connection until the client closes its side.
async fn echo_server(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            return;
        };
        weft::spawn(async move {
            let (mut reader, mut writer) = (&stream, &stream);
            let mut buf = vec![0u8; 8192];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if writer.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
        });
    }
}

#[test]
fn fifty_clients_each_echo_64_kib() {
    let rt = runtime(2);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = weft::spawn(echo_server(listener));
        let clients: Vec<_> = (0..50u8)
            .map(|c| {
                weft::spawn(async move {
                    let stream = TcpStream::connect(addr).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let data: Vec<u8> = (0..64 * 1024).map(|i| (i as u8) ^ c).collect();
                    let writer = {
                        let data = data.clone();
                        let stream = &stream;
                        async move {
                            let mut w = stream;
                            w.write_all(&data).await.unwrap();
                            stream.shutdown(Shutdown::Write).unwrap();
                        }
                    };
                    let reader = async {
                        let mut back = Vec::new();
                        let mut r = &stream;
                        r.read_to_end(&mut back).await.unwrap();
                        back
                    };
                    let ((), back) = weft::join!(writer, reader);
                    assert_eq!(back, data, "client {c} got its bytes back");
                })
            })
            .collect();
        for c in weft::join_all(clients).await {
            c.unwrap();
        }
        server.abort();
    });
}

#[test]
fn a_half_closed_stream_still_receives_the_reply() {
    let rt = runtime(2);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = weft::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut request = String::new();
            stream.read_to_string(&mut request).await.unwrap(); // until the client's FIN
            stream
                .write_all(format!("got {} bytes", request.len()).as_bytes())
                .await
                .unwrap();
            stream.close().await.unwrap();
        });
        let mut client = TcpStream::connect(addr).await.unwrap();
        client.write_all(b"question").await.unwrap();
        client.shutdown(Shutdown::Write).unwrap();
        let mut reply = String::new();
        client.read_to_string(&mut reply).await.unwrap();
        assert_eq!(reply, "got 8 bytes");
        server.await.unwrap();
    });
}

/// A short read (less than the buffer) skips the next `WouldBlock` syscall, except when the
/// peer's FIN is already in: then the next read must return 0 instead of waiting forever. The
/// data and the FIN arrive before and around the accept in every order a loop can produce.
#[test]
fn a_short_read_followed_by_the_peers_fin_reads_the_end() {
    let rt = runtime(2);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        for round in 0..100 {
            let client = std::thread::spawn(move || {
                let mut c = std::net::TcpStream::connect(addr).unwrap();
                std::io::Write::write_all(&mut c, b"hello").unwrap();
                c.shutdown(Shutdown::Write).unwrap();
                c
            });
            if round % 2 == 0 {
                weft::task::yield_now().await;
            }
            let (mut server, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let mut got = Vec::new();
            let ended = weft::time::timeout(Duration::from_secs(10), async {
                loop {
                    let n = server.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    got.extend_from_slice(&buf[..n]);
                }
            })
            .await;
            assert!(
                ended.is_ok(),
                "round {round}: the end of the stream never came"
            );
            assert_eq!(got, b"hello");
            drop(client.join().unwrap());
        }
    });
}

#[test]
fn udp_round_trips() {
    let rt = runtime(2);
    rt.block_on(async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b_addr = b.local_addr().unwrap();
        let echo = weft::spawn(async move {
            let mut buf = [0u8; 64];
            for _ in 0..100 {
                let (n, from) = b.recv_from(&mut buf).await.unwrap();
                b.send_to(&buf[..n], from).await.unwrap();
            }
        });
        a.connect(b_addr).await.unwrap();
        let mut buf = [0u8; 64];
        for i in 0..100u32 {
            let msg = i.to_be_bytes();
            a.send(&msg).await.unwrap();
            let n = a.recv(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &msg);
        }
        echo.await.unwrap();
    });
}

#[test]
fn unix_sockets_connect_and_echo() {
    let rt = runtime(2);
    let dir = std::env::temp_dir().join(format!("weft-unix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("echo.sock");
    let _ = std::fs::remove_file(&path);
    rt.block_on(async {
        let listener = UnixListener::bind(&path).await.unwrap();
        assert_eq!(
            listener.local_addr().unwrap().as_pathname(),
            Some(path.as_path())
        );
        let server = weft::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 4];
            s.read_exact(&mut buf).await.unwrap();
            s.write_all(&buf).await.unwrap();
        });
        let mut client = UnixStream::connect(&path).await.unwrap();
        client.write_all(b"ping").await.unwrap();
        let mut back = [0u8; 4];
        client.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"ping");
        server.await.unwrap();
    });
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn async_over_a_pipe() {
    let rt = runtime(1);
    rt.block_on(async {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut reader = weft::io::Async::new(reader).unwrap();
        let mut writer = weft::io::Async::new(writer).unwrap();
        let big = vec![7u8; 1 << 20]; // larger than the pipe buffer: the writer must wait
        let write = async {
            writer.write_all(&big).await.unwrap();
            drop(writer);
        };
        let read = async {
            let mut got = Vec::new();
            reader.read_to_end(&mut got).await.unwrap();
            got
        };
        let ((), got) = weft::join!(write, read);
        assert_eq!(got.len(), 1 << 20);
        assert!(got.iter().all(|&b| b == 7));
    });
}

#[test]
fn connecting_to_a_closed_port_is_refused() {
    let rt = runtime(1);
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again
    let err = rt
        .block_on(TcpStream::connect(("127.0.0.1", port)))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    // The runtime keeps serving.
    assert_eq!(rt.block_on(rt.spawn(async { 1 })).unwrap(), 1);
}

#[test]
fn binding_an_address_in_use_fails_for_that_caller() {
    let rt = runtime(1);
    rt.block_on(async {
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = first.local_addr().unwrap();
        let err = TcpListener::bind(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AddrInUse);
    });
}

#[test]
fn sockets_work_outside_a_runtime() {
    futures_lite::future::block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let accept = async { listener.accept().await.unwrap().0 };
        let connect = async { TcpStream::connect(addr).await.unwrap() };
        let (mut server, mut client) = futures_lite::future::zip(accept, connect).await;
        client.write_all(b"x").await.unwrap();
        let mut b = [0u8; 1];
        server.read_exact(&mut b).await.unwrap();
        assert_eq!(&b, b"x");
        // A timeout outside a runtime too, around a read that waits for data still to come.
        let reader = async {
            let mut b = [0u8; 1];
            server.read_exact(&mut b).await.unwrap();
            b[0]
        };
        let writer = async {
            weft::time::sleep(std::time::Duration::from_millis(20)).await;
            client.write_all(b"y").await.unwrap();
        };
        let (got, ()) = futures_lite::future::zip(
            weft::time::timeout(std::time::Duration::from_secs(30), reader),
            writer,
        )
        .await;
        assert_eq!(got, Ok(b'y'));
    });
    // Timers and sockets outside a runtime share one driver thread.
    let names = thread_names();
    let fallback = names.iter().filter(|n| *n == "weft-fallback").count();
    assert_eq!(fallback, 1, "threads: {names:?}");
}

/// The names of this process's threads.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.ok()?.path().join("comm")).ok())
        .map(|n| n.trim_end().to_owned())
        .collect()
}

#[test]
fn a_socket_of_a_closed_runtime_fails_instead_of_hanging() {
    let rt = runtime(1);
    let (listener, addr) = rt.block_on(async {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let a = l.local_addr().unwrap();
        (l, a)
    });
    let _client = std::net::TcpStream::connect(addr).unwrap();
    rt.close();
    // The pending connection may still be accepted directly; after that, waiting fails.
    let result = futures_lite::future::block_on(async {
        let _ = listener.accept().await;
        listener.accept().await
    });
    assert!(result.is_err());
}

/// A client and the server side of its connection, over loopback.
async fn connected_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (server, _) = listener.accept().await.unwrap();
    (client, server)
}

#[test]
fn reads_that_fill_the_buffer_exactly_see_the_rest_and_the_end() {
    let rt = runtime(2);
    rt.block_on(async {
        let (mut client, mut server) = connected_pair().await;
        for round in 0..100u8 {
            // Three messages' worth at once: each exact read leaves the next queued, and the
            // last one leaves nothing. A read that gave up readiness while bytes were still
            // queued would wait here for an event that never comes.
            client.write_all(&[round; 24]).await.unwrap();
            for _ in 0..3 {
                let mut buf = [0u8; 8];
                let n = server.read(&mut buf).await.unwrap();
                assert_eq!((n, buf), (8, [round; 8]));
            }
        }
        // The last read left nothing queued; the FIN that comes later still ends the stream.
        client.shutdown(Shutdown::Write).unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(server.read(&mut buf).await.unwrap(), 0);
        // And data written after an exact read that drained the socket still arrives.
        let (mut tx, mut rx) = (server, client);
        tx.write_all(&[1; 8]).await.unwrap();
        rx.read_exact(&mut buf).await.unwrap();
        let writer = weft::spawn(async move {
            weft::time::sleep(Duration::from_millis(20)).await;
            tx.write_all(&[2; 8]).await.unwrap();
            tx
        });
        rx.read_exact(&mut buf).await.unwrap();
        assert_eq!(buf, [2; 8]);
        drop(writer.await.unwrap());
    });
}

#[test]
fn a_vectored_write_sends_every_buffer_in_one_call() {
    let rt = runtime(2);
    rt.block_on(async {
        let (mut client, server) = connected_pair().await;
        let parts: [&[u8]; 3] = [b"head ", b"", b"and body"];
        let slices = parts.map(std::io::IoSlice::new);
        // A socket with room takes all of it at once (the default would send the first buffer).
        assert_eq!(client.write_vectored(&slices).await.unwrap(), 13);
        let (mut read, mut write) = server.into_split();
        assert_eq!(write.write_vectored(&slices).await.unwrap(), 13);
        let mut got = [0u8; 13];
        read.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"head and body");
        client.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"head and body");

        let (a, b) = UnixStream::pair().unwrap();
        let (mut a, mut b) = (a, b);
        assert_eq!(a.write_vectored(&slices).await.unwrap(), 13);
        b.read_exact(&mut got).await.unwrap();
        assert_eq!(&got, b"head and body");
    });
}
