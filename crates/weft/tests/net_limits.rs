//! File descriptors: dropping sockets releases their descriptors, and running out of them
//! (EMFILE) fails one accept without breaking the listener. One test function, because it
//! counts the process's descriptors and lowers its limit.

mod common;

use common::{eventually, runtime};
use weft::net::{TcpListener, TcpStream};

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn set_fd_limit(soft: u64) -> u64 {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit with a valid, initialized struct.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
    }
    let old = limit.rlim_cur;
    limit.rlim_cur = soft;
    // SAFETY: as above.
    unsafe {
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    old
}

#[test]
fn dropped_sockets_release_their_fds_and_emfile_on_accept_recovers() {
    let rt = runtime(1);
    rt.block_on(async {
        // Warm up: the runtime and the test harness open what they need once.
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        drop(l);
    });
    let before = open_fds();
    rt.block_on(async {
        for _ in 0..20 {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let client = TcpStream::connect(addr).await.unwrap();
            let (server, _) = listener.accept().await.unwrap();
            drop((listener, client, server));
        }
    });
    assert!(
        eventually(|| open_fds() == before),
        "descriptors leaked: {} open, {before} before",
        open_fds()
    );

    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Two connections wait in the backlog; a spare descriptor is kept to free later.
        let _c1 = std::net::TcpStream::connect(addr).unwrap();
        let _c2 = std::net::TcpStream::connect(addr).unwrap();
        // The spare takes the lowest free descriptor number, so every number up to it is in
        // use; a limit just above it leaves no number for the next descriptor.
        let spare = std::fs::File::open("/dev/null").unwrap();
        let old = set_fd_limit(std::os::fd::AsRawFd::as_raw_fd(&spare) as u64 + 1);
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
        // Descriptors free up: the same listener accepts the waiting connection.
        drop(spare);
        let accepted = listener.accept().await;
        set_fd_limit(old);
        let (stream, peer) = accepted.expect("accept works again once a descriptor is free");
        assert_eq!(stream.peer_addr().unwrap(), peer);
        // And the runtime still serves everyone else.
        assert_eq!(weft::spawn(async { 3 }).await.unwrap(), 3);
    });
}
