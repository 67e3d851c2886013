//! loom models of weft-sync's `mpsc` channels (`crates/weft-sync/src/mpsc/`: the lock-free
//! block queue, the receiver's `AtomicWaker`, the sender count, close): sends racing a receiver
//! that waits, the last sender's drop, `close` and the receiver's drop.
//!
//! Under loom a block holds 2 values, so three or four values already cross a block boundary:
//! senders link new blocks and move the tail block on, and the receiver frees the old ones.
//!
//! Checked in every interleaving: the receiver is never left asleep with a value or the end of
//! the stream to see (a lost wake-up is a deadlock, which loom reports); every value is received
//! exactly once, in its sender's order, or handed back to its sender; a value the receiver never
//! takes is dropped exactly once.
#![cfg(weft_loom)]

mod support;

use loom::thread;
use support::{DropCounter, count, counter};
use weft_core::block_on;
use weft_sync::mpsc;

#[test]
fn a_value_sent_while_the_receiver_waits_wakes_it() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let receiver = thread::spawn(move || block_on(rx.recv()));
        let sender = thread::spawn(move || tx.send(7).unwrap());
        sender.join().unwrap();
        assert_eq!(receiver.join().unwrap(), Some(7));
    });
}

#[test]
fn two_senders_across_a_block_boundary_deliver_everything_in_order_then_the_end() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let tx2 = tx.clone();
        let a = thread::spawn(move || {
            tx.send((0, 0)).unwrap();
            tx.send((0, 1)).unwrap();
        });
        let b = thread::spawn(move || tx2.send((1, 0)).unwrap());
        // Three values: the third index is in the second block.
        let receiver = thread::spawn(move || {
            block_on(async {
                let mut got = Vec::new();
                while let Some(v) = rx.recv().await {
                    got.push(v);
                }
                got
            })
        });
        a.join().unwrap();
        b.join().unwrap();
        let got = receiver.join().unwrap();
        assert_eq!(got.len(), 3, "got {got:?}");
        let zeros: Vec<_> = got.iter().filter(|(s, _)| *s == 0).collect();
        assert_eq!(zeros, [&(0, 0), &(0, 1)], "sender 0 out of order: {got:?}");
    });
}

#[test]
fn blocks_the_receiver_left_are_freed_while_the_sender_walks_past_them() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        // Five values: three blocks. The sender moving the tail block on races the receiver
        // freeing the blocks it has left.
        let sender = thread::spawn(move || {
            for i in 0..5 {
                tx.send(i).unwrap();
            }
        });
        let receiver = thread::spawn(move || {
            block_on(async {
                let mut got = Vec::new();
                while let Some(v) = rx.recv().await {
                    got.push(v);
                }
                got
            })
        });
        sender.join().unwrap();
        assert_eq!(receiver.join().unwrap(), [0, 1, 2, 3, 4]);
    });
}

#[test]
fn a_full_channel_hands_the_slot_the_receiver_frees_to_the_waiting_send() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::channel(1);
        let sender = thread::spawn(move || {
            block_on(async {
                tx.send(1).await.unwrap();
                tx.send(2).await.unwrap(); // waits until the receiver takes 1
            })
        });
        let receiver = thread::spawn(move || {
            block_on(async { (rx.recv().await, rx.recv().await, rx.recv().await) })
        });
        sender.join().unwrap();
        let got = receiver.join().unwrap();
        assert_eq!(got, (Some(1), Some(2), None));
    });
}

#[test]
fn a_send_racing_close_is_received_or_handed_back_never_lost() {
    loom::model(|| {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let sender = thread::spawn(move || tx.send(5).err().map(|e| e.0));
        // Both sides on spawned threads (docs/loom.md: a side on the model's main thread misses
        // orders).
        let receiver = thread::spawn(move || {
            rx.close();
            block_on(async { (rx.recv().await, rx.recv().await) })
        });
        let handed_back = sender.join().unwrap();
        let received = receiver.join().unwrap();
        match (received, handed_back) {
            ((Some(5), None), None) | ((None, None), Some(5)) => {}
            other => panic!("the value must be received or handed back, once: {other:?}"),
        }
    });
}

#[test]
fn a_receiver_dropped_while_a_send_races_it_drops_the_value_exactly_once() {
    loom::model(|| {
        let drops = counter();
        let (tx, rx) = mpsc::channel(2);
        let sender = {
            let drops = drops.clone();
            thread::spawn(move || {
                // Sent and then dropped by the receiver's drop (or with the channel), or
                // handed back and dropped here.
                let _ = tx.try_send(DropCounter(drops.clone()));
                let _ = tx.try_send(DropCounter(drops));
            })
        };
        let receiver = thread::spawn(move || drop(rx));
        sender.join().unwrap();
        receiver.join().unwrap();
        assert_eq!(count(&drops), 2);
    });
}
