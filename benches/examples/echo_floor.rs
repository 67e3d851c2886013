//! The floor under the `tcp_echo` row: the same loopback echo (16 connections x 500 round trips
//! of 1 KiB by default) with no runtime at all, one thread, in two ways:
//!
//! - `epoll`: what any poll-based runtime (weft, tokio, smol) does at best: every socket
//!   non-blocking and registered edge-triggered once; a side reads until `WouldBlock` (the
//!   probe a full read needs), writes, and waits in `epoll_wait` only when nothing is ready.
//! - `epoll-inq`: the same, with `TCP_INQ` set on every socket: each `recvmsg` also says how
//!   many bytes it left queued, so a read that drained the socket is known to have, and the
//!   `WouldBlock` probe after it is skipped (Linux 4.18).
//! - `uring`: completion-based I/O (io_uring): each client submits its send and its receive
//!   linked together, each server its receive and, on completion, the send of what it read
//!   linked with the next receive; one `io_uring_enter` submits everything queued and waits for
//!   the next completion, and completions are read from the shared ring without a syscall.
//!
//! ```sh
//! cargo build --release -p weft-benches --example echo_floor
//! target/release/examples/echo_floor epoll          # or: uring, uring-defer
//! strace -c -f target/release/examples/echo_floor uring
//! ```
//!
//! A sixth argument runs that many threads, each with its own loop over its share of the
//! connections (what a thread-per-core design could reach at best).
//!
//! Prints the wall time per round trip (median of the repetitions). docs/benchmarks.md compares
//! it with the runtimes' `tcp_echo` and says what putting io_uring behind weft's API would cost.

#[cfg(target_os = "linux")]
fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "epoll".into());
    let mut num = |default: usize| {
        args.next().map_or(default, |s| {
            s.parse()
                .expect("usage: echo_floor MODE [CONNS ROUNDS BYTES REPS THREADS]")
        })
    };
    let shape = floor::Shape {
        connections: num(16),
        rounds: num(500),
        bytes: num(1024),
    };
    let reps = num(20);
    // Each thread runs its own loop over its share of the connections (thread-per-core).
    let threads = num(1).max(1);
    assert!(
        shape.connections.is_multiple_of(threads),
        "connections must split evenly over the threads"
    );
    let run: fn(&floor::Shape) -> std::io::Result<()> = match mode.as_str() {
        "epoll" => floor::epoll::run,
        "epoll-inq" => floor::epoll::run_inq,
        "uring" => floor::uring::run,
        "uring-defer" => floor::uring::run_deferred,
        _ => panic!("mode is `epoll` or `uring`, not {mode:?}"),
    };
    let mut times: Vec<f64> = (0..reps)
        .map(|_| {
            let share = floor::Shape {
                connections: shape.connections / threads,
                ..shape
            };
            let start = std::time::Instant::now();
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|| run(&share).expect("echo run failed"));
                }
            });
            start.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let per_trip = times[times.len() / 2] / (shape.connections * shape.rounds) as f64;
    println!(
        "{mode} x{threads}: {:.2} us per round trip (median of {reps} runs of {} x {} x {} B)",
        per_trip * 1e6,
        shape.connections,
        shape.rounds,
        shape.bytes
    );
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("echo_floor measures epoll and io_uring: Linux only");
}

#[cfg(target_os = "linux")]
mod floor {
    use std::io;
    use std::net::{TcpListener, TcpStream};

    #[derive(Clone, Copy)]
    pub(crate) struct Shape {
        pub(crate) connections: usize,
        pub(crate) rounds: usize,
        pub(crate) bytes: usize,
    }

    /// `connections` connected pairs over loopback: (client, server), non-blocking, no delay.
    fn pairs(n: usize) -> io::Result<Vec<(TcpStream, TcpStream)>> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        (0..n)
            .map(|_| {
                let client = TcpStream::connect(addr)?;
                let (server, _) = listener.accept()?;
                for s in [&client, &server] {
                    s.set_nodelay(true)?;
                    s.set_nonblocking(true)?;
                }
                Ok((client, server))
            })
            .collect()
    }

    fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
        if ret < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(ret)
        }
    }

    pub(crate) mod epoll {
        use super::{Shape, check, pairs};
        use std::io::{self, Read, Write};
        use std::net::TcpStream;
        use std::os::fd::AsRawFd;

        /// One side of a connection: a client sends then reads the echo back; a server reads
        /// then sends back.
        struct Side {
            stream: TcpStream,
            buf: Vec<u8>,
            /// Bytes read (while reading) or written (while writing) of the current message.
            done: usize,
            writing: bool,
            /// Round trips left (clients only count; servers run until the client is done).
            left: usize,
            client: bool,
            /// Whether a read may find data: set by each event, cleared by `WouldBlock` or,
            /// with `TCP_INQ`, by a read that left nothing queued.
            readable: bool,
            inq: bool,
        }

        impl Side {
            /// Makes progress until the socket would block; returns whether this side
            /// finished its last round trip.
            fn advance(&mut self) -> io::Result<bool> {
                loop {
                    if self.left == 0 {
                        return Ok(true);
                    }
                    let len = self.buf.len();
                    if !self.writing && !self.readable {
                        return Ok(false);
                    }
                    let result = if self.writing {
                        (&self.stream).write(&self.buf[self.done..])
                    } else if self.inq {
                        let (result, queued) = recv_inq(&self.stream, &mut self.buf[self.done..]);
                        if queued == Some(0) {
                            self.readable = false;
                        }
                        result
                    } else {
                        self.stream.read(&mut self.buf[self.done..len])
                    };
                    match result {
                        Ok(0) if !self.writing => return Ok(true),
                        Ok(n) => {
                            self.done += n;
                            if self.done == len {
                                self.done = 0;
                                if self.client && !self.writing {
                                    self.left -= 1;
                                }
                                self.writing = !self.writing;
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            self.readable = self.writing && self.readable;
                            return Ok(false);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
        }

        pub(crate) fn run(shape: &Shape) -> io::Result<()> {
            echo(shape, false)
        }

        pub(crate) fn run_inq(shape: &Shape) -> io::Result<()> {
            echo(shape, true)
        }

        /// One `recvmsg` into `buf` that also returns how many bytes it left queued (the
        /// `TCP_CM_INQ` control message), when the kernel said.
        fn recv_inq(stream: &TcpStream, buf: &mut [u8]) -> (io::Result<usize>, Option<i32>) {
            let mut iov = libc::iovec {
                iov_base: buf.as_mut_ptr().cast(),
                iov_len: buf.len(),
            };
            // Room for one control message holding an int, aligned as a cmsghdr.
            let mut control = [0u64; 4];
            // SAFETY: all-zero is a valid msghdr; the pointers set below outlive the call.
            let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
            msg.msg_iov = &mut iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control.as_mut_ptr().cast();
            msg.msg_controllen = std::mem::size_of_val(&control);
            // SAFETY: `msg` points at a live iovec over `buf` and at `control`.
            let n = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, 0) };
            if n < 0 {
                return (Err(io::Error::last_os_error()), None);
            }
            // SAFETY: `msg` was filled by the kernel and its control buffer is `control`.
            let cmsg = unsafe { libc::CMSG_FIRSTHDR(&msg) };
            // SAFETY: a non-null first header lies within `control`.
            let header = unsafe { cmsg.as_ref() };
            let inq = header
                .is_some_and(|h| h.cmsg_level == libc::SOL_TCP && h.cmsg_type == libc::TCP_CM_INQ);
            let queued = inq.then(|| {
                // SAFETY: a TCP_CM_INQ message carries one int, within `control`.
                let data = unsafe { libc::CMSG_DATA(cmsg) };
                // SAFETY: as above; the int may be unaligned in the byte buffer.
                unsafe { data.cast::<i32>().read_unaligned() }
            });
            (Ok(n as usize), queued)
        }

        fn echo(shape: &Shape, inq: bool) -> io::Result<()> {
            // SAFETY: a plain syscall; the descriptor is closed below.
            let ep = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
            let mut sides = Vec::new();
            for (client, server) in pairs(shape.connections)? {
                for (stream, is_client) in [(client, true), (server, false)] {
                    if inq {
                        let on: libc::c_int = 1;
                        // SAFETY: a valid option value of the size given.
                        check(unsafe {
                            libc::setsockopt(
                                stream.as_raw_fd(),
                                libc::SOL_TCP,
                                libc::TCP_INQ,
                                (&on as *const libc::c_int).cast(),
                                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                            )
                        })?;
                    }
                    sides.push(Side {
                        stream,
                        buf: vec![7; shape.bytes],
                        done: 0,
                        writing: is_client,
                        left: shape.rounds,
                        client: is_client,
                        readable: true,
                        inq,
                    });
                }
            }
            for (key, side) in sides.iter().enumerate() {
                let mut event = libc::epoll_event {
                    events: (libc::EPOLLIN | libc::EPOLLOUT | libc::EPOLLET) as u32,
                    u64: key as u64,
                };
                // SAFETY: `event` is a valid epoll_event; the fd outlives the registration
                // (the epoll fd is closed before the sides are dropped).
                check(unsafe {
                    libc::epoll_ctl(ep, libc::EPOLL_CTL_ADD, side.stream.as_raw_fd(), &mut event)
                })?;
            }
            // Every side is tried once first (as a runtime's new source starts ready).
            let mut clients_left = shape.connections;
            for side in &mut sides {
                if side.advance()? && side.client {
                    clients_left -= 1;
                }
            }
            let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 64];
            while clients_left > 0 {
                // SAFETY: the buffer holds `events.len()` entries.
                let n = check(unsafe {
                    libc::epoll_wait(ep, events.as_mut_ptr(), events.len() as i32, -1)
                })?;
                for event in &events[..n as usize] {
                    let side = &mut sides[event.u64 as usize];
                    if event.events & (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLHUP) as u32
                        != 0
                    {
                        side.readable = true;
                    }
                    let was_left = side.left;
                    if side.advance()? && side.client && was_left > 0 {
                        clients_left -= 1;
                    }
                }
            }
            // SAFETY: closing the descriptor made above, once.
            unsafe { libc::close(ep) };
            Ok(())
        }
    }

    pub(crate) mod uring {
        use super::{Shape, pairs};
        use io_uring::{IoUring, opcode, squeue, types};
        use std::io;
        use std::net::TcpStream;
        use std::os::fd::AsRawFd;

        // user_data: connection index * 4 + operation.
        const CLIENT_SEND: u64 = 0;
        const CLIENT_RECV: u64 = 1;
        const SERVER_RECV: u64 = 2;
        const SERVER_SEND: u64 = 3;

        struct Conn {
            client: TcpStream,
            server: TcpStream,
            out: Vec<u8>,
            back: Vec<u8>,
            echo: Vec<u8>,
            left: usize,
        }

        pub(crate) fn run(shape: &Shape) -> io::Result<()> {
            echo(shape, IoUring::new(entries(shape))?)
        }

        /// With the flags a one-thread owner of the ring can set (Linux 6.1): completion work
        /// runs only when the owner waits for it (`DEFER_TASKRUN`), without interrupting it.
        pub(crate) fn run_deferred(shape: &Shape) -> io::Result<()> {
            let ring = IoUring::builder()
                .setup_coop_taskrun()
                .setup_single_issuer()
                .setup_defer_taskrun()
                .build(entries(shape))?;
            echo(shape, ring)
        }

        fn entries(shape: &Shape) -> u32 {
            4 * shape.connections.next_power_of_two() as u32
        }

        fn echo(shape: &Shape, mut ring: IoUring) -> io::Result<()> {
            let mut conns: Vec<Conn> = pairs(shape.connections)?
                .into_iter()
                .map(|(client, server)| Conn {
                    client,
                    server,
                    out: vec![7; shape.bytes],
                    back: vec![0; shape.bytes],
                    echo: vec![0; shape.bytes],
                    left: shape.rounds,
                })
                .collect();
            // The buffers never move while an operation on them is in flight: `conns` is not
            // resized, and every operation completes before `run` returns (each connection's
            // last completion is waited for).
            let mut queue = Vec::new();
            for (i, conn) in conns.iter_mut().enumerate() {
                client_round(&mut queue, i, conn);
                queue
                    .push(recv(&conn.server, &mut conn.echo).user_data(i as u64 * 4 + SERVER_RECV));
            }
            let mut in_flight = 0usize;
            let mut clients_left = shape.connections;
            let mut done = Vec::new();
            while clients_left > 0 || in_flight > 0 {
                {
                    let mut sq = ring.submission();
                    for entry in queue.drain(..) {
                        // SAFETY: every buffer an entry points at stays alive and unmoved
                        // until its completion (see above); the ring has room for every
                        // operation in flight (at most 4 per connection).
                        unsafe { sq.push(&entry).expect("submission queue has room") };
                        in_flight += 1;
                    }
                }
                ring.submit_and_wait(1)?;
                done.extend(ring.completion().map(|c| (c.user_data(), c.result())));
                for (data, result) in done.drain(..) {
                    in_flight -= 1;
                    let (i, op) = ((data / 4) as usize, data % 4);
                    let conn = &mut conns[i];
                    if result < 0 {
                        return Err(io::Error::from_raw_os_error(-result));
                    }
                    let full = result as usize == shape.bytes;
                    match op {
                        CLIENT_SEND | SERVER_SEND => assert!(full, "short send"),
                        CLIENT_RECV => {
                            assert!(full, "short receive");
                            conn.left -= 1;
                            if conn.left > 0 {
                                client_round(&mut queue, i, conn);
                            } else {
                                clients_left -= 1;
                                // Closing the client ends the server's receive with 0.
                                // SAFETY: shutting down a socket we own; it stays open.
                                unsafe { libc::shutdown(conn.client.as_raw_fd(), libc::SHUT_WR) };
                            }
                        }
                        SERVER_RECV if result == 0 => {}
                        SERVER_RECV => {
                            assert!(full, "short receive");
                            let send = opcode::Send::new(
                                types::Fd(conn.server.as_raw_fd()),
                                conn.echo.as_ptr(),
                                shape.bytes as u32,
                            )
                            .build()
                            .flags(squeue::Flags::IO_LINK)
                            .user_data(i as u64 * 4 + SERVER_SEND);
                            queue.push(send);
                            queue.push(
                                recv(&conn.server, &mut conn.echo)
                                    .user_data(i as u64 * 4 + SERVER_RECV),
                            );
                        }
                        _ => unreachable!(),
                    }
                }
            }
            Ok(())
        }

        /// A client's round trip: its send, and linked after it the receive of the echo.
        fn client_round(queue: &mut Vec<squeue::Entry>, i: usize, conn: &mut Conn) {
            let send = opcode::Send::new(
                types::Fd(conn.client.as_raw_fd()),
                conn.out.as_ptr(),
                conn.out.len() as u32,
            )
            .build()
            .flags(squeue::Flags::IO_LINK)
            .user_data(i as u64 * 4 + CLIENT_SEND);
            queue.push(send);
            queue.push(recv(&conn.client, &mut conn.back).user_data(i as u64 * 4 + CLIENT_RECV));
        }

        fn recv(stream: &TcpStream, buf: &mut [u8]) -> squeue::Entry {
            opcode::Recv::new(
                types::Fd(stream.as_raw_fd()),
                buf.as_mut_ptr(),
                buf.len() as u32,
            )
            // The whole message or the end of the stream, as `read_exact` would wait for.
            .flags(libc::MSG_WAITALL)
            .build()
        }
    }
}
