//! loom model of I/O readiness (`weft-io/src/readiness.rs`): an event arriving while a task
//! tries its operation, clears readiness on `WouldBlock`, and registers its waker. No
//! interleaving may leave the data unread with the task asleep and unwoken.
#![cfg(weft_loom)]

mod support;

use loom::sync::Arc;
use loom::sync::atomic::{AtomicBool, Ordering};
use loom::thread;
use std::task::{Context, Poll};
use support::{READABLE, counting_waker};
use weft_io::readiness::{Direction, IoEvent, Readiness};

const WRITABLE: IoEvent = IoEvent {
    readable: false,
    writable: true,
    read_hup: false,
    write_hup: false,
};

/// These models are small enough to explore without CI's preemption bound, so they do.
fn exhaustive(f: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = None;
    builder.check(f);
}

#[test]
fn an_event_during_a_would_block_is_never_lost() {
    exhaustive(|| {
        let readiness = Arc::new(Readiness::new());
        let data = Arc::new(AtomicBool::new(false));
        // The reactor: data arrives, then the edge event fires and wakes the waiter.
        let reactor = {
            let (readiness, data) = (readiness.clone(), data.clone());
            thread::spawn(move || {
                data.store(true, Ordering::SeqCst);
                let mut wakers = Vec::new();
                readiness.fire(READABLE, &mut wakers);
                for w in wakers {
                    w.wake();
                }
            })
        };
        // The task: `read_with`'s loop, one pass until it would sleep or got the data.
        let (woken, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut trace = Vec::new();
        let got = loop {
            let Poll::Ready(Ok(tick)) = readiness.poll_ready(Direction::Read, &mut cx) else {
                trace.push("pending".to_string());
                break false; // asleep until woken
            };
            // The simulated read (the task is the only consumer). A load, not a swap: loom
            // 0.7 mis-orders a swap with an earlier store seen through a mutex (a probe model
            // showed it), and the data is not the protocol under test.
            let had = data.load(Ordering::SeqCst);
            if had {
                data.store(false, Ordering::SeqCst);
            }
            trace.push(format!("ready tick={tick:?} had={had}"));
            if had {
                break true;
            }
            readiness.clear_ready(Direction::Read, tick); // WouldBlock
        };
        reactor.join().unwrap();
        let was_woken = woken.0.load(Ordering::SeqCst) > 0;
        // A task that returned Pending sleeps until its waker is called: being "ready" again
        // afterwards does not help it.
        assert!(
            got || was_woken,
            "the data arrived, but the task sleeps unwoken (got {got}, woken {was_woken}, data {}, trace {trace:?})",
            data.load(Ordering::SeqCst),
        );
    });
}

/// A reader waits while the reactor reports a write event and then a read event on the same
/// source: the write event bumps the shared tick (the reader's clear is skipped, it retries),
/// and the read event must still reach the reader: it reads the data or is woken.
#[test]
fn events_in_both_directions_reach_the_reader() {
    exhaustive(|| {
        let readiness = Arc::new(Readiness::new());
        let data = Arc::new(AtomicBool::new(false));
        let reactor = {
            let (readiness, data) = (readiness.clone(), data.clone());
            thread::spawn(move || {
                let mut wakers = Vec::new();
                readiness.fire(WRITABLE, &mut wakers);
                data.store(true, Ordering::SeqCst);
                readiness.fire(READABLE, &mut wakers);
                for w in wakers {
                    w.wake();
                }
            })
        };
        let (woken, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut tries = 0;
        let got = loop {
            let Poll::Ready(Ok(tick)) = readiness.poll_ready(Direction::Read, &mut cx) else {
                break false;
            };
            tries += 1;
            assert!(tries <= 3, "the reader kept retrying without an event");
            if data.load(Ordering::SeqCst) {
                break true;
            }
            readiness.clear_ready(Direction::Read, tick);
        };
        reactor.join().unwrap();
        let was_woken = woken.0.load(Ordering::SeqCst) > 0;
        assert!(
            got || was_woken,
            "the read event was lost: the reader sleeps unwoken (got {got}, woken {was_woken})"
        );
        // The writer direction was never cleared: still ready.
        assert!(readiness.poll_ready(Direction::Write, &mut cx).is_ready());
    });
}

/// A stream read comes back short (the buffer drained) while the peer's FIN arrives: the FIN's
/// event (readable + hang-up) may fire before the short read, so the short read must not clear
/// readiness, or the reader would wait forever for an edge that already came instead of
/// reading the end of the stream.
#[test]
fn a_short_read_never_hides_the_end_of_the_stream() {
    exhaustive(|| {
        let readiness = Arc::new(Readiness::new());
        let fin = Arc::new(AtomicBool::new(false));
        // The reader runs on a thread of its own, like the reactor, so loom schedules the two
        // symmetrically (with the reader on the model's main thread, the order "whole event
        // first" was never explored).
        let reader = {
            let (readiness, fin) = (readiness.clone(), fin.clone());
            thread::spawn(move || {
                let (woken, waker) = counting_waker();
                let mut cx = Context::from_waker(&waker);
                let mut reads = 0;
                let eof = loop {
                    let Poll::Ready(Ok(tick)) = readiness.poll_ready(Direction::Read, &mut cx)
                    else {
                        break false;
                    };
                    reads += 1;
                    assert!(reads <= 4, "the reader kept retrying without an event");
                    if reads == 1 {
                        // The data already buffered, shorter than the reader's buffer.
                        readiness.clear_drained(Direction::Read, tick);
                    } else if fin.load(Ordering::SeqCst) {
                        break true; // read returned 0: end of stream
                    } else {
                        readiness.clear_ready(Direction::Read, tick); // WouldBlock
                    }
                };
                (eof, woken, reads)
            })
        };
        fin.store(true, Ordering::SeqCst);
        let mut wakers = Vec::new();
        let event = IoEvent {
            read_hup: true,
            ..READABLE
        };
        readiness.fire(event, &mut wakers);
        for w in wakers {
            w.wake();
        }
        let (eof, woken, reads) = reader.join().unwrap();
        let was_woken = woken.0.load(Ordering::SeqCst) > 0;
        assert!(
            eof || was_woken,
            "the FIN arrived, but the reader sleeps unwoken (reads {reads})"
        );
    });
}
