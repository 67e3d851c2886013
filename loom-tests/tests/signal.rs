//! loom model of a signal delivery reaching its listeners (`weft-process/src/signal/`): the
//! handler bumps the signal's counter, then writes a byte to the pipe and the reactor fires
//! the pipe's readiness; two listeners each look at the counter, drain the pipe and wait on
//! its readiness (`poll_delivery`, the shipped function). Each must see the delivery or be
//! woken: one listener's drain may take the byte the other would have waited for.
#![cfg(weft_loom)]

mod support;

use loom::sync::atomic::{AtomicU64, Ordering};
use loom::sync::{Arc, Mutex};
use loom::thread;
use std::io;
use std::task::{Context, Poll};
use support::{READABLE, counting_waker};
use weft_io::readiness::{Closed, Direction, Readiness};
use weft_process::loom_internals::poll_delivery;

/// The pipe's read end as `Async::poll_read_with` drives it: wait for readiness, drain the
/// bytes, clear readiness on `WouldBlock` (unless an event came meanwhile), and wait again.
fn drain_and_wait(
    readiness: &Readiness,
    bytes: &Mutex<usize>,
    cx: &mut Context<'_>,
) -> Poll<io::Result<()>> {
    loop {
        let tick = match readiness.poll_ready(Direction::Read, cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Err(Closed)) => return Poll::Ready(Err(io::Error::other("closed"))),
            Poll::Ready(Ok(tick)) => tick,
        };
        *bytes.lock().unwrap() = 0;
        readiness.clear_ready(Direction::Read, tick);
    }
}

#[test]
fn every_listener_sees_a_delivery_or_is_woken() {
    loom::model(|| {
        let delivered = Arc::new(AtomicU64::new(0));
        let readiness = Arc::new(Readiness::new());
        let bytes = Arc::new(Mutex::new(0usize));
        let listeners: Vec<_> = (0..2)
            .map(|_| {
                let (delivered, readiness, bytes) =
                    (delivered.clone(), readiness.clone(), bytes.clone());
                thread::spawn(move || {
                    let (woken, waker) = counting_waker();
                    let mut cx = Context::from_waker(&waker);
                    let mut seen = 0;
                    let poll = poll_delivery(
                        &mut seen,
                        || delivered.load(Ordering::Acquire),
                        &mut cx,
                        |cx| drain_and_wait(&readiness, &bytes, cx),
                    );
                    (poll, woken)
                })
            })
            .collect();
        let handler = {
            let (delivered, readiness, bytes) =
                (delivered.clone(), readiness.clone(), bytes.clone());
            thread::spawn(move || {
                delivered.fetch_add(1, Ordering::Release);
                *bytes.lock().unwrap() += 1;
                // The reactor reads the pipe's event and fires its readiness.
                let mut wakers = Vec::new();
                readiness.fire(READABLE, &mut wakers);
                for w in wakers {
                    w.wake();
                }
            })
        };
        handler.join().unwrap();
        for (i, listener) in listeners.into_iter().enumerate() {
            let (poll, woken) = listener.join().unwrap();
            let woken = woken.0.load(Ordering::SeqCst);
            assert!(
                poll == Poll::Ready(Some(())) || woken > 0,
                "listener {i} sleeps through the delivery ({poll:?}, woken {woken})"
            );
        }
    });
}
