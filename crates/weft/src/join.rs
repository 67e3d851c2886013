//! Gathering (asyncio: `gather`): wait for many futures at once.
//!
//! All of them run concurrently *within the awaiting task* (no spawn); to run them in parallel
//! on several workers, spawn them and gather the `JoinHandle`s. Each wake-up polls only the
//! futures that were woken (see `ready.rs`).

use crate::maybe_done::MaybeDone;
use crate::ready::ReadySet;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Futures polled together; outputs kept in input order.
struct Children<F: Future> {
    slots: Pin<Box<[MaybeDone<F>]>>,
    ready: ReadySet,
    remaining: usize,
    woken: Vec<usize>,
}

impl<F: Future> Children<F> {
    fn new(futures: impl IntoIterator<Item = F>) -> Children<F> {
        let slots: Box<[MaybeDone<F>]> = futures.into_iter().map(MaybeDone::new).collect();
        let mut ready = ReadySet::new();
        for _ in 0..slots.len() {
            ready.insert(None);
        }
        Children {
            remaining: slots.len(),
            slots: Box::into_pin(slots),
            ready,
            woken: Vec::new(),
        }
    }

    /// Polls the woken children; calls `on_done` with each index that completed now. Returns
    /// `false` as soon as `on_done` does.
    fn poll_woken(
        &mut self,
        cx: &Context<'_>,
        mut on_done: impl FnMut(Pin<&mut MaybeDone<F>>) -> bool,
    ) -> bool {
        self.ready.take_ready(cx, &mut self.woken);
        for &i in &self.woken {
            let mut slot = slot(&mut self.slots, i);
            if slot.output().is_some() || matches!(*slot, MaybeDone::Gone) {
                continue;
            }
            let mut child_cx = Context::from_waker(self.ready.waker(i));
            if slot.as_mut().poll_done(&mut child_cx) {
                self.remaining -= 1;
                if !on_done(slot) {
                    return false;
                }
            }
        }
        true
    }

    fn take_outputs(&mut self) -> Vec<F::Output> {
        (0..self.slots.len())
            .map(|i| slot(&mut self.slots, i).take())
            .collect()
    }
}

/// The pinned slot of child `i`.
fn slot<F: Future>(slots: &mut Pin<Box<[MaybeDone<F>]>>, i: usize) -> Pin<&mut MaybeDone<F>> {
    // SAFETY: the slots live in a pinned boxed slice that is never moved or resized, so each
    // element is pinned with it (structural pinning of a slice's elements).
    unsafe { slots.as_mut().map_unchecked_mut(|s| &mut s[i]) }
}

/// Waits for every future and returns their outputs in input order (asyncio: `gather`).
///
/// With `JoinHandle`s the outputs are `Result<T, JoinError>`: one task's failure does not hide
/// the others' results (asyncio: `gather(..., return_exceptions=True)`).
///
/// ```
/// weft::run(async {
///     let tasks = (1..=3).map(|i| weft::spawn(async move { i * 10 }));
///     let results = weft::join_all(tasks).await;
///     let values: Vec<_> = results.into_iter().map(Result::unwrap).collect();
///     assert_eq!(values, [10, 20, 30]);
/// });
/// ```
pub fn join_all<I>(futures: I) -> JoinAll<I::Item>
where
    I: IntoIterator,
    I::Item: Future,
{
    JoinAll {
        children: Children::new(futures),
    }
}

/// The future returned by [`join_all`].
#[must_use = "futures do nothing unless awaited"]
pub struct JoinAll<F: Future> {
    children: Children<F>,
}

impl<F: Future> Unpin for JoinAll<F> {}

impl<F: Future> Future for JoinAll<F> {
    type Output = Vec<F::Output>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Vec<F::Output>> {
        let children = &mut self.children;
        children.poll_woken(cx, |_| true);
        if children.remaining == 0 {
            Poll::Ready(children.take_outputs())
        } else {
            Poll::Pending
        }
    }
}

impl<F: Future> fmt::Debug for JoinAll<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinAll")
            .field("remaining", &self.children.remaining)
            .finish()
    }
}

/// Waits for every future; the first error wins and the other futures are dropped (their
/// destructors run). Outputs come in input order.
///
/// ```
/// async fn check(x: u8) -> Result<u8, String> {
///     if x > 0 { Ok(x) } else { Err(format!("{x} is not positive")) }
/// }
/// weft::run(async {
///     assert_eq!(weft::try_join_all([check(1), check(2)]).await, Ok(vec![1, 2]));
///     let failed = weft::try_join_all([check(1), check(0), check(3)]).await;
///     assert_eq!(failed, Err("0 is not positive".to_owned()));
/// });
/// ```
pub fn try_join_all<I, T, E>(futures: I) -> TryJoinAll<I::Item>
where
    I: IntoIterator,
    I::Item: Future<Output = Result<T, E>>,
{
    TryJoinAll {
        children: Children::new(futures),
    }
}

/// The future returned by [`try_join_all`].
#[must_use = "futures do nothing unless awaited"]
pub struct TryJoinAll<F: Future> {
    children: Children<F>,
}

impl<F: Future> Unpin for TryJoinAll<F> {}

impl<F, T, E> Future for TryJoinAll<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<Vec<T>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut error = None;
        let children = &mut self.children;
        children.poll_woken(cx, |slot| {
            if let Some(Err(_)) = slot.output()
                && let Err(e) = slot.take()
            {
                error = Some(e);
                return false;
            }
            true
        });
        if let Some(e) = error {
            // Drop the other futures now, as asyncio cancels the rest.
            let _ = std::mem::replace(&mut self.children, Children::new(std::iter::empty()));
            return Poll::Ready(Err(e));
        }
        if self.children.remaining > 0 {
            return Poll::Pending;
        }
        let outputs = self.children.take_outputs();
        Poll::Ready(Ok(outputs
            .into_iter()
            .map(|r| match r {
                Ok(v) => v,
                Err(_) => unreachable!("errors return early"),
            })
            .collect()))
    }
}

impl<F: Future> fmt::Debug for TryJoinAll<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TryJoinAll")
            .field("remaining", &self.children.remaining)
            .finish()
    }
}

/// Polls several futures of any types concurrently and returns their outputs as a tuple
/// (asyncio: `a, b = await gather(fa, fb)`).
///
/// ```
/// weft::run(async {
///     let (a, b) = weft::join!(async { 1 }, async { "two" });
///     assert_eq!((a, b), (1, "two"));
/// });
/// ```
#[macro_export]
macro_rules! join {
    ($($future:expr),+ $(,)?) => {
        $crate::__private::Join::new(($($crate::__private::MaybeDone::new($future),)+)).await
    };
}
