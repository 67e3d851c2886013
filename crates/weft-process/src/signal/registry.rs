//! The process-wide part: the delivery counters, the pipe, the installed handlers.

use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::task::{Context, Poll};
use weft_core::sync::Mutex;
use weft_io::Async;

/// Signal numbers below this are accepted (Linux has 1..=64).
pub(crate) const NSIG: usize = 65;

/// Deliveries per signal number, counted by the handler.
static DELIVERED: [AtomicU64; NSIG] = [const { AtomicU64::new(0) }; NSIG];

/// The pipe's write end, for the handler (`-1` until the pipe exists).
static WRITE_FD: AtomicI32 = AtomicI32::new(-1);

pub(crate) struct Globals {
    read: Async<UnixStream>,
    /// Kept open for the life of the process (the handler writes to its descriptor).
    _write: UnixStream,
    installed: Mutex<[bool; NSIG]>,
}

/// The pipe and the handler table, made on first use.
pub(crate) fn globals() -> io::Result<&'static Globals> {
    static GLOBALS: OnceLock<Globals> = OnceLock::new();
    if let Some(globals) = GLOBALS.get() {
        return Ok(globals);
    }
    let (read, write) = UnixStream::pair()?;
    write.set_nonblocking(true)?;
    let made = Globals {
        read: Async::new_fallback(read)?,
        _write: write,
        installed: Mutex::new([false; NSIG]),
    };
    // Whoever loses a race drops its pair; only the winner's write end is published.
    let _ = GLOBALS.set(made);
    let globals = GLOBALS.get().expect("set above");
    // Release: pairs with the handler's Acquire load (the handler is installed after this).
    WRITE_FD.store(globals._write.as_raw_fd(), Ordering::Release);
    Ok(globals)
}

impl Globals {
    /// Installs the process-wide handler of `signum` once.
    pub(crate) fn install(&self, signum: i32) -> io::Result<()> {
        let index = usize::try_from(signum).expect("checked by the caller");
        // Nothing panics under this lock.
        let mut installed = self.installed.lock();
        if installed[index] {
            return Ok(());
        }
        // SAFETY: the action is async-signal-safe: an atomic add, an atomic load, one
        // `write(2)` to a non-blocking descriptor, and saving/restoring errno around it; it
        // allocates nothing, takes no lock and never panics.
        unsafe { signal_hook_registry::register(signum, move || on_signal(index)) }.map_err(
            |e| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("signal {signum} cannot be listened to: {e}"),
                )
            },
        )?;
        installed[index] = true;
        Ok(())
    }

    /// Drains the pipe and waits for its next byte: `Pending` with the waker registered.
    pub(crate) fn poll_wait(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.read.poll_read_with(cx, |mut pipe| {
            let mut buf = [0u8; 64];
            loop {
                match pipe.read(&mut buf) {
                    Ok(0) => return Err(io::Error::other("the signal pipe closed")),
                    Ok(_) => {}
                    // WouldBlock: the pipe is drained, and this waits for the next byte.
                    Err(e) => return Err(e),
                }
            }
        })
    }
}

/// Deliveries of `signum` so far.
pub(crate) fn delivered(index: usize) -> u64 {
    // Acquire: pairs with the handler's Release add.
    DELIVERED[index].load(Ordering::Acquire)
}

/// The handler: runs in signal context.
fn on_signal(index: usize) {
    let saved = errno::get();
    // Release: pairs with the Acquire load in `delivered`.
    DELIVERED[index].fetch_add(1, Ordering::Release);
    // Acquire: pairs with the Release store in `globals`.
    let fd = WRITE_FD.load(Ordering::Acquire);
    if fd >= 0 {
        let byte = 1u8;
        // SAFETY: `fd` is the open, non-blocking write end kept for the life of the process;
        // the buffer is one valid byte. A full pipe (EAGAIN) is fine: the counter carries the
        // delivery, and a byte is already waiting to wake the listeners.
        let _ = unsafe { libc::write(fd, (&raw const byte).cast(), 1) };
    }
    errno::set(saved);
}

/// errno, saved and restored around the handler's `write` (the interrupted code may be about
/// to read it).
mod errno {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: always valid for the calling thread.
        unsafe { libc::__errno_location() }
    }

    #[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
    fn location() -> *mut libc::c_int {
        // SAFETY: always valid for the calling thread.
        unsafe { libc::__error() }
    }

    pub(super) fn get() -> libc::c_int {
        // SAFETY: the thread's errno, a valid int.
        unsafe { *location() }
    }

    pub(super) fn set(value: libc::c_int) {
        // SAFETY: as above.
        unsafe { *location() = value }
    }
}
