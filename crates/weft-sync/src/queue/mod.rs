//! asyncio's queues: [`Queue`] (first in, first out), [`LifoQueue`] (newest first) and
//! [`PriorityQueue`] (smallest first), with `task_done` / `join` and Python 3.13's `shutdown`.
//! One implementation (`shared.rs`) with the order as a parameter (`order.rs`).

mod error;
mod order;
mod shared;

pub use error::{GetError, PutError, QueueShutDown};

use order::{Fifo, Lifo, Smallest};
use shared::Shared;
use std::fmt;
use std::sync::Arc;

/// The methods every queue kind has, written once.
macro_rules! queue_methods {
    ($name:ident, [$($bound:tt)*], $gets:literal) => {
        impl<T: $($bound)*> $name<T> {
            /// A queue holding at most `maxsize` items; `0` means no limit (asyncio's default).
            pub fn new(maxsize: usize) -> $name<T> {
                $name {
                    shared: Arc::new(Shared::new(maxsize)),
                }
            }

            /// Puts `item` in, waiting while the queue is full. Every `put` adds one unfinished
            /// item (see [`task_done`](Self::task_done)).
            ///
            /// # Errors
            ///
            /// [`QueueShutDown`] holding `item`, when the queue was shut down before or while
            /// this waited.
            pub async fn put(&self, item: T) -> Result<(), QueueShutDown<T>> {
                self.shared.put(item).await
            }

            /// Puts `item` in if there is room now.
            ///
            /// # Errors
            ///
            /// [`PutError::Full`] or [`PutError::ShutDown`], holding `item`.
            pub fn put_nowait(&self, item: T) -> Result<(), PutError<T>> {
                self.shared.put_nowait(item)
            }

            #[doc = concat!("Takes ", $gets, ", waiting while the queue is empty.")]
            ///
            /// # Errors
            ///
            /// [`QueueShutDown`] once the queue was shut down and is empty.
            pub async fn get(&self) -> Result<T, QueueShutDown> {
                self.shared.get().await
            }

            #[doc = concat!("Takes ", $gets, " if there is one now.")]
            ///
            /// # Errors
            ///
            /// [`GetError::Empty`], or [`GetError::ShutDown`] once the queue was shut down and
            /// is empty.
            pub fn get_nowait(&self) -> Result<T, GetError> {
                self.shared.get_nowait()
            }

            /// Marks one item as processed: a consumer calls it once per item it got, when it
            /// is done with it. [`join`](Self::join) returns once no item is unfinished.
            ///
            /// # Panics
            ///
            /// When no item is unfinished (called more often than items were put), with a
            /// message that says `task_done` was called too many times.
            #[track_caller]
            pub fn task_done(&self) {
                self.shared.task_done();
            }

            /// Waits until every item put so far was marked done (returns at once if none is
            /// unfinished).
            pub async fn join(&self) {
                self.shared.join().await;
            }

            /// Shuts the queue down (Python 3.13): every `put` fails from now on, waiting ones
            /// too; `get` goes on until the queue is empty and fails after. With `immediate`,
            /// the items still queued are dropped now and each counts as done, so `join`
            /// returns once nothing else is unfinished.
            pub fn shutdown(&self, immediate: bool) {
                self.shared.shutdown(immediate);
            }

            /// Whether [`shutdown`](Self::shutdown) was called.
            pub fn is_shut_down(&self) -> bool {
                self.shared.is_shut_down()
            }

            /// The number of items in the queue now.
            pub fn qsize(&self) -> usize {
                self.shared.qsize()
            }

            /// Whether the queue holds no item now.
            pub fn empty(&self) -> bool {
                self.qsize() == 0
            }

            /// Whether the queue is bounded and holds `maxsize` items now.
            pub fn full(&self) -> bool {
                self.maxsize() > 0 && self.qsize() >= self.maxsize()
            }

            /// The bound given to `new` (`0`: unbounded).
            pub fn maxsize(&self) -> usize {
                self.shared.maxsize()
            }
        }

        impl<T: $($bound)*> Clone for $name<T> {
            /// Another handle on the same queue.
            fn clone(&self) -> $name<T> {
                $name {
                    shared: self.shared.clone(),
                }
            }
        }

        impl<T: $($bound)*> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("qsize", &self.qsize())
                    .field("maxsize", &self.maxsize())
                    .field("shut_down", &self.is_shut_down())
                    .finish()
            }
        }
    };
}

/// asyncio.Queue: producers `put`, consumers `get` in the order put (first in, first out).
/// Every clone is the same queue.
///
/// ```
/// use weft::sync::Queue;
///
/// weft::run(async {
///     let queue = Queue::new(2); // at most 2 items: `put` waits while full
///     let worker = weft::spawn({
///         let queue = queue.clone();
///         async move {
///             let mut total = 0;
///             while let Ok(n) = queue.get().await {
///                 total += n;
///                 queue.task_done();
///             }
///             total
///         }
///     });
///     for n in 1..=5 {
///         queue.put(n).await.unwrap();
///     }
///     queue.join().await; // every item was processed
///     queue.shutdown(false); // the worker's next `get` fails: it returns
///     assert_eq!(worker.await.unwrap(), 15);
/// });
/// ```
pub struct Queue<T> {
    shared: Arc<Shared<Fifo<T>>>,
}

/// asyncio.LifoQueue: as [`Queue`], but `get` takes the newest item.
///
/// ```
/// weft::run(async {
///     let stack = weft::sync::LifoQueue::new(0);
///     for n in 1..=3 {
///         stack.put_nowait(n).unwrap();
///     }
///     assert_eq!(stack.get().await.unwrap(), 3);
/// });
/// ```
pub struct LifoQueue<T> {
    shared: Arc<Shared<Lifo<T>>>,
}

/// asyncio.PriorityQueue: as [`Queue`], but `get` takes the smallest item (put `(priority,
/// value)` tuples to order by priority).
///
/// ```
/// weft::run(async {
///     let jobs = weft::sync::PriorityQueue::new(0);
///     jobs.put((2, "later")).await.unwrap();
///     jobs.put((1, "first")).await.unwrap();
///     assert_eq!(jobs.get().await.unwrap(), (1, "first"));
/// });
/// ```
pub struct PriorityQueue<T: Ord> {
    shared: Arc<Shared<Smallest<T>>>,
}

queue_methods!(Queue, [Sized], "the oldest item");
queue_methods!(LifoQueue, [Sized], "the newest item");
queue_methods!(PriorityQueue, [Ord], "the smallest item");

const _: () = {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>(_: &T) {}
    #[allow(dead_code)]
    fn check(queue: &Queue<String>, heap: &PriorityQueue<u32>) {
        send_sync::<Queue<String>>();
        send_sync::<LifoQueue<String>>();
        send_sync::<PriorityQueue<u32>>();
        send(&queue.put(String::new()));
        send(&queue.get());
        send(&queue.join());
        send(&heap.get());
    }
};
