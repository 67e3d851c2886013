//! Host names: `weft::net::lookup_host`, and `bind` / `connect` / `send_to` given a name,
//! look it up off the workers; addresses that parse need no lookup and no thread.

mod common;

use common::runtime;
use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use weft::net::{Resolve, TcpListener, TcpStream, UdpSocket, lookup_host};

/// An address of the test's own whose lookup takes 500 ms (as a slow DNS server would),
/// then gives `addr`; it records when it finished.
#[derive(Clone)]
struct SlowLookup {
    addr: SocketAddr,
    finished: Arc<AtomicBool>,
}

impl std::net::ToSocketAddrs for SlowLookup {
    type Iter = std::option::IntoIter<SocketAddr>;

    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        std::thread::sleep(Duration::from_millis(500));
        self.finished.store(true, Ordering::SeqCst);
        Ok(Some(self.addr).into_iter())
    }
}

/// An address whose lookup fails with an error of its own.
#[derive(Clone)]
struct FailingLookup;

impl std::net::ToSocketAddrs for FailingLookup {
    type Iter = std::vec::IntoIter<SocketAddr>;

    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Err(io::Error::new(
            ErrorKind::PermissionDenied,
            "the resolver said no",
        ))
    }
}

/// An address that resolves to nothing.
#[derive(Clone)]
struct EmptyLookup;

impl std::net::ToSocketAddrs for EmptyLookup {
    type Iter = std::vec::IntoIter<SocketAddr>;

    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        Ok(Vec::new().into_iter())
    }
}

#[test]
fn lookup_host_finds_loopback_addresses_for_localhost() {
    let addrs: Vec<SocketAddr> = weft::run(async { lookup_host("localhost:0").await })
        .unwrap()
        .collect();
    assert!(!addrs.is_empty());
    for addr in &addrs {
        assert!(addr.ip().is_loopback(), "{addr}");
        assert_eq!(addr.port(), 0);
    }
}

#[test]
fn lookup_host_of_an_address_gives_it_back() {
    weft::run(async {
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:443".parse().unwrap();
        let got: Vec<_> = lookup_host(v4).await.unwrap().collect();
        assert_eq!(got, [v4]);
        let got: Vec<_> = lookup_host("[::1]:443").await.unwrap().collect();
        assert_eq!(got, [v6]);
        let got: Vec<_> = lookup_host(("::1", 443)).await.unwrap().collect();
        assert_eq!(got, [v6]);
        let got: Vec<_> = lookup_host(&[v4, v6][..]).await.unwrap().collect();
        assert_eq!(got, [v4, v6]);
    });
}

#[test]
fn connect_to_localhost_by_name_reaches_the_listener() {
    weft::run(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // "localhost" may resolve to ::1 as well: that address refuses and the next is tried.
        let stream = TcpStream::connect(format!("localhost:{}", addr.port()))
            .await
            .unwrap();
        let (_, peer) = listener.accept().await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), addr);
        assert_eq!(peer, stream.local_addr().unwrap());
    });
}

#[test]
fn bind_and_send_to_accept_host_names() {
    weft::run(async {
        let listener = TcpListener::bind(("localhost", 0)).await.unwrap();
        assert!(listener.local_addr().unwrap().ip().is_loopback());
        let receiver = UdpSocket::bind("localhost:0").await.unwrap();
        let to = receiver.local_addr().unwrap();
        let sender = UdpSocket::bind((to.ip(), 0)).await.unwrap();
        // The first address of "localhost", as for the receiver's bind.
        sender
            .send_to(b"ping", ("localhost", to.port()))
            .await
            .unwrap();
        let mut buf = [0; 8];
        let (n, from) = receiver.recv_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"ping");
        assert_eq!(from, sender.local_addr().unwrap());
    });
}

/// The ordering the issue is about: with one worker, a lookup that takes 500 ms must not hold
/// the worker, so a 10 ms sleep on that worker ends while the lookup is still running.
#[test]
fn a_slow_lookup_does_not_stall_a_timer_on_a_one_worker_runtime() {
    let rt = runtime(1);
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let finished = Arc::new(AtomicBool::new(false));
        let slow = SlowLookup {
            addr: listener.local_addr().unwrap(),
            finished: finished.clone(),
        };
        // Both tasks run on the one worker; the lookup starts first.
        let (started_tx, started_rx) = weft::sync::oneshot::channel();
        let connect = weft::spawn(async move {
            let _ = started_tx.send(());
            TcpStream::connect(Resolve(slow)).await
        });
        started_rx.await.unwrap();
        let sleeper = weft::spawn(async move {
            weft::time::sleep(Duration::from_millis(10)).await;
            finished.load(Ordering::SeqCst)
        });
        let lookup_finished_first = sleeper.await.unwrap();
        assert!(
            !lookup_finished_first,
            "the sleep ended only after the lookup: the lookup blocked the worker"
        );
        connect.await.unwrap().unwrap();
        listener.accept().await.unwrap();
    });
}

/// The same under another executor: the lookup runs on a thread of its own, so the
/// executor's thread keeps polling the sleep beside it.
#[test]
fn a_slow_lookup_outside_a_runtime_does_not_block_the_executor_thread() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let finished = Arc::new(AtomicBool::new(false));
    let slow = SlowLookup {
        addr: listener.local_addr().unwrap(),
        finished: finished.clone(),
    };
    let (stream, lookup_finished_first) = futures_lite::future::block_on(
        futures_lite::future::zip(TcpStream::connect(Resolve(slow)), async {
            weft::time::sleep(Duration::from_millis(10)).await;
            finished.load(Ordering::SeqCst)
        }),
    );
    assert!(
        !lookup_finished_first,
        "the sleep ended only after the lookup: the lookup blocked the executor's thread"
    );
    assert_eq!(
        stream.unwrap().peer_addr().unwrap(),
        listener.local_addr().unwrap()
    );
}

/// `lookup_host` of a slow name, under another executor, gives what the lookup found.
#[test]
fn lookup_host_outside_a_runtime_gives_the_lookups_addresses() {
    let slow = SlowLookup {
        addr: (Ipv4Addr::LOCALHOST, 9).into(),
        finished: Arc::new(AtomicBool::new(false)),
    };
    let addrs: Vec<_> = futures_lite::future::block_on(lookup_host(Resolve(slow)))
        .unwrap()
        .collect();
    assert_eq!(addrs, [SocketAddr::from((Ipv4Addr::LOCALHOST, 9))]);
}

/// A host name is looked up on the runtime's blocking pool: with the pool's only thread busy,
/// the lookup waits for it (while a 20 ms sleep passes), and finishes once it is free.
#[test]
fn a_host_name_lookup_runs_on_the_blocking_pool() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(1)
        .max_blocking_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let (release, wait) = mpsc::channel::<()>();
        let (busy_tx, busy_rx) = weft::sync::oneshot::channel();
        let busy = weft::spawn_blocking(move || {
            let _ = busy_tx.send(());
            wait.recv().unwrap();
        });
        busy_rx.await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let done = Arc::new(AtomicBool::new(false));
        let connect = weft::spawn({
            let done = done.clone();
            async move {
                let stream = TcpStream::connect(("localhost", port)).await;
                done.store(true, Ordering::SeqCst);
                stream
            }
        });
        weft::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !done.load(Ordering::SeqCst),
            "the lookup finished while the blocking pool was busy: it did not run there"
        );
        release.send(()).unwrap();
        busy.await.unwrap();
        let stream = connect.await.unwrap().unwrap();
        assert_eq!(stream.peer_addr().unwrap(), listener.local_addr().unwrap());
        let addrs: Vec<_> = lookup_host("localhost:80").await.unwrap().collect();
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 80));
    });
}

/// Addresses that parse need no lookup: with the blocking pool's only thread busy, `bind`,
/// `connect`, `send_to` and `lookup_host` given them still finish.
#[test]
fn parse_only_addresses_never_wait_for_the_blocking_pool() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(1)
        .max_blocking_threads(1)
        .build()
        .unwrap();
    rt.block_on(async {
        let (release, wait) = mpsc::channel::<()>();
        let (busy_tx, busy_rx) = weft::sync::oneshot::channel();
        let busy = weft::spawn_blocking(move || {
            let _ = busy_tx.send(());
            wait.recv().unwrap();
        });
        busy_rx.await.unwrap();
        let work = weft::spawn(async {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            TcpStream::connect(addr).await?;
            TcpStream::connect(format!("127.0.0.1:{}", addr.port())).await?;
            TcpStream::connect((Ipv4Addr::LOCALHOST, addr.port())).await?;
            TcpStream::connect(("127.0.0.1", addr.port())).await?;
            TcpStream::connect(&[addr][..]).await?;
            let v6 = TcpListener::bind((Ipv6Addr::LOCALHOST, 0)).await;
            if let Ok(v6) = v6 {
                TcpStream::connect(("::1", v6.local_addr()?.port())).await?;
            }
            let udp = UdpSocket::bind("127.0.0.1:0").await?;
            udp.send_to(b"x", udp.local_addr()?).await?;
            udp.send_to(b"x", udp.local_addr()?.to_string()).await?;
            let _: Vec<_> = lookup_host("127.0.0.1:1").await?.collect();
            Ok::<_, io::Error>(())
        });
        // Ordered by the flag, not by time: the pool is released only after the work ends.
        work.await.unwrap().unwrap();
        release.send(()).unwrap();
        busy.await.unwrap();
    });
}

#[test]
fn a_failed_lookup_is_the_lookups_error() {
    weft::run(async {
        let err = TcpStream::connect(Resolve(FailingLookup))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
        assert_eq!(err.to_string(), "the resolver said no");
        let err = lookup_host(Resolve(FailingLookup)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    });
}

#[test]
fn an_address_that_resolves_to_nothing_is_invalid_input() {
    weft::run(async {
        let err = TcpStream::connect(Resolve(EmptyLookup)).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        let err = UdpSocket::bind(&[][..]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        // lookup_host says what the lookup found, even nothing.
        assert_eq!(lookup_host(Resolve(EmptyLookup)).await.unwrap().count(), 0);
    });
}

#[test]
fn malformed_host_names_fail_as_std_says() {
    weft::run(async {
        for bad in ["localhost", "localhost:http", "localhost:70000"] {
            let err = lookup_host(bad).await.unwrap_err();
            let std_err = std::net::ToSocketAddrs::to_socket_addrs(bad).unwrap_err();
            assert_eq!(err.kind(), std_err.kind(), "{bad}");
            assert_eq!(err.kind(), ErrorKind::InvalidInput, "{bad}");
        }
    });
}

#[test]
fn a_panicking_lookup_panics_the_task_that_asked() {
    #[derive(Clone)]
    struct Panics;
    impl std::net::ToSocketAddrs for Panics {
        type Iter = std::vec::IntoIter<SocketAddr>;
        fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
            panic!("resolver bug");
        }
    }
    weft::run(async {
        let task = weft::spawn(async { lookup_host(Resolve(Panics)).await.map(|_| ()) });
        let err = task.await.unwrap_err();
        assert!(err.is_panic());
        assert_eq!(common::panic_message(err.into_panic()), "resolver bug");
    });
}

/// The futures are `Send` (for `Send` addresses), so they can be spawned.
#[test]
fn lookup_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    assert_send(lookup_host("localhost:80"));
    assert_send(TcpStream::connect(String::from("localhost:80")));
    assert_send(UdpSocket::bind(("localhost", 0)));
}
