//! loom models of the waiter lists and of close in I/O readiness
//! (`weft-io/src/readiness.rs`): several tasks waiting on one direction of one source are each
//! woken (or see readiness) when their data comes, and a waiter racing the source's close sees
//! closed or is woken by it. Every racing side runs on a spawned thread of its own.
#![cfg(weft_loom)]

mod support;

use loom::sync::atomic::Ordering;
use loom::sync::{Arc, Mutex};
use loom::thread;
use std::task::{Context, Poll};
use support::{Count, READABLE, counting_waker};
use weft_io::readiness::{Closed, Direction, Readiness};

/// How one pass of a task's `read_with` loop ended.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// It took a datagram.
    Got,
    /// It returned `Pending` and sleeps until its waker is called.
    Waiting,
    /// It saw the source closed (an error to the caller).
    Closed,
}

/// One pass of `read_with` on a socket whose queue is `queue` (a count of datagrams; the
/// kernel's queue, under a mutex because it is not the protocol under test): try, clear
/// readiness on `WouldBlock`, wait. Returns how it ended and the task's wake count.
fn receive(readiness: &Readiness, queue: &Mutex<usize>) -> (Outcome, std::sync::Arc<Count>) {
    let (woken, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    let mut tries = 0;
    loop {
        let tick = match readiness.poll_ready(Direction::Read, &mut cx) {
            Poll::Pending => return (Outcome::Waiting, woken),
            Poll::Ready(Err(Closed)) => return (Outcome::Closed, woken),
            Poll::Ready(Ok(tick)) => tick,
        };
        tries += 1;
        assert!(tries <= 4, "the receiver kept retrying without an event");
        {
            let mut queued = queue.lock().unwrap();
            if *queued > 0 {
                *queued -= 1;
                return (Outcome::Got, woken);
            }
        }
        readiness.clear_ready(Direction::Read, tick); // WouldBlock
    }
}

/// Two receivers on one socket (a shared `UdpSocket`, or two acceptors on one listener) wait
/// while two datagrams arrive and the reactor reports them with one edge event. Each receiver
/// must take a datagram or be woken: with one waker slot per direction, the second waiter's
/// waker replaced the first's and the event woke only one of them.
#[test]
fn every_waiter_on_one_direction_is_woken_or_sees_readiness() {
    loom::model(|| {
        let readiness = Arc::new(Readiness::new());
        let queue = Arc::new(Mutex::new(0usize));
        let receivers: Vec<_> = (0..2)
            .map(|_| {
                let (readiness, queue) = (readiness.clone(), queue.clone());
                thread::spawn(move || receive(&readiness, &queue))
            })
            .collect();
        let reactor = {
            let (readiness, queue) = (readiness.clone(), queue.clone());
            thread::spawn(move || {
                *queue.lock().unwrap() += 2;
                let mut wakers = Vec::new();
                readiness.fire(READABLE, &mut wakers);
                for w in wakers {
                    w.wake();
                }
            })
        };
        reactor.join().unwrap();
        for (i, receiver) in receivers.into_iter().enumerate() {
            let (outcome, woken) = receiver.join().unwrap();
            let woken = woken.0.load(Ordering::SeqCst);
            assert!(
                outcome == Outcome::Got || woken > 0,
                "receiver {i} sleeps unwoken with a datagram queued for it ({outcome:?}, \
                 woken {woken}, queued {})",
                *queue.lock().unwrap()
            );
        }
    });
}

/// A task waits on a socket while the runtime that drives it closes: the waiter must see the
/// close (its operation fails) or be woken by it. With the closed flag read outside the
/// waiters' lock, the order "waiter checks the flag, close sets it and takes the wakers,
/// waiter stores its waker" left the waiter asleep for good.
#[test]
fn a_waiter_racing_close_sees_closed_or_is_woken() {
    // Small enough (two threads) to explore without CI's preemption bound.
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(|| {
        let readiness = Arc::new(Readiness::new());
        let queue = Arc::new(Mutex::new(0usize));
        let waiter = {
            let (readiness, queue) = (readiness.clone(), queue.clone());
            thread::spawn(move || receive(&readiness, &queue))
        };
        let closer = {
            let readiness = readiness.clone();
            thread::spawn(move || {
                let mut wakers = Vec::new();
                readiness.close(&mut wakers);
                for w in wakers {
                    w.wake();
                }
            })
        };
        closer.join().unwrap();
        let (outcome, woken) = waiter.join().unwrap();
        let woken = woken.0.load(Ordering::SeqCst);
        assert!(
            outcome == Outcome::Closed || woken > 0,
            "the waiter sleeps unwoken on a closed source ({outcome:?}, woken {woken})"
        );
        // Whatever the order, every later poll sees closed.
        let (outcome, _) = receive(&readiness, &queue);
        assert_eq!(outcome, Outcome::Closed);
    });
}
