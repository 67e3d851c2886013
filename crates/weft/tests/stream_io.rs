//! Stream halves, buffered I/O, `copy`, and streams: what a line-based server needs.

use std::time::Duration;
use weft::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, BufWriter};
use weft::net::{TcpListener, TcpStream, UnixStream};
use weft::stream::StreamExt;

async fn connected() -> std::io::Result<(TcpStream, TcpStream)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let client = TcpStream::connect(listener.local_addr()?).await?;
    let (server, _) = listener.accept().await?;
    Ok((client, server))
}

#[test]
fn owned_halves_work_from_two_tasks_and_dropping_the_writer_sends_eof() {
    weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap()
        .block_on(async {
            let (mut client, server) = connected().await?;
            let (read, mut write) = server.into_split();
            // An echo made of two tasks: one reads lines, one writes them back.
            let (tx, rx) = weft::sync::oneshot::channel::<Vec<String>>();
            let reader = weft::spawn(async move {
                let lines: Vec<String> = BufReader::new(read)
                    .lines()
                    .map(|l| l.unwrap())
                    .collect()
                    .await;
                tx.send(lines).unwrap();
            });
            let writer = weft::spawn(async move {
                let lines = rx.await.unwrap();
                for line in lines {
                    write.write_all(format!("{line}!\n").as_bytes()).await?;
                }
                Ok::<_, std::io::Error>(())
                // `write` dropped here: the client reads end-of-file.
            });
            client.write_all(b"a\nb\nc\n").await?;
            client.shutdown(std::net::Shutdown::Write)?;
            let mut echoed = String::new();
            client.read_to_string(&mut echoed).await?;
            assert_eq!(echoed, "a!\nb!\nc!\n");
            reader.await.unwrap();
            writer.await.unwrap()?;
            Ok::<_, std::io::Error>(())
        })
        .unwrap();
}

#[test]
fn reunite_gives_the_stream_back_and_refuses_halves_of_two_streams() {
    weft::run(async {
        let (client, server) = connected().await?;
        let (r1, w1) = client.into_split();
        let (r2, w2) = server.into_split();
        let err = r1.reunite(w2).unwrap_err();
        let (r1, w2) = (err.0, err.1);
        let mut client = r1.reunite(w1).expect("halves of one stream");
        let mut server = r2.reunite(w2).expect("halves of one stream");
        // Reuniting did not shut anything down.
        client.write_all(b"still open").await?;
        let mut buf = [0; 10];
        server.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"still open");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}

#[test]
fn borrowed_halves_read_and_write_at_once() {
    weft::run(async {
        let (mut client, mut server) = connected().await?;
        let payload = vec![7u8; 1 << 20];
        let (mut read, mut write) = client.split();
        let (mut sr, mut sw) = server.split();
        // Both ends write 1 MiB while reading: with one half at a time this would deadlock
        // once the socket buffers fill.
        let (a, b, c, d) = weft::join!(
            async { write.write_all(&payload).await },
            async {
                let mut got = vec![0; payload.len()];
                sr.read_exact(&mut got).await.map(|_| got)
            },
            async { sw.write_all(&payload).await },
            async {
                let mut got = vec![0; payload.len()];
                read.read_exact(&mut got).await.map(|_| got)
            },
        );
        a?;
        c?;
        assert_eq!(b?, payload);
        assert_eq!(d?, payload);
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}

#[test]
fn unix_streams_split_too() {
    weft::run(async {
        let (a, mut b) = UnixStream::pair()?;
        let (mut read, write) = a.into_split();
        b.write_all(b"ping").await?;
        let mut buf = [0; 4];
        read.read_exact(&mut buf).await?;
        assert_eq!(&buf, b"ping");
        drop(write);
        let mut rest = Vec::new();
        // A watchdog, not a timing: without the shutdown this would wait forever.
        weft::time::timeout(Duration::from_secs(30), b.read_to_end(&mut rest))
            .await
            .expect("dropping the write half sends end-of-file")?;
        assert!(rest.is_empty(), "dropping the write half sent end-of-file");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}

#[test]
fn read_until_read_line_copy_and_split() {
    weft::run(async {
        let (client, server) = connected().await?;
        let mut writer = BufWriter::new(client);
        writer.write_all(b"key=value\nsecond;rest").await?;
        writer.flush().await?;
        writer.close().await?;
        let mut reader = BufReader::with_capacity(4, server);
        let mut line = String::new();
        assert_eq!(reader.read_line(&mut line).await?, 10);
        assert_eq!(line, "key=value\n");
        let mut until = Vec::new();
        reader.read_until(b';', &mut until).await?;
        assert_eq!(until, b"second;");
        // copy the rest into another socket, through weft::io::split halves.
        let (dst_client, dst_server) = connected().await?;
        let (_dst_read, mut dst_write) = weft::io::split(dst_client);
        let copied = weft::io::copy(&mut reader, &mut dst_write).await?;
        assert_eq!(copied, 4);
        dst_write.close().await?;
        let mut got = String::new();
        let mut dst_server = dst_server;
        dst_server.read_to_string(&mut got).await?;
        assert_eq!(got, "rest");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}

#[test]
fn incoming_and_interval_are_streams() {
    weft::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let clients = weft::spawn(async move {
            let mut kept = Vec::new();
            for _ in 0..3 {
                kept.push(TcpStream::connect(addr).await?);
            }
            Ok::<_, std::io::Error>(kept)
        });
        let accepted: Vec<TcpStream> = listener
            .incoming()
            .take(3)
            .map(|s| s.unwrap())
            .collect()
            .await;
        assert_eq!(accepted.len(), 3);
        for s in &accepted {
            assert_eq!(s.local_addr()?, addr);
        }
        assert_eq!(clients.await.unwrap()?.len(), 3);
        let start = weft::time::Instant::now();
        let ticks: Vec<_> = weft::time::interval(Duration::from_millis(2))
            .take(3)
            .collect()
            .await;
        assert!(ticks.windows(2).all(|w| w[0] < w[1]), "ticks in order");
        assert!(ticks[0] >= start, "the first tick is due at once");
        Ok::<_, std::io::Error>(())
    })
    .unwrap();
}

#[test]
fn an_mpsc_receiver_is_a_stream_that_ends_when_the_senders_are_gone() {
    weft::run(async {
        let (tx, rx) = weft::sync::mpsc::channel(2);
        let producer = weft::spawn(async move {
            for n in 0..10u32 {
                tx.send(n).await.unwrap();
            }
        });
        let got: Vec<u32> = weft::stream::ReceiverStream::new(rx).collect().await;
        assert_eq!(got, (0..10).collect::<Vec<_>>());
        producer.await.unwrap();
        let (tx, rx) = weft::sync::mpsc::unbounded_channel();
        tx.send("a").unwrap();
        drop(tx);
        let mut stream = weft::stream::UnboundedReceiverStream::new(rx);
        assert_eq!(stream.next().await, Some("a"));
        assert_eq!(stream.next().await, None);
    });
}
