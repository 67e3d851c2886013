//! `ReceiverStream` / `UnboundedReceiverStream`: an mpsc receiver as a `Stream`.

use futures_core::Stream;
use std::pin::Pin;
use std::task::{Context, Poll};
use weft_sync::mpsc::{Receiver, UnboundedReceiver};

/// A bounded [`mpsc::Receiver`](crate::sync::mpsc::Receiver) as a [`Stream`]: each value
/// received is an item, and the stream ends once every sender is gone and the buffer is
/// empty.
///
/// ```
/// use weft::stream::{ReceiverStream, StreamExt};
///
/// weft::run(async {
///     let (tx, rx) = weft::sync::mpsc::channel(8);
///     weft::spawn(async move {
///         for n in 1..=3 {
///             tx.send(n).await.unwrap();
///         }
///     });
///     let doubled: Vec<i32> = ReceiverStream::new(rx).map(|n| n * 2).collect().await;
///     assert_eq!(doubled, [2, 4, 6]);
/// });
/// ```
#[derive(Debug)]
pub struct ReceiverStream<T> {
    inner: Receiver<T>,
}

impl<T> ReceiverStream<T> {
    /// Wraps `rx`.
    pub fn new(rx: Receiver<T>) -> ReceiverStream<T> {
        ReceiverStream { inner: rx }
    }

    /// The receiver back.
    pub fn into_inner(self) -> Receiver<T> {
        self.inner
    }

    /// Closes the channel (as `Receiver::close`): senders fail from now on, what is buffered
    /// still comes out of the stream.
    pub fn close(&mut self) {
        self.inner.close();
    }
}

impl<T> Stream for ReceiverStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.inner.poll_recv(cx)
    }
}

impl<T> AsRef<Receiver<T>> for ReceiverStream<T> {
    fn as_ref(&self) -> &Receiver<T> {
        &self.inner
    }
}

/// An [`mpsc::UnboundedReceiver`](crate::sync::mpsc::UnboundedReceiver) as a [`Stream`]; as
/// [`ReceiverStream`].
#[derive(Debug)]
pub struct UnboundedReceiverStream<T> {
    inner: UnboundedReceiver<T>,
}

impl<T> UnboundedReceiverStream<T> {
    /// Wraps `rx`.
    pub fn new(rx: UnboundedReceiver<T>) -> UnboundedReceiverStream<T> {
        UnboundedReceiverStream { inner: rx }
    }

    /// The receiver back.
    pub fn into_inner(self) -> UnboundedReceiver<T> {
        self.inner
    }

    /// Closes the channel: senders fail from now on, what is buffered still comes out.
    pub fn close(&mut self) {
        self.inner.close();
    }
}

impl<T> Stream for UnboundedReceiverStream<T> {
    type Item = T;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        self.inner.poll_recv(cx)
    }
}
