//! One adapter per runtime under test, plus the task bodies they share.
//!
//! Each adapter builds its runtime once with [`WORKERS`] worker threads and implements
//! [`Subject`](crate::workload::Subject) with that runtime's own spawn, join and yield; only
//! the channels (async-channel) are common, so only the runtime differs.

pub(crate) mod smol;
pub(crate) mod tokio;
pub(crate) mod weft;

use async_channel::{Receiver, Sender};

/// Worker threads given to every runtime.
pub(crate) const WORKERS: usize = 2;

/// The ping side of `ping_pong`: sends `0..rounds` and expects each value back.
pub(crate) async fn ping(tx: Sender<usize>, rx: Receiver<usize>, rounds: usize) {
    for i in 0..rounds {
        tx.send(i).await.expect("pong side hung up");
        let back = rx.recv().await.expect("pong side hung up");
        assert_eq!(back, i, "ping_pong: message out of order");
    }
}

/// The pong side of `ping_pong`: sends every value it receives back, `rounds` times.
pub(crate) async fn pong(tx: Sender<usize>, rx: Receiver<usize>, rounds: usize) {
    for _ in 0..rounds {
        let v = rx.recv().await.expect("ping side hung up");
        tx.send(v).await.expect("ping side hung up");
    }
}

/// Counts callbacks and signals when the `n`th has run.
pub(crate) struct Countdown {
    count: std::sync::atomic::AtomicUsize,
    n: usize,
    done: std::sync::mpsc::SyncSender<()>,
}

impl Countdown {
    /// A countdown of `n`, and the receiver that hears when it reaches zero.
    pub(crate) fn new(n: usize) -> (std::sync::Arc<Countdown>, std::sync::mpsc::Receiver<()>) {
        let (done, rx) = std::sync::mpsc::sync_channel(1);
        let countdown = Countdown {
            count: std::sync::atomic::AtomicUsize::new(0),
            n,
            done,
        };
        (std::sync::Arc::new(countdown), rx)
    }

    /// One more callback ran.
    pub(crate) fn tick(&self) {
        if self.count.fetch_add(1, std::sync::atomic::Ordering::AcqRel) + 1 == self.n {
            self.done.send(()).expect("countdown listener gone");
        }
    }
}

/// The two channel pairs `ping_pong` needs: (ping's ends, pong's ends).
pub(crate) type PingPongEnds = (
    (Sender<usize>, Receiver<usize>),
    (Sender<usize>, Receiver<usize>),
);

/// Makes the two `bounded(1)` channels of `ping_pong`, already paired up per side.
pub(crate) fn ping_pong_channels() -> PingPongEnds {
    let (to_pong, from_ping) = async_channel::bounded(1);
    let (to_ping, from_pong) = async_channel::bounded(1);
    ((to_pong, from_pong), (to_ping, from_ping))
}

/// Counts the tasks inside a semaphore in `semaphore_acquire`, and fails loudly when more than
/// its permits are.
#[derive(Clone)]
pub(crate) struct Holders {
    inside: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    permits: usize,
}

impl Holders {
    pub(crate) fn new(permits: usize) -> Holders {
        Holders {
            inside: std::sync::Arc::default(),
            permits,
        }
    }

    /// One more holder until the guard drops.
    pub(crate) fn enter(&self) -> HolderGuard<'_> {
        use std::sync::atomic::Ordering::Relaxed;
        let now = self.inside.fetch_add(1, Relaxed) + 1;
        assert!(
            now <= self.permits,
            "semaphore_acquire: {now} holders of {} permits",
            self.permits
        );
        HolderGuard(self)
    }
}

/// Returned by [`Holders::enter`].
pub(crate) struct HolderGuard<'a>(&'a Holders);

impl Drop for HolderGuard<'_> {
    fn drop(&mut self) {
        self.0
            .inside
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// What the consumer of `mpsc_bounded` and `mpsc_unbounded` must add up to: each producer
/// sends `0..each`.
pub(crate) fn mpsc_sum(producers: usize, each: usize) -> usize {
    producers * (each * (each - 1) / 2)
}

/// The children `process_spawn_wait`'s task `task` of `at_once` runs, one after another.
pub(crate) fn children_of(task: usize, children: usize, at_once: usize) -> usize {
    (children + at_once - 1 - task) / at_once
}

/// The data `process_cat_pipe` sends (one chunk, written again and again).
pub(crate) fn pipe_chunk(chunk: usize) -> Vec<u8> {
    (0..chunk).map(|i| (i % 251) as u8).collect()
}
