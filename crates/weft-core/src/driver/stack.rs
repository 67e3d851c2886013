//! A driver stack: one base that blocks (the I/O reactor, or a thread parker) under layers
//! that wrap each park (the timer wheel). A layer does its work before and after the park
//! below it and may shorten its timeout (the next deadline) or skip it (it already has work
//! to hand back), so no layer owns another and core knows none of them.
//!
//! A stack's unparker is its base's: a layer that needs to interrupt a park (a timer armed
//! earlier than the one the stack sleeps towards) is given that unparker when it is made.

use super::{Park, Unpark};
use std::sync::Arc;
use std::time::Duration;

/// A layer of a driver stack: wraps every park of the layers and base below it.
pub trait Layer: Send + 'static {
    /// One park of the stack from this layer down: do this layer's work, park `below` (or not,
    /// if there is work to go back to at once), do this layer's work again. `timeout` is the
    /// caller's limit; `below` must not be parked past it.
    fn park(&mut self, below: &mut Below<'_>, timeout: Option<Duration>);
}

/// What lies under a layer: the rest of the stack.
pub struct Below<'a> {
    layers: &'a mut [Box<dyn Layer>],
    base: &'a mut dyn Park,
}

impl Below<'_> {
    /// Parks the layers below and then the base, for at most `timeout` (`None`: no limit).
    pub fn park(&mut self, timeout: Option<Duration>) {
        park_in(self.layers, self.base, timeout);
    }
}

fn park_in(layers: &mut [Box<dyn Layer>], base: &mut dyn Park, timeout: Option<Duration>) {
    match layers.split_last_mut() {
        None => base.park(timeout),
        Some((outer, rest)) => outer.park(&mut Below { layers: rest, base }, timeout),
    }
}

/// A base and the layers over it, parked as one [`Park`].
pub struct Stack {
    base: Box<dyn Park>,
    /// Innermost first.
    layers: Vec<Box<dyn Layer>>,
}

impl Stack {
    /// A stack of just `base`.
    pub fn new(base: Box<dyn Park>) -> Stack {
        Stack {
            base,
            layers: Vec::new(),
        }
    }

    /// Puts `layer` on top: it wraps every layer pushed before it.
    pub fn push(&mut self, layer: Box<dyn Layer>) {
        self.layers.push(layer);
    }

    /// The base's unparker: makes a park of the stack in progress (or the next one) return.
    pub fn unparker(&self) -> Arc<dyn Unpark> {
        self.base.unparker()
    }

    /// Replaces the base (the fallback thread's switch to an I/O layer); the old one is
    /// dropped.
    pub(crate) fn set_base(&mut self, base: Box<dyn Park>) {
        self.base = base;
    }
}

impl Park for Stack {
    fn park(&mut self, timeout: Option<Duration>) {
        park_in(&mut self.layers, &mut *self.base, timeout);
    }

    fn unparker(&self) -> Arc<dyn Unpark> {
        Stack::unparker(self)
    }
}
