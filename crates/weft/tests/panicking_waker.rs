//! A waker that panics, called by the timer and I/O drivers: the runtime survives it. Timers,
//! sockets and plain tasks keep working afterwards, and close still joins every thread.

mod common;

use common::{eventually, threads_named};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::task::{Context, Wake, Waker};
use std::time::Duration;
use weft::net::UdpSocket;
use weft::runtime::Builder;

/// A foreign waker (from another executor, or a user's own) whose wake panics.
struct PanickingWaker(AtomicUsize);

impl Wake for PanickingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("this waker panics");
    }
}

/// Polls `future` once with `waker`, as another executor would.
fn poll_once_with<F: Future + ?Sized>(future: Pin<&mut F>, waker: &Waker) -> bool {
    future.poll(&mut Context::from_waker(waker)).is_ready()
}

fn the_runtime_survives_wakers_that_panic_in_its_drivers(workers: usize) {
    let prefix = format!("pwaker{workers}");
    let rt = Builder::new()
        .worker_threads(workers)
        .thread_name(prefix.clone())
        .build()
        .unwrap();
    let bad = Arc::new(PanickingWaker(AtomicUsize::new(0)));
    let waker = Waker::from(bad.clone());

    // The test runs on its own thread so that a runtime that stalls fails the test instead of
    // hanging it.
    let (done_tx, done_rx) = mpsc::channel();
    let watched = std::thread::spawn(move || {
        rt.block_on(async {
            // A weft Sleep and a weft socket, each polled once by a waker that panics.
            let mut sleep = Box::pin(weft::time::sleep(Duration::from_millis(10)));
            assert!(!poll_once_with(sleep.as_mut(), &waker));
            let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let addr = socket.local_addr().unwrap();
            let mut buf = [0u8; 16];
            let mut recv = Box::pin(socket.recv_from(&mut buf));
            assert!(!poll_once_with(recv.as_mut(), &waker));
            let sender = UdpSocket::bind("127.0.0.1:0").await.unwrap();
            sender.send_to(b"ping", addr).await.unwrap();

            // Both drivers call the panicking waker (the timer when the Sleep is due, the
            // reactor when the datagram arrives). Wait for that on a plain thread: weft's own
            // timers are what is under test.
            let b = bad.clone();
            weft::spawn_blocking(move || {
                assert!(
                    eventually(|| b.0.load(Ordering::SeqCst) >= 2),
                    "both drivers woke the waker"
                )
            })
            .await
            .unwrap();
            drop(recv);
            drop(sleep);

            // Timers still fire.
            weft::time::sleep(Duration::from_millis(10)).await;
            // Plain tasks still run, on every worker.
            let tasks: Vec<_> = (0..100).map(|i| weft::spawn(async move { i })).collect();
            let sum: i32 = weft::join_all(tasks)
                .await
                .into_iter()
                .map(Result::unwrap)
                .sum();
            assert_eq!(sum, 4950);
            // I/O still works: the datagram that woke the panicking waker is still there,
            // and a new one arrives after it.
            let (n, from) = socket.recv_from(&mut buf).await.unwrap();
            assert_eq!(
                (&buf[..n], from),
                (&b"ping"[..], sender.local_addr().unwrap())
            );
            let echo = weft::spawn(async move {
                let mut buf = [0u8; 16];
                let (n, _) = socket.recv_from(&mut buf).await.unwrap();
                buf[..n].to_vec()
            });
            weft::task::yield_now().await;
            sender.send_to(b"pong", addr).await.unwrap();
            assert_eq!(echo.await.unwrap(), b"pong");
        });
        rt.close();
        done_tx.send(()).unwrap();
    });
    if done_rx.recv_timeout(Duration::from_secs(60)).is_err() {
        panic!("the runtime stalled after a waker panicked in its driver");
    }
    watched.join().unwrap();
    assert!(
        eventually(|| threads_named(&prefix) == 0),
        "close joined every worker thread"
    );
}

#[test]
fn one_worker_survives_wakers_that_panic_in_its_drivers() {
    the_runtime_survives_wakers_that_panic_in_its_drivers(1);
}

#[test]
fn two_workers_survive_wakers_that_panic_in_their_drivers() {
    the_runtime_survives_wakers_that_panic_in_its_drivers(2);
}
