//! Multi-producer, single-consumer channels (asyncio: a `Queue` with one consumer).
//!
//! - [`channel(capacity)`](channel): bounded. [`Sender::send`] waits while `capacity` values
//!   are buffered and goes on when the receiver takes one; waiting sends are served in the
//!   order they started waiting.
//! - [`unbounded_channel()`](unbounded_channel): no bound; [`UnboundedSender::send`] never
//!   waits and is not async.
//!
//! Senders are `Clone`; there is one receiver. Values from one sender arrive in the order it
//! sent them. The receiver's `recv` returns `None` once every sender is dropped and every
//! buffered value was received. Dropping (or [`close`](Receiver::close)-ing) the receiver makes
//! every send fail from then on with [`SendError`], which hands the value back; values still
//! buffered when the receiver is dropped are dropped.
//!
//! Every type here works in any weft runtime, under other executors, and, through the
//! `blocking_*` methods, from plain threads; a task looping over a channel that is always ready
//! still yields to the others (the cooperative budget).
//!
//! ```
//! use weft::sync::mpsc;
//!
//! weft::run(async {
//!     let (tx, mut rx) = mpsc::channel(16);
//!     let producers: Vec<_> = (0..4)
//!         .map(|id| {
//!             let tx = tx.clone();
//!             weft::spawn(async move {
//!                 for i in 0..100 {
//!                     tx.send(id * 1000 + i).await.unwrap();
//!                 }
//!             })
//!         })
//!         .collect();
//!     drop(tx);
//!     let mut sum = 0;
//!     while let Some(v) = rx.recv().await {
//!         sum += v;
//!     }
//!     assert_eq!(sum, (0..4).map(|id| id * 100_000 + 4950).sum::<i32>());
//!     weft::join_all(producers).await;
//! });
//! ```

mod block;
mod bounded;
mod chan;
mod error;
mod queue;
mod slots;
mod unbounded;

pub use bounded::{Receiver, Sender, channel};
pub use error::{SendError, TryRecvError, TrySendError};
pub use unbounded::{UnboundedReceiver, UnboundedSender, unbounded_channel};
