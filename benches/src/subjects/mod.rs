//! One adapter per runtime under test, plus the task bodies they share.
//!
//! Each adapter builds its runtime once with [`WORKERS`] worker threads and implements
//! [`Subject`](crate::workload::Subject) with that runtime's own spawn, join and yield; only
//! the channels (async-channel) are common, so only the runtime differs. Each file also has the
//! runtime's one-thread adapter (`WeftLocal`, `TokioLocal`, `SmolLocal`), which implements
//! [`LocalSubject`](crate::workload::LocalSubject) for the `local_*` rows.

pub(crate) mod smol;
pub(crate) mod tokio;
pub(crate) mod weft;

use async_channel::{Receiver, Sender};
use std::cell::Cell;
use std::rc::Rc;

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

/// The replies `mpsc_round_trip`'s server sends: each request doubled.
pub(crate) fn reply_to(request: usize) -> usize {
    request * 2
}

/// The items `queue_join` processed, counted by the consumers before each `task_done`, so the
/// caller can check that `join` did not return while one was unfinished.
#[derive(Default)]
pub(crate) struct Processed(std::sync::atomic::AtomicUsize);

impl Processed {
    /// One more item processed (call before its `task_done`).
    pub(crate) fn one(&self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Panics unless `items` were processed; called when `join` has returned, which orders
    /// every `task_done` (and so every [`one`](Processed::one)) before it.
    pub(crate) fn check(&self, items: usize) {
        let done = self.0.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(
            done, items,
            "queue_join: join returned with items unfinished"
        );
    }
}

/// The unfinished-item count of the hand-written `queue_join` for the peers, which have no
/// queue with `join`: the producer adds one before each send, a consumer takes one off after
/// processing an item (asyncio's `task_done`), and the joiner waits for zero.
#[derive(Default)]
pub(crate) struct Unfinished(std::sync::atomic::AtomicUsize);

impl Unfinished {
    /// One more item on its way (call before sending it, so the count never goes below zero).
    pub(crate) fn add(&self) {
        // Relaxed: the channel's send/recv orders this before the consumer's `done`.
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// One item done; `true` when it was the last unfinished one (then wake the joiner).
    #[must_use]
    pub(crate) fn done(&self) -> bool {
        // AcqRel: the Release half pairs with the Acquire load in `is_zero`, so the joiner sees
        // everything the consumers did before their `done`.
        self.0.fetch_sub(1, std::sync::atomic::Ordering::AcqRel) == 1
    }

    /// Whether no item is unfinished now.
    pub(crate) fn is_zero(&self) -> bool {
        // Acquire: pairs with the Release half of `done`'s fetch_sub.
        self.0.load(std::sync::atomic::Ordering::Acquire) == 0
    }
}

/// What `select_two_channels`'s consumer received on one of its channels.
#[derive(Default)]
pub(crate) struct Tally {
    count: usize,
    sum: usize,
}

impl Tally {
    /// One value received.
    pub(crate) fn add(&mut self, v: usize) {
        self.count += 1;
        self.sum += v;
    }

    /// Panics unless this is exactly `0..each`'s count and sum; `which` names the channel.
    pub(crate) fn check(&self, each: usize, which: &str) {
        assert_eq!(
            self.count, each,
            "select_two_channels: wrong count on channel {which}"
        );
        assert_eq!(
            self.sum,
            mpsc_sum(1, each),
            "select_two_channels: wrong sum on channel {which}"
        );
    }
}

/// A count shared by the tasks of one local (one-thread) iteration: an `Rc<Cell<_>>`, so the
/// futures that hold it are `!Send`, as the code the one-thread runtimes are for.
#[derive(Clone, Default)]
pub(crate) struct LocalCount(Rc<Cell<usize>>);

impl LocalCount {
    /// One more.
    pub(crate) fn bump(&self) {
        self.0.set(self.0.get() + 1);
    }

    /// Panics unless the count is `expected`; `what` names the workload.
    pub(crate) fn check(&self, expected: usize, what: &str) {
        assert_eq!(self.0.get(), expected, "{what}: wrong count");
    }
}

/// The ping side of `local_ping_pong`: [`ping`], counting each round trip in `trips`.
pub(crate) async fn local_ping(
    tx: Sender<usize>,
    rx: Receiver<usize>,
    rounds: usize,
    trips: LocalCount,
) {
    for i in 0..rounds {
        tx.send(i).await.expect("pong side hung up");
        let back = rx.recv().await.expect("pong side hung up");
        assert_eq!(back, i, "local_ping_pong: message out of order");
        trips.bump();
    }
}
