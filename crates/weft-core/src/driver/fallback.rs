//! The process-wide fallback driver: one thread, `weft-fallback`, that drives the timers and
//! I/O of everything used outside any weft runtime (under another executor, on a plain thread,
//! or after a runtime closed). It is started on first use and parks forever in a [`Stack`]
//! whose base is a [`ThreadPark`] until an I/O base is attached.
//!
//! weft-core knows neither timers nor I/O: the timer crate adds its wheel as a [`Layer`]
//! ([`add_layer`]) and the I/O crate attaches its reactor as the base ([`attach_base`]), each the
//! first time something outside a runtime needs it, in either order. Both go through one lock,
//! and the thread adopts what was attached at the top of its next park.
//!
//! # Invariants (no lost unpark across the switch)
//!
//! - Every unpark of the fallback driver goes through [`Attach`]'s unparker, which reads the
//!   attached base's unparker under the lock: it finds none (and unparks the thread park)
//!   only if it took the lock before `attach_base` did.
//! - `attach_base` sets that unparker and the pending base together under the lock, then
//!   unparks the thread park, so a thread parked there wakes and adopts the new base.
//! - A park that adopts a new base does not sleep (it parks the stack with a zero timeout: the
//!   layers do their work, the base returns at once). So an unpark that went to the thread
//!   park just before the switch is still served: whatever its caller changed before it
//!   unparked happened before `attach_base` took the lock, hence before the switch, and the
//!   layers look again after it. Every later unpark goes to the new base, which keeps it until
//!   its next park.
//! - A layer added late starts with nothing to do but look: `add_layer` queues it under the
//!   lock and unparks, and the thread pushes it before it parks again.
//!
//! The loom model `loom-tests/tests/fallback.rs` checks the switch racing a timer's unpark.

use super::{Layer, Park, Stack, ThreadPark, Unpark};
use crate::sync::{Mutex, MutexGuard};
use crate::unwind;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The parking side of a fallback driver: the stack, and what was attached to it.
pub struct FallbackDriver {
    stack: Stack,
    attach: Arc<Attach>,
}

/// The attaching side, and the unparker every layer of the fallback driver is given.
pub struct Attach {
    state: Mutex<Pending>,
    thread: ThreadPark,
}

#[derive(Default)]
struct Pending {
    /// An attached base, until the driver adopts it.
    base: Option<Box<dyn Park>>,
    /// The attached base's unparker, set once.
    base_unpark: Option<Arc<dyn Unpark>>,
    /// Layers added, until the driver pushes them.
    layers: Vec<Box<dyn Layer>>,
}

impl FallbackDriver {
    /// A driver parked in a thread park, with nothing attached, and its attacher.
    pub fn new() -> (FallbackDriver, Arc<Attach>) {
        let thread = ThreadPark::new();
        let attach = Arc::new(Attach {
            state: Mutex::new(Pending::default()),
            thread: thread.clone(),
        });
        let driver = FallbackDriver {
            stack: Stack::new(Box::new(thread)),
            attach: attach.clone(),
        };
        (driver, attach)
    }

    /// Takes what was attached since the last park; whether the base changed.
    fn adopt(&mut self) -> bool {
        let (base, layers) = {
            let mut pending = self.attach.lock();
            (pending.base.take(), std::mem::take(&mut pending.layers))
        };
        for layer in layers {
            self.stack.push(layer);
        }
        match base {
            Some(base) => {
                self.stack.set_base(base);
                true
            }
            None => false,
        }
    }
}

impl Park for FallbackDriver {
    fn park(&mut self, timeout: Option<Duration>) {
        // Adopting a new base: do not sleep in this park (see the module's invariants).
        let timeout = if self.adopt() {
            Some(Duration::ZERO)
        } else {
            timeout
        };
        self.stack.park(timeout);
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        self.attach.clone()
    }
}

impl Attach {
    /// Hands `base` (an I/O layer) to the driver; from its next park on it blocks there.
    ///
    /// # Errors
    ///
    /// `Err(base)` when a base was attached already (there is one per fallback driver).
    pub fn attach_base(&self, base: Box<dyn Park>) -> Result<(), Box<dyn Park>> {
        {
            let mut pending = self.lock();
            if pending.base_unpark.is_some() {
                return Err(base);
            }
            pending.base_unpark = Some(base.unparker());
            pending.base = Some(base);
        }
        self.thread.unpark();
        Ok(())
    }

    /// Puts a layer on the driver's stack: `make` gets the driver's unparker and returns the
    /// layer and whatever its user keeps (the timer crate: the wheel's handle).
    pub fn add_layer<R>(
        self: &Arc<Self>,
        make: impl FnOnce(Arc<dyn Unpark>) -> (Box<dyn Layer>, R),
    ) -> R {
        let (layer, kept) = make(self.clone());
        self.lock().layers.push(layer);
        self.unpark();
        kept
    }

    fn lock(&self) -> MutexGuard<'_, Pending> {
        // No user code runs under this lock (making a layer runs before it is taken).
        self.state.lock()
    }
}

impl Unpark for Attach {
    fn unpark(&self) {
        let base = self.lock().base_unpark.clone();
        match base {
            Some(base) => base.unpark(),
            None => self.thread.unpark(),
        }
    }
}

/// The process's fallback driver, started on first use.
fn get() -> &'static Arc<Attach> {
    static FALLBACK: OnceLock<Arc<Attach>> = OnceLock::new();
    FALLBACK.get_or_init(|| {
        let (mut driver, attach) = FallbackDriver::new();
        std::thread::Builder::new()
            .name("weft-fallback".into())
            .spawn(move || {
                loop {
                    // Layers wake user wakers and catch their panics; this is the last line,
                    // so no panic ends the thread every timer and socket outside a runtime
                    // depends on.
                    unwind::guard(|| driver.park(None));
                }
            })
            .expect("weft: could not start the fallback driver thread");
        attach
    })
}

/// Makes the fallback thread block in `base` (the I/O crate's fallback reactor) from now on.
///
/// # Errors
///
/// `Err(base)` when a base was attached already.
pub fn attach_base(base: Box<dyn Park>) -> Result<(), Box<dyn Park>> {
    get().attach_base(base)
}

/// Adds a layer to the fallback thread's stack (the timer crate's fallback wheel); see
/// [`Attach::add_layer`].
pub fn add_layer<R>(make: impl FnOnce(Arc<dyn Unpark>) -> (Box<dyn Layer>, R)) -> R {
    get().add_layer(make)
}
