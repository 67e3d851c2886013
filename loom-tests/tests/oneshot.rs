//! loom models of `weft_core::oneshot`: send vs receive vs drop on either side.
//!
//! Checked in every interleaving: a sent value is received exactly once or given back to the
//! sender (when the receiver is gone), never lost and never dropped twice; a receiver whose
//! sender is dropped resolves to `RecvError`; a waiting receiver is always woken.
#![cfg(weft_loom)]

use loom::sync::Arc;
use loom::sync::atomic::{AtomicUsize, Ordering};
use loom::thread;
use weft_core::block_on;
use weft_core::oneshot;

/// Counts its drops.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn send_races_with_a_waiting_receiver() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<usize>();
        let sender = thread::spawn(move || tx.send(7).unwrap());
        assert_eq!(block_on(rx), Ok(7));
        sender.join().unwrap();
    });
}

#[test]
fn sender_drop_races_with_a_waiting_receiver() {
    loom::model(|| {
        let (tx, rx) = oneshot::channel::<usize>();
        let sender = thread::spawn(move || drop(tx));
        assert_eq!(block_on(rx), Err(oneshot::RecvError));
        sender.join().unwrap();
    });
}

#[test]
fn send_races_with_receiver_drop_and_the_value_is_dropped_once() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = oneshot::channel::<Counted>();
        let value = Counted(drops.clone());
        let sender = thread::spawn(move || {
            // Either delivered (the receiver's drop drops it) or handed back (dropped here).
            let _ = tx.send(value);
        });
        drop(rx);
        sender.join().unwrap();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}
