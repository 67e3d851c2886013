//! The syscalls a TCP stream saves on Linux, and their portable fallbacks.
//!
//! - **No `WouldBlock` probe after a read that filled the buffer.** A stream read shorter than
//!   its buffer drained the socket, so readiness is cleared without a syscall
//!   (`Async::poll_stream`). A read that fills the buffer exactly says nothing, and the next
//!   read used to be a `recv` that only returned `WouldBlock` (half the reads of a
//!   request/response exchange of fixed-size messages). Every stream is given `TCP_INQ`
//!   (Linux 4.18): each `recvmsg` then also says how many bytes it left queued, and a read
//!   that left none clears readiness like a short one. A data arrival after the read is a new
//!   edge, which the poller reports (the same argument as for a short read). The kernel counts
//!   a pending FIN as one byte queued, so end-of-file is never skipped. Where the option is
//!   refused (an older kernel, another platform) the read is a plain `recv` and the probe
//!   stays.
//! - **No `fcntl` per accepted connection.** `accept4` with `SOCK_NONBLOCK | SOCK_CLOEXEC` makes
//!   the new socket non-blocking as it is made (`accept` then two `fcntl`s before); a connecting
//!   socket is made with `SOCK_NONBLOCK` the same way.

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};

/// Asks the kernel to report, with each read, the bytes left queued (see the module doc).
/// Best effort: a refusal only keeps the `WouldBlock` probe.
#[cfg(target_os = "linux")]
pub(crate) fn report_queued(stream: &TcpStream) {
    use std::os::fd::AsRawFd;
    let on: libc::c_int = 1;
    // SAFETY: a valid option value of the size given, on a descriptor `stream` owns.
    unsafe {
        libc::setsockopt(
            stream.as_raw_fd(),
            libc::SOL_TCP,
            libc::TCP_INQ,
            (&on as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn report_queued(_stream: &TcpStream) {}

/// One read into `buf`: the bytes read, and how many it left queued when the kernel says.
#[cfg(target_os = "linux")]
pub(crate) fn recv(stream: &TcpStream, buf: &mut [u8]) -> io::Result<(usize, Option<u32>)> {
    use std::os::fd::AsRawFd;
    let mut iov = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    // Room for one control message carrying an int, aligned as a `cmsghdr`.
    let mut control = [0u64; 4];
    // SAFETY: an all-zero `msghdr` is valid (no name, no vectors, no control).
    let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
    msg.msg_iov = &mut iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.as_mut_ptr().cast();
    msg.msg_controllen = std::mem::size_of_val(&control);
    // SAFETY: `msg` points at one iovec over `buf` and at `control`, both alive for the call.
    let n = unsafe { libc::recvmsg(stream.as_raw_fd(), &mut msg, libc::MSG_CMSG_CLOEXEC) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `msg` came back from the kernel with its control length set within `control`.
    let first = unsafe { libc::CMSG_FIRSTHDR(&msg) };
    // SAFETY: a non-null first header lies within `control`, which is alive and aligned.
    let queued = match unsafe { first.as_ref() } {
        Some(h) if h.cmsg_level == libc::SOL_TCP && h.cmsg_type == libc::TCP_CM_INQ => {
            // SAFETY: a `TCP_CM_INQ` message carries one int after its header, within
            // `control`.
            let data = unsafe { libc::CMSG_DATA(first) };
            // SAFETY: as above; the int is read unaligned, as the kernel may place it.
            Some(unsafe { data.cast::<libc::c_int>().read_unaligned() }.max(0) as u32)
        }
        _ => None,
    };
    Ok((n as usize, queued))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn recv(stream: &TcpStream, buf: &mut [u8]) -> io::Result<(usize, Option<u32>)> {
    std::io::Read::read(&mut &*stream, buf).map(|n| (n, None))
}

/// Accepts a connection whose socket is non-blocking from the start.
#[cfg(target_os = "linux")]
pub(crate) fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    use std::os::fd::{AsRawFd, FromRawFd};
    let accept = |storage: *mut socket2::SockAddrStorage, len: *mut libc::socklen_t| {
        // SAFETY: `storage` and `len` come from `try_init`: zeroed storage and its size, of
        // which accept4 writes at most `*len` bytes and sets `*len`.
        let fd = unsafe {
            libc::accept4(
                listener.as_raw_fd(),
                storage.cast(),
                len,
                libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
            )
        };
        if fd < 0 {
            Err(io::Error::last_os_error())
        } else {
            Ok(fd)
        }
    };
    // SAFETY: accept4 sets the family and the length of the address it writes (above).
    let (fd, addr) = unsafe { socket2::SockAddr::try_init(accept) }?;
    // SAFETY: accept4 returned a new descriptor that nothing else owns.
    let stream = unsafe { TcpStream::from_raw_fd(fd) };
    let peer = addr
        .as_socket()
        .ok_or_else(|| io::Error::other("accept returned a peer address that is not IP"))?;
    Ok((stream, peer))
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn accept(listener: &TcpListener) -> io::Result<(TcpStream, SocketAddr)> {
    let (stream, peer) = listener.accept()?;
    stream.set_nonblocking(true)?;
    Ok((stream, peer))
}

/// A TCP socket for `addr`, non-blocking from the start.
pub(crate) fn connecting_socket(addr: SocketAddr) -> io::Result<socket2::Socket> {
    let domain = socket2::Domain::for_address(addr);
    let protocol = Some(socket2::Protocol::TCP);
    #[cfg(target_os = "linux")]
    {
        socket2::Socket::new(domain, socket2::Type::STREAM.nonblocking(), protocol)
    }
    #[cfg(not(target_os = "linux"))]
    {
        let socket = socket2::Socket::new(domain, socket2::Type::STREAM, protocol)?;
        socket.set_nonblocking(true)?;
        Ok(socket)
    }
}
