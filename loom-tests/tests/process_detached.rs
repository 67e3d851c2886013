//! loom model of weft-process's detached future (`crates/weft-process/src/process/detached.rs`,
//! the orphans' reaper): a future polled once by `spawn`, then inline by whoever wakes it, with
//! `running` and `notified` under one mutex.
//!
//! Checked in every interleaving: no wake-up is lost (a wake that finds the future running sets
//! `notified`, and the polling thread looks at it before putting the future back), so the
//! future is polled to completion; it is never polled by two threads at once (an in-poll flag,
//! and the poll count in a loom `UnsafeCell` that loom checks for unsynchronized access); it is
//! never polled after it finished and is dropped exactly once. Those futures are woken by
//! another thread, never `INLINE_REPOLLS` times in a row, so they stay inline; a third model
//! has a future that keeps waking itself, which is handed to a thread of its own (a loom thread,
//! through the shim) and finishes there.
#![cfg(weft_loom)]

mod support;

use loom::cell::UnsafeCell;
use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use loom::sync::{Arc, Condvar, Mutex};
use loom::thread;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use support::{DropCounter, count, counter};
use weft_process::loom_internals::spawn_detached;

/// Where the future leaves its waker, and the condvar that tells the waking thread.
type Slot = Arc<(Mutex<Option<Waker>>, Condvar)>;

/// Pending on its first `pending` polls (storing its waker in `slot`), then ready.
struct Reaper {
    pending: usize,
    /// Its own count of polls: loom reports two polls without a happens-before between them.
    own_polls: UnsafeCell<usize>,
    polls: Arc<AtomicUsize>,
    in_poll: Arc<AtomicBool>,
    slot: Slot,
    done: Arc<AtomicBool>,
    _drops: DropCounter,
}

impl Future for Reaper {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // A load and a store, not a swap (see docs/loom.md on loom 0.7 and `swap`).
        assert!(
            !self.in_poll.load(Ordering::SeqCst),
            "polled by two threads at once"
        );
        self.in_poll.store(true, Ordering::SeqCst);
        let n = self.own_polls.with_mut(|p| {
            // SAFETY: the cell is the future's own, reached only through `poll`; loom checks
            // that two polls never touch it without a happens-before between them.
            let own = unsafe { &mut *p };
            *own += 1;
            *own
        });
        self.polls.fetch_add(1, Ordering::SeqCst);
        assert!(n <= self.pending + 1, "polled after it finished");
        let poll = if n <= self.pending {
            *self.slot.0.lock().unwrap() = Some(cx.waker().clone());
            self.slot.1.notify_one();
            Poll::Pending
        } else {
            self.done.store(true, Ordering::SeqCst);
            Poll::Ready(())
        };
        self.in_poll.store(false, Ordering::SeqCst);
        poll
    }
}

/// One thread spawns the future (its first poll), another takes each waker it stores and wakes
/// it, `pending` times: every wake races a poll. A lost wake-up leaves the future unfinished
/// (with one wake) or the waking thread waiting for a waker forever (a deadlock, with two).
fn model(pending: usize) {
    loom::model(move || {
        let polls = counter();
        let drops = counter();
        let slot: Slot = Arc::new((Mutex::new(None), Condvar::new()));
        let done = Arc::new(AtomicBool::new(false));
        let reaper = Reaper {
            pending,
            own_polls: UnsafeCell::new(0),
            polls: polls.clone(),
            in_poll: Arc::new(AtomicBool::new(false)),
            slot: slot.clone(),
            done: done.clone(),
            _drops: DropCounter(drops.clone()),
        };
        let spawner = thread::spawn(move || spawn_detached(reaper));
        let waking = {
            let slot = slot.clone();
            thread::spawn(move || {
                for _ in 0..pending {
                    let waker = {
                        let (lock, stored) = &*slot;
                        let mut waker = lock.lock().unwrap();
                        while waker.is_none() {
                            waker = stored.wait(waker).unwrap();
                        }
                        waker.take().unwrap()
                    };
                    // Woken with the slot's lock released: the wake may poll the future inline.
                    waker.wake();
                }
            })
        };
        spawner.join().unwrap();
        waking.join().unwrap();
        assert!(
            done.load(Ordering::SeqCst),
            "a wake-up was lost: the future was never polled to completion"
        );
        assert_eq!(count(&polls), pending + 1);
        assert_eq!(count(&drops), 1, "the future is dropped exactly once");
        assert!(slot.0.lock().unwrap().is_none());
    });
}

#[test]
fn a_wake_racing_the_first_poll_is_not_lost() {
    model(1);
}

#[test]
fn two_wakes_racing_two_polls_are_not_lost() {
    model(2);
}

/// Wakes itself on each of its first `INLINE_REPOLLS` (4) polls, as a signal listener out of
/// budget does; ready on the next. Records the thread of each poll.
struct SelfWaking {
    polls: usize,
    threads: Arc<Mutex<Vec<thread::ThreadId>>>,
    done: Arc<(Mutex<bool>, Condvar)>,
}

impl Future for SelfWaking {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.polls += 1;
        self.threads.lock().unwrap().push(thread::current().id());
        if self.polls <= 4 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        *self.done.0.lock().unwrap() = true;
        self.done.1.notify_one();
        Poll::Ready(())
    }
}

#[test]
fn a_future_that_keeps_waking_itself_finishes_on_a_thread_of_its_own() {
    loom::model(|| {
        let threads = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new((Mutex::new(false), Condvar::new()));
        let future = SelfWaking {
            polls: 0,
            threads: threads.clone(),
            done: done.clone(),
        };
        let spawner = thread::spawn(move || {
            spawn_detached(future);
            thread::current().id()
        });
        let caller = spawner.join().unwrap();
        let (lock, finished) = &*done;
        let mut guard = lock.lock().unwrap();
        while !*guard {
            guard = finished.wait(guard).unwrap();
        }
        drop(guard);
        let threads = threads.lock().unwrap();
        assert_eq!(threads.len(), 5, "polled once per wake-up, then ready");
        assert!(
            threads[4] != caller,
            "the caller's thread was not held for every poll"
        );
    });
}
