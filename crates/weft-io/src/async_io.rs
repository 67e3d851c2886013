//! `Async<T>`: any file descriptor made non-blocking and driven by the reactor.

use crate::reactor::{self, Reactor, Source};
use crate::readiness::{Closed, Direction, Tick};
use std::fmt;
use std::future::poll_fn;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// An I/O object (a socket, a pipe, anything with a file descriptor) registered with the
/// reactor: its operations wait for readiness instead of blocking the thread.
///
/// ```
/// use std::os::unix::net::UnixStream;
/// weft::run(async {
///     let (a, b) = UnixStream::pair()?;
///     let a = weft::io::Async::new(a)?;
///     let b = weft::io::Async::new(b)?;
///     a.write_with(|s| std::io::Write::write(&mut &*s, b"hi")).await?;
///     let mut buf = [0; 2];
///     b.read_with(|s| std::io::Read::read(&mut &*s, &mut buf)).await?;
///     assert_eq!(&buf, b"hi");
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct Async<T: AsFd> {
    source: Arc<Source>,
    reactor: Arc<Reactor>,
    io: Option<T>,
}

impl<T: AsFd> Async<T> {
    /// Makes `io` non-blocking and registers it with the current runtime's reactor (or the
    /// fallback reactor outside a runtime).
    ///
    /// # Errors
    ///
    /// When the descriptor cannot be made non-blocking or registered.
    pub fn new(io: T) -> io::Result<Async<T>> {
        set_nonblocking(io.as_fd())?;
        Async::register(io, reactor::current()?)
    }

    /// Registers `io` with `reactor`, ready in both directions.
    fn register(io: T, reactor: Arc<Reactor>) -> io::Result<Async<T>> {
        let source = reactor.register(io.as_fd())?;
        Ok(Async {
            source,
            reactor,
            io: Some(io),
        })
    }

    /// Registers `io`, which is non-blocking already (made so as it was created: `accept4`'s
    /// or `socket`'s `SOCK_NONBLOCK`), with the current runtime's reactor (or the fallback
    /// one), as [`new`](Async::new) does, without the two `fcntl`s.
    pub(crate) fn new_nonblocking(io: T) -> io::Result<Async<T>> {
        Async::register(io, reactor::current()?)
    }

    /// Registers `io`, a descriptor that is only waited on (never read or written through
    /// weft: a pidfd), with the current runtime's reactor (or the fallback one), as it is:
    /// its flags are not touched (no `fcntl`: nothing would block on it), and its read
    /// readiness starts clear, so the first [`readable`](Async::readable) (or read operation)
    /// waits for the poller's first event instead of trying at once. That event comes at once
    /// if `io` is readable already: the poller reports the readiness a descriptor has when it
    /// is added (`sys/mod.rs`, "Readiness at add"). An event that came between the add and
    /// the clear is kept (the tick says so). Write readiness starts set, as for
    /// [`new`](Async::new).
    ///
    /// Saves a child's wait two `fcntl`s and the `waitpid` that would only say "still
    /// running" (`weft-process`, `reap.rs`).
    ///
    /// # Errors
    ///
    /// When the descriptor cannot be registered.
    #[doc(hidden)]
    pub fn new_watched(io: T) -> io::Result<Async<T>> {
        let watched = Async::register(io, reactor::current()?)?;
        // Not the tick read now: an event the driver dispatched since the add must be kept.
        watched.source.readiness.clear_start_read();
        Ok(watched)
    }

    /// Makes `io` non-blocking and registers it with the process-wide fallback reactor, driven
    /// by the fallback thread, whatever runtime the caller is in: for an object that must
    /// outlive any one runtime (the signal pipe every runtime listens to).
    ///
    /// # Errors
    ///
    /// When the descriptor cannot be made non-blocking or registered.
    pub fn new_fallback(io: T) -> io::Result<Async<T>> {
        set_nonblocking(io.as_fd())?;
        Async::register(io, reactor::fallback()?)
    }

    /// The inner I/O object.
    pub fn get_ref(&self) -> &T {
        self.io.as_ref().expect("present until into_inner")
    }

    /// The inner I/O object, mutably.
    pub fn get_mut(&mut self) -> &mut T {
        self.io.as_mut().expect("present until into_inner")
    }

    /// Deregisters and returns the inner I/O object (still non-blocking).
    pub fn into_inner(mut self) -> T {
        let io = self.io.take().expect("present until into_inner");
        self.reactor.deregister(&self.source, io.as_fd());
        io
    }

    /// Waits until the object is readable (or may be: a spurious wake-up is possible).
    pub async fn readable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_ready(Direction::Read, cx).map_ok(drop)).await
    }

    /// Waits until the object is writable (or may be).
    pub async fn writable(&self) -> io::Result<()> {
        poll_fn(|cx| self.poll_ready(Direction::Write, cx).map_ok(drop)).await
    }

    /// Ready in `dir` (with the event tick seen), or an error once the reactor's runtime has
    /// closed (the readiness word says so: the ready path stays one atomic load, and a
    /// waiter racing the close sees it or is woken by it; see `readiness.rs`).
    fn poll_ready(&self, dir: Direction, cx: &mut Context<'_>) -> Poll<io::Result<Tick>> {
        self.source.readiness.poll_ready(dir, cx).map_err(|Closed| {
            io::Error::other(
                "the weft runtime this I/O object was registered with has closed; \
                 make a new one in a running runtime (or outside any runtime)",
            )
        })
    }

    /// Runs a non-blocking read operation until it does not return `WouldBlock`, waiting for
    /// readability in between.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_with(Direction::Read, cx, &mut op)).await
    }

    /// The poll form of [`read_with`](Async::read_with), for hand-written futures and
    /// streams: `Pending` once `op` returned `WouldBlock` and the waker is registered.
    pub fn poll_read_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_with(Direction::Read, cx, &mut op)
    }

    /// The poll form of [`write_with`](Async::write_with).
    pub fn poll_write_with<R>(
        &self,
        cx: &mut Context<'_>,
        mut op: impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_with(Direction::Write, cx, &mut op)
    }

    /// A stream read of up to `len` bytes by `op` (on a pipe or a stream socket, where the
    /// kernel transfers all it can): like [`poll_read_with`](Async::poll_read_with), and a
    /// read shorter than `len` (but not zero) also clears readiness, saving the syscall that
    /// would only return `WouldBlock` (see `poll_stream`). Not for datagrams or regular files.
    pub fn poll_read_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_stream(Direction::Read, cx, len, &mut op)
    }

    /// The write side of [`poll_read_stream`](Async::poll_read_stream): a write shorter
    /// than `len` means the kernel's buffer is full, and clears readiness.
    pub fn poll_write_stream(
        &self,
        cx: &mut Context<'_>,
        len: usize,
        mut op: impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_stream(Direction::Write, cx, len, &mut op)
    }

    /// Like [`read_with`](Async::read_with), with mutable access.
    pub async fn read_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        poll_fn(|cx| self.poll_with_mut(Direction::Read, cx, &mut op)).await
    }

    /// Runs a non-blocking write operation until it does not return `WouldBlock`, waiting for
    /// writability in between.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        poll_fn(|cx| self.poll_with(Direction::Write, cx, &mut op)).await
    }

    /// Like [`write_with`](Async::write_with), with mutable access.
    pub async fn write_with_mut<R>(
        &mut self,
        mut op: impl FnMut(&mut T) -> io::Result<R>,
    ) -> io::Result<R> {
        poll_fn(|cx| self.poll_with_mut(Direction::Write, cx, &mut op)).await
    }

    /// Tries `op`; on `WouldBlock` clears readiness (unless an event came meanwhile) and waits.
    pub(crate) fn poll_with<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: &mut impl FnMut(&T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        self.poll_with_drained(dir, cx, op, |_| false)
    }

    /// A stream socket's read or write of `len` bytes: like [`poll_with`](Async::poll_with),
    /// and a transfer shorter than `len` (but not zero) also clears readiness. A short read
    /// drained the socket's receive buffer and a short write filled its send buffer, so the
    /// next operation would only hit `WouldBlock`: this saves that syscall (edge mode reports
    /// the next change, and the tick keeps an event that came meanwhile). Not after a hang-up:
    /// a short read may stop just before the peer's FIN. Only for stream sockets, where the
    /// kernel transfers all it can: not for datagrams or files.
    pub(crate) fn poll_stream(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        len: usize,
        op: &mut impl FnMut(&T) -> io::Result<usize>,
    ) -> Poll<io::Result<usize>> {
        self.poll_with_drained(dir, cx, op, |&n| n > 0 && n < len)
    }

    /// [`poll_with`](Async::poll_with), and readiness is also cleared (as by a short stream
    /// transfer, see `poll_stream`) when `drained` says the operation's result left nothing
    /// to transfer.
    pub(crate) fn poll_with_drained<R>(
        &self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: &mut impl FnMut(&T) -> io::Result<R>,
        drained: impl Fn(&R) -> bool,
    ) -> Poll<io::Result<R>> {
        loop {
            let tick = std::task::ready!(self.poll_ready(dir, cx))?;
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.source.readiness.clear_ready(dir, tick);
                }
                Ok(r) => {
                    if drained(&r) {
                        self.source.readiness.clear_drained(dir, tick);
                    }
                    return Poll::Ready(Ok(r));
                }
                result => return Poll::Ready(result),
            }
        }
    }

    fn poll_with_mut<R>(
        &mut self,
        dir: Direction,
        cx: &mut Context<'_>,
        op: &mut impl FnMut(&mut T) -> io::Result<R>,
    ) -> Poll<io::Result<R>> {
        loop {
            let tick = std::task::ready!(self.poll_ready(dir, cx))?;
            match op(self.get_mut()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    self.source.readiness.clear_ready(dir, tick);
                }
                result => return Poll::Ready(result),
            }
        }
    }
}

// The inner object is never pinned: it is only used through `&T` / `&mut T`.
impl<T: AsFd> Unpin for Async<T> {}

fn set_nonblocking(fd: BorrowedFd<'_>) -> io::Result<()> {
    let raw = fd.as_raw_fd();
    // SAFETY: fcntl on a valid, borrowed descriptor; F_GETFL/F_SETFL touch only its flags.
    let flags = unsafe { libc::fcntl(raw, libc::F_GETFL) };
    if flags < 0 {
        return Err(io::Error::last_os_error());
    }
    if flags & libc::O_NONBLOCK == 0 {
        // SAFETY: as above.
        let r = unsafe { libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

impl<T: AsFd> Drop for Async<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            // Deregister first, then close the fd (dropping `io`): the poller never sees a
            // reused descriptor.
            self.reactor.deregister(&self.source, io.as_fd());
            drop(io);
        }
    }
}

impl<T: AsFd> AsFd for Async<T> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.get_ref().as_fd()
    }
}

impl<T: AsFd + fmt::Debug> fmt::Debug for Async<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Async").field("io", &self.io).finish()
    }
}

impl<T: AsFd + Read> futures_io::AsyncRead for Async<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with_mut(Direction::Read, cx, &mut |io| io.read(buf))
    }
}

impl<T: AsFd + Write> futures_io::AsyncWrite for Async<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with_mut(Direction::Write, cx, &mut |io| io.write(buf))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_with_mut(Direction::Write, cx, &mut |io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

impl<T: AsFd> futures_io::AsyncRead for &Async<T>
where
    for<'a> &'a T: Read,
{
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with(Direction::Read, cx, &mut |mut io| io.read(buf))
    }
}

impl<T: AsFd> futures_io::AsyncWrite for &Async<T>
where
    for<'a> &'a T: Write,
{
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.poll_with(Direction::Write, cx, &mut |mut io| io.write(buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_with(Direction::Write, cx, &mut |mut io| io.flush())
    }

    fn poll_close(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}
