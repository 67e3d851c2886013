//! Cheap per-thread random numbers, for choices that only need to be unpredictable enough to be
//! fair (`select!`'s branch order). Not for anything secret.
//!
//! The state is a xorshift32 word in this thread's context, seeded on first use from a global
//! counter (a Weyl sequence, so two threads start apart) mixed with the context's address.

use crate::context;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};

/// A number in `0..n` (`n` must be at least 1).
pub fn below(n: u32) -> u32 {
    debug_assert!(n > 0, "rand::below(0)");
    let x = context::with(|c| {
        let mut x = c.rng.get();
        if x == 0 {
            x = seed(c as *const _ as usize);
        }
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c.rng.set(x);
        x
    })
    // Thread-locals being destroyed: any start will do.
    .unwrap_or(0);
    // Multiply-shift: uniform enough, and no division.
    ((u64::from(x) * u64::from(n)) >> 32) as u32
}

fn seed(address: usize) -> u32 {
    // Relaxed: only distinctness matters, no other memory is published through it.
    static NEXT: AtomicU32 = AtomicU32::new(0x9E37_79B9);
    let weyl = NEXT.fetch_add(0x9E37_79B9, Relaxed);
    let mixed = weyl ^ (address as u32).wrapping_mul(0x85EB_CA6B);
    mixed | 1
}
