//! loom models of `weft_sync::watch` (`crates/weft-sync/src/watch.rs`): the version word
//! against `changed`. `changed` makes a `Notified` before it reads the version; a send bumps
//! the version under the value's lock (`Release`) and then calls `notify_waiters`; the
//! sender's drop sets the closed bit and notifies.
//!
//! Checked in every interleaving: a send after the version the receiver saw completes its
//! `changed` (no lost wake-up: a lost one is a deadlock of the receiver's `block_on`), and a
//! `borrow` after it sees the new value; the sender's drop is reported as closed once the
//! newest value was seen.
#![cfg(weft_loom)]

use loom::thread;
use weft_core::block_on;
use weft_sync::watch;

#[test]
fn a_send_racing_changed_completes_it_and_borrow_sees_the_value() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0u32);
        let receiving = thread::spawn(move || {
            block_on(rx.changed()).expect("the sender is alive");
            assert_eq!(
                *rx.borrow(),
                1,
                "changed completed, but borrow saw the old value"
            );
            rx
        });
        let sending = thread::spawn(move || {
            tx.send(1).expect("the receiver is alive");
            tx
        });
        let rx = receiving.join().unwrap();
        // The sender is dropped only after the receiver is done: no closed bit in this model.
        let tx = sending.join().unwrap();
        drop((tx, rx));
    });
}

#[test]
fn a_send_then_the_senders_drop_are_seen_in_order() {
    loom::model(|| {
        let (tx, mut rx) = watch::channel(0u32);
        let receiving = thread::spawn(move || {
            block_on(rx.changed()).expect("the send comes before the close");
            assert_eq!(
                *rx.borrow(),
                1,
                "changed completed, but borrow saw the old value"
            );
            assert!(
                block_on(rx.changed()).is_err(),
                "the sender is gone and the newest value was seen: closed"
            );
        });
        let sending = thread::spawn(move || {
            tx.send(1).expect("the receiver is alive");
            drop(tx);
        });
        receiving.join().unwrap();
        sending.join().unwrap();
    });
}
