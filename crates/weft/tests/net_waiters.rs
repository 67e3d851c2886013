//! Several tasks waiting on one direction of one socket at once (two receivers on a shared
//! `Arc<UdpSocket>`, two acceptors on one listener, two readers of one `&TcpStream`, two
//! `readable()` calls): every one of them is woken when its data comes. And a wait in
//! `block_on` that races the runtime's `close` on another thread ends with an error.
//!
//! Each test repeats its race many rounds. A waiter that is never woken would hang, so every
//! round is bounded (a `timeout` that fails the test, and a thread watchdog around the whole
//! test): a failure names the round instead of hanging CI. Nothing here asserts a timing.

mod common;

use common::runtime;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use weft::io::{Async, AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream, UdpSocket};

const ROUNDS: usize = 200;
/// How long a round may take before its waiter counts as lost (the rounds take milliseconds).
const ROUND_LIMIT: Duration = Duration::from_secs(10);
/// How long a whole test may take before the watchdog fails it.
const TEST_LIMIT: Duration = Duration::from_secs(120);

/// Runs `test` on a thread of its own and fails (instead of hanging) if it does not finish
/// within [`TEST_LIMIT`]; a panic inside it fails the test with its message.
fn with_watchdog(test: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let thread = std::thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match finished.recv_timeout(TEST_LIMIT) {
        Ok(()) => thread.join().unwrap(),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            // The test panicked: report its panic.
            std::panic::resume_unwind(thread.join().unwrap_err());
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the test hung for {TEST_LIMIT:?}"),
    }
}

/// Gives the just-spawned waiters time to reach their wait before the data comes. (Whether
/// they got there does not change what the test expects: every waiter gets its data.)
async fn let_the_waiters_wait() {
    weft::time::sleep(Duration::from_millis(1)).await;
}

/// Awaits `waiters`, failing the test if they are not all done within [`ROUND_LIMIT`].
async fn all_finish<T: Send + 'static>(
    round: usize,
    what: &str,
    waiters: Vec<weft::task::JoinHandle<T>>,
) -> Vec<T> {
    match weft::time::timeout(ROUND_LIMIT, weft::join_all(waiters)).await {
        Ok(results) => results.into_iter().map(|r| r.unwrap()).collect(),
        Err(_) => panic!("round {round}: one {what} was never woken although its data had come"),
    }
}

fn two_receivers_on_one_udp_socket_both_receive(workers: usize) {
    with_watchdog(move || {
        let rt = runtime(workers);
        rt.block_on(async {
            let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
            let addr = socket.local_addr().unwrap();
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            for round in 0..ROUNDS {
                let receivers = (0..2)
                    .map(|_| {
                        let socket = socket.clone();
                        weft::spawn(async move {
                            let mut buf = [0u8; 16];
                            let (n, _) = socket.recv_from(&mut buf).await.unwrap();
                            buf[..n].to_vec()
                        })
                    })
                    .collect();
                let_the_waiters_wait().await;
                sender.send_to(b"a", addr).await.unwrap();
                sender.send_to(b"b", addr).await.unwrap();
                let mut got = all_finish(round, "receiver", receivers).await;
                got.sort();
                assert_eq!(got, [b"a".to_vec(), b"b".to_vec()], "round {round}");
            }
        });
    });
}

#[test]
fn two_receivers_on_one_udp_socket_both_receive_on_one_worker() {
    two_receivers_on_one_udp_socket_both_receive(1);
}

#[test]
fn two_receivers_on_one_udp_socket_both_receive_on_two_workers() {
    two_receivers_on_one_udp_socket_both_receive(2);
}

fn two_acceptors_on_one_listener_both_accept(workers: usize) {
    with_watchdog(move || {
        let rt = runtime(workers);
        rt.block_on(async {
            let listener = Arc::new(TcpListener::bind("127.0.0.1:0").await.unwrap());
            let addr = listener.local_addr().unwrap();
            for round in 0..ROUNDS {
                let acceptors = (0..2)
                    .map(|_| {
                        let listener = listener.clone();
                        weft::spawn(async move { listener.accept().await.unwrap().0 })
                    })
                    .collect();
                let_the_waiters_wait().await;
                let a = TcpStream::connect(addr).await.unwrap();
                let b = TcpStream::connect(addr).await.unwrap();
                let accepted = all_finish(round, "acceptor", acceptors).await;
                let mut peers: Vec<_> = accepted.iter().map(|s| s.peer_addr().unwrap()).collect();
                peers.sort();
                let mut clients = [a.local_addr().unwrap(), b.local_addr().unwrap()];
                clients.sort();
                assert_eq!(peers, clients, "round {round}");
            }
        });
    });
}

#[test]
fn two_acceptors_on_one_listener_both_accept_on_one_worker() {
    two_acceptors_on_one_listener_both_accept(1);
}

#[test]
fn two_acceptors_on_one_listener_both_accept_on_two_workers() {
    two_acceptors_on_one_listener_both_accept(2);
}

fn two_readers_of_one_tcp_stream_both_read(workers: usize) {
    with_watchdog(move || {
        let rt = runtime(workers);
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let mut client = TcpStream::connect(listener.local_addr().unwrap())
                .await
                .unwrap();
            let server = Arc::new(listener.accept().await.unwrap().0);
            for round in 0..ROUNDS {
                let readers = (0..2)
                    .map(|_| {
                        let server = server.clone();
                        weft::spawn(async move {
                            let mut byte = [0u8; 1];
                            let n = (&*server).read(&mut byte).await.unwrap();
                            assert_eq!(n, 1, "the stream ended early");
                            byte[0]
                        })
                    })
                    .collect();
                let_the_waiters_wait().await;
                client.write_all(b"x").await.unwrap();
                client.write_all(b"y").await.unwrap();
                let mut got = all_finish(round, "reader", readers).await;
                got.sort();
                assert_eq!(got, b"xy", "round {round}");
            }
        });
    });
}

#[test]
fn two_readers_of_one_tcp_stream_both_read_on_one_worker() {
    two_readers_of_one_tcp_stream_both_read(1);
}

#[test]
fn two_readers_of_one_tcp_stream_both_read_on_two_workers() {
    two_readers_of_one_tcp_stream_both_read(2);
}

fn two_readable_waiters_are_both_woken(workers: usize) {
    with_watchdog(move || {
        let rt = runtime(workers);
        rt.block_on(async {
            let (a, mut b) = StdUnixStream::pair().unwrap();
            let a = Arc::new(Async::new(a).unwrap());
            let mut buf = [0u8; 16];
            for round in 0..ROUNDS {
                // Read the socket empty: the read finds nothing and waits; dropping it there
                // leaves the socket known to be not readable, so `readable()` waits too.
                let empty = weft::time::timeout(
                    Duration::ZERO,
                    a.read_with(|mut s: &StdUnixStream| s.read(&mut buf)),
                )
                .await;
                assert!(empty.is_err(), "round {round}: the socket was not empty");
                let waiters = (0..2)
                    .map(|_| {
                        let a = a.clone();
                        weft::spawn(async move { a.readable().await.unwrap() })
                    })
                    .collect();
                let_the_waiters_wait().await;
                b.write_all(b"z").unwrap();
                all_finish(round, "readable() waiter", waiters).await;
                let n = a
                    .read_with(|mut s: &StdUnixStream| s.read(&mut buf))
                    .await
                    .unwrap();
                assert_eq!(&buf[..n], b"z", "round {round}");
            }
        });
    });
}

#[test]
fn two_readable_waiters_are_both_woken_on_one_worker() {
    two_readable_waiters_are_both_woken(1);
}

#[test]
fn two_readable_waiters_are_both_woken_on_two_workers() {
    two_readable_waiters_are_both_woken(2);
}

/// `handle.block_on(socket.recv_from(..))` on one thread while the runtime closes on another:
/// whatever the order, the wait ends with an error that says the runtime closed (the close
/// lands at a different point of the wait from round to round).
#[test]
fn closing_the_runtime_fails_a_wait_in_block_on_on_another_thread() {
    with_watchdog(|| {
        for round in 0..ROUNDS {
            let rt = runtime(1);
            let socket = rt.block_on(UdpSocket::bind("127.0.0.1:0")).unwrap();
            let handle = rt.handle().clone();
            let (report, reported) = mpsc::channel();
            let waiter = std::thread::spawn(move || {
                let mut buf = [0u8; 16];
                // A `block_on` that starts after the close may refuse with a panic that says
                // the runtime is closed (the API allows that); that counts as the error too.
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    handle.block_on(socket.recv_from(&mut buf))
                }));
                let _ = report.send(match result {
                    Ok(received) => received.map(|(n, _)| n).map_err(|e| e.to_string()),
                    Err(panic) => Err(common::panic_message(panic)),
                });
            });
            for _ in 0..(round % 20) * 50 {
                std::hint::spin_loop();
            }
            rt.close();
            match reported.recv_timeout(ROUND_LIMIT) {
                Ok(Ok(n)) => panic!("round {round}: received {n} bytes nobody sent"),
                Ok(Err(e)) => assert!(
                    e.contains("closed"),
                    "round {round}: the error does not say the runtime closed: {e}"
                ),
                Err(_) => panic!("round {round}: the wait hangs after the runtime closed"),
            }
            waiter.join().unwrap();
        }
    });
}
