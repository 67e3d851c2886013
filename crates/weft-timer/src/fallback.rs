//! The process-wide fallback driver: one thread, `weft-fallback`, that drives the timers and
//! the I/O of everything used outside any weft runtime (under another executor, or after a
//! runtime closed). It is started on first use and parks forever in a `TimerDriver` over a
//! [`FallbackPark`].
//!
//! `FallbackPark` is a [`ThreadPark`] until an I/O layer is attached (weft-io attaches its
//! fallback reactor's driver the first time a socket needs it), and that layer from then on, so
//! timers and I/O share the one thread whichever is used first.
//!
//! # Invariants (no lost unpark across the switch)
//!
//! - `attach` sets the I/O unparker and the pending I/O layer together under one lock, then
//!   unparks the thread park. `unpark` reads the I/O unparker under that lock: it sees none (and
//!   unparks the thread park) only if it took the lock before `attach` did.
//! - The park that takes the I/O layer over returns at once instead of sleeping (a spurious
//!   wake-up, which every `Park` caller allows). So an unpark that chose the thread park just
//!   before the switch is still served: whatever its caller changed before unparking happened
//!   before `attach`'s lock, hence before the switch, and the driver looks again after it.
//! - Every later unpark goes to the I/O layer, which keeps it until its next park.
//!
//! The loom model `timer::fallback_attach_never_loses_an_unpark` checks this.

use crate::park::ThreadPark;
use crate::sync::Mutex;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use weft_core::scheduler::{Park, Unpark};

/// The innermost layer of the fallback driver: a thread park until an I/O layer is attached.
pub struct FallbackPark {
    thread: ThreadPark,
    io: Option<Box<dyn Park>>,
    shared: Arc<Attach>,
}

/// What `attach` hands over, and the unparker every clone of the driver's unparker uses.
pub struct Attach {
    state: Mutex<AttachState>,
    thread_unpark: Arc<dyn Unpark>,
}

#[derive(Default)]
struct AttachState {
    /// The attached layer until the fallback thread takes it.
    pending: Option<Box<dyn Park>>,
    /// The attached layer's unparker, set once.
    io_unpark: Option<Arc<dyn Unpark>>,
}

impl Default for FallbackPark {
    fn default() -> FallbackPark {
        FallbackPark::new()
    }
}

impl FallbackPark {
    /// A thread park with no I/O layer yet.
    pub fn new() -> FallbackPark {
        let thread = ThreadPark::new();
        let shared = Arc::new(Attach {
            state: Mutex::new(AttachState::default()),
            thread_unpark: thread.unparker(),
        });
        FallbackPark {
            thread,
            io: None,
            shared,
        }
    }

    /// The handle through which an I/O layer is attached.
    pub fn attacher(&self) -> Arc<Attach> {
        self.shared.clone()
    }
}

impl Attach {
    /// Hands `io` to the parked thread; from now on the thread parks in it. Returns `io` back
    /// if a layer was attached already (there is one fallback I/O layer per process).
    ///
    /// # Errors
    ///
    /// `Err(io)` when another layer was attached first.
    pub fn attach(&self, io: Box<dyn Park>) -> Result<(), Box<dyn Park>> {
        {
            let mut state = self.lock();
            if state.io_unpark.is_some() {
                return Err(io);
            }
            state.io_unpark = Some(io.unparker());
            state.pending = Some(io);
        }
        self.thread_unpark.unpark();
        Ok(())
    }

    fn lock(&self) -> crate::sync::MutexGuard<'_, AttachState> {
        // Nothing panics under this lock.
        self.state.lock()
    }
}

impl Park for FallbackPark {
    fn park(&mut self, timeout: Option<Duration>) {
        if let Some(io) = &mut self.io {
            io.park(timeout);
            return;
        }
        let taken = self.shared.lock().pending.take();
        if let Some(io) = taken {
            // Switch, and return at once: see the module's invariants.
            self.io = Some(io);
            return;
        }
        self.thread.park(timeout);
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        self.shared.clone()
    }
}

impl Unpark for Attach {
    fn unpark(&self) {
        let io = self.lock().io_unpark.clone();
        match io {
            Some(io) => io.unpark(),
            None => self.thread_unpark.unpark(),
        }
    }
}

/// The fallback driver's timer wheel and its I/O attacher, started on first use.
struct Fallback {
    timers: crate::TimerHandle,
    attach: Arc<Attach>,
}

fn get() -> &'static Fallback {
    static FALLBACK: OnceLock<Fallback> = OnceLock::new();
    FALLBACK.get_or_init(|| {
        let park = FallbackPark::new();
        let attach = park.attacher();
        let (mut driver, timers) = crate::TimerDriver::new(Box::new(park), 1);
        std::thread::Builder::new()
            .name("weft-fallback".into())
            .spawn(move || {
                loop {
                    driver.park(None);
                }
            })
            .expect("weft: could not start the fallback driver thread");
        Fallback { timers, attach }
    })
}

/// The fallback driver's timer wheel, for timers outside any weft runtime.
pub fn timers() -> &'static crate::TimerHandle {
    &get().timers
}

/// Makes the fallback thread drive `io` as well (weft-io's fallback reactor). Returns `io`
/// back if an I/O layer was attached already.
///
/// # Errors
///
/// `Err(io)` when another layer was attached first.
pub fn attach_io(io: Box<dyn Park>) -> Result<(), Box<dyn Park>> {
    get().attach.attach(io)
}
