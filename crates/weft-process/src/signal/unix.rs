//! Unix signals by kind: [`signal`] makes a [`Signal`] listener.

use super::registry::{self, Globals, NSIG};
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::task::{Context, Poll};
use weft_core::coop;

/// Which signal to listen to.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SignalKind(i32);

impl SignalKind {
    /// SIGINT (Ctrl-C).
    pub const fn interrupt() -> SignalKind {
        SignalKind(libc::SIGINT)
    }
    /// SIGTERM (a polite request to stop).
    pub const fn terminate() -> SignalKind {
        SignalKind(libc::SIGTERM)
    }
    /// SIGHUP (the terminal went away; often "reload the configuration").
    pub const fn hangup() -> SignalKind {
        SignalKind(libc::SIGHUP)
    }
    /// SIGQUIT.
    pub const fn quit() -> SignalKind {
        SignalKind(libc::SIGQUIT)
    }
    /// SIGUSR1.
    pub const fn user_defined1() -> SignalKind {
        SignalKind(libc::SIGUSR1)
    }
    /// SIGUSR2.
    pub const fn user_defined2() -> SignalKind {
        SignalKind(libc::SIGUSR2)
    }
    /// SIGCHLD (a child process stopped or exited).
    pub const fn child() -> SignalKind {
        SignalKind(libc::SIGCHLD)
    }
    /// SIGWINCH (the terminal was resized).
    pub const fn window_change() -> SignalKind {
        SignalKind(libc::SIGWINCH)
    }
    /// Any signal by number; [`signal`] refuses the ones that cannot be listened to.
    pub const fn from_raw(signum: i32) -> SignalKind {
        SignalKind(signum)
    }
    /// The signal's number.
    pub const fn as_raw(self) -> i32 {
        self.0
    }
}

impl fmt::Debug for SignalKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SignalKind({})", self.0)
    }
}

/// Signals a program must not catch: the kernel's own (`SIGKILL`, `SIGSTOP`) and faults, whose
/// handler returning would run the faulting instruction again.
const FORBIDDEN: [i32; 6] = [
    libc::SIGKILL,
    libc::SIGSTOP,
    libc::SIGSEGV,
    libc::SIGILL,
    libc::SIGFPE,
    libc::SIGBUS,
];

/// Listens to `kind`: the [`Signal`] sees every delivery from now on.
///
/// ```
/// use weft::signal::unix::{SignalKind, signal};
///
/// weft::run(async {
///     let mut usr1 = signal(SignalKind::user_defined1())?;
///     let me = std::process::id() as i32;
///     // SAFETY: raising a signal at our own process, which now listens to it.
///     unsafe { libc::kill(me, libc::SIGUSR1) };
///     usr1.recv().await;
///     Ok::<(), std::io::Error>(())
/// })?;
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// From the first listener on, the signal's default action (ending the process, for most) no
/// longer happens; it is delivered to the listeners instead.
///
/// # Errors
///
/// `InvalidInput` for a signal that cannot be listened to (`SIGKILL`, `SIGSTOP`, `SIGSEGV`,
/// `SIGILL`, `SIGFPE`, `SIGBUS`, or a number that is no signal); the OS error when the
/// signal pipe cannot be made.
pub fn signal(kind: SignalKind) -> io::Result<Signal> {
    let signum = kind.0;
    let valid = usize::try_from(signum).is_ok_and(|n| (1..NSIG).contains(&n));
    if !valid || FORBIDDEN.contains(&signum) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "signal {signum} cannot be listened to (SIGKILL, SIGSTOP and the fault signals \
                 SIGSEGV, SIGILL, SIGFPE, SIGBUS cannot be handled; valid numbers are 1 to {})",
                NSIG - 1
            ),
        ));
    }
    let globals = registry::globals()?;
    globals.install(signum)?;
    let index = usize::try_from(signum).expect("checked above");
    Ok(Signal {
        kind,
        index,
        seen: registry::delivered(index),
        globals,
    })
}

/// A listener for one signal kind; from [`signal`].
pub struct Signal {
    kind: SignalKind,
    index: usize,
    /// The delivery count this listener last saw.
    seen: u64,
    globals: &'static Globals,
}

impl Signal {
    /// Waits for the next delivery of the signal. Several deliveries before a `recv` may merge
    /// into one. Returns `Some(())` for a delivery (`None` is kept for a listener that can
    /// receive no more, which today never happens).
    pub async fn recv(&mut self) -> Option<()> {
        poll_fn(|cx| self.poll_recv(cx)).await
    }

    /// The poll form of [`recv`](Signal::recv).
    pub fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<()>> {
        let coop = std::task::ready!(coop::poll_proceed(cx));
        let index = self.index;
        let globals = self.globals;
        let poll = poll_delivery(
            &mut self.seen,
            || registry::delivered(index),
            cx,
            |cx| globals.poll_wait(cx),
        );
        if poll.is_ready() {
            coop.made_progress();
        }
        poll
    }

    /// The kind this listens to.
    pub fn kind(&self) -> SignalKind {
        self.kind
    }
}

/// One poll of a listener: a delivery since `seen` (which it then records), or wait on the
/// pipe (`wait` drains it and registers the waker, `Pending`) and look at the count again.
/// The loom model `loom-tests/tests/signal.rs` drives this very function.
pub(crate) fn poll_delivery(
    seen: &mut u64,
    delivered: impl Fn() -> u64,
    cx: &mut Context<'_>,
    mut wait: impl FnMut(&mut Context<'_>) -> Poll<io::Result<()>>,
) -> Poll<Option<()>> {
    let mut take = || {
        let now = delivered();
        if now == *seen {
            return false;
        }
        *seen = now;
        true
    };
    loop {
        if take() {
            return Poll::Ready(Some(()));
        }
        match wait(cx) {
            Poll::Pending => {
                // Registered: a delivery another listener's drain took after our look is seen
                // now, one after this look wakes us.
                return if take() {
                    Poll::Ready(Some(()))
                } else {
                    Poll::Pending
                };
            }
            // The fallback reactor never closes; a pipe error means no more deliveries.
            Poll::Ready(Err(_)) => return Poll::Ready(None),
            Poll::Ready(Ok(())) => {}
        }
    }
}

impl fmt::Debug for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signal").field("kind", &self.kind).finish()
    }
}
