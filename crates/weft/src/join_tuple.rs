//! The machinery behind `weft::join!`: a tuple of `MaybeDone` futures polled together.
//! Not public API (reached only through the macro).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A future, or its output once it completed.
#[derive(Debug)]
pub enum MaybeDone<F: Future> {
    /// Still running.
    Future(F),
    /// Completed; the output waits to be taken.
    Done(F::Output),
    /// The output was taken.
    Gone,
}

impl<F: Future> MaybeDone<F> {
    /// Wraps a future.
    pub fn new(future: F) -> MaybeDone<F> {
        MaybeDone::Future(future)
    }

    /// Polls the future if it is still running; `true` once it has an output.
    pub fn poll_done(self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        // SAFETY: `MaybeDone` is structurally pinned: the future is never moved out, only
        // dropped in place when replaced by `Done` through `Pin::set`.
        let this = unsafe { self.get_unchecked_mut() };
        match this {
            MaybeDone::Future(f) => {
                // SAFETY: see above; `f` stays where it is until `this` is overwritten.
                let f = unsafe { Pin::new_unchecked(f) };
                match f.poll(cx) {
                    Poll::Ready(output) => {
                        *this = MaybeDone::Done(output);
                        true
                    }
                    Poll::Pending => false,
                }
            }
            MaybeDone::Done(_) => true,
            MaybeDone::Gone => panic!("join! polled after it completed"),
        }
    }

    /// Takes the output.
    pub fn take(self: Pin<&mut Self>) -> F::Output {
        // SAFETY: only called once done: a `Done` or `Gone` value holds no pinned future.
        let this = unsafe { self.get_unchecked_mut() };
        match std::mem::replace(this, MaybeDone::Gone) {
            MaybeDone::Done(output) => output,
            _ => panic!("join! took an output twice"),
        }
    }
}

/// A tuple of `MaybeDone`s that can be polled and emptied together.
pub trait JoinTuple {
    /// The outputs.
    type Output;
    /// Polls every member that is not done; `true` when all are.
    fn poll_all(self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool;
    /// Takes every output.
    fn take_all(self: Pin<&mut Self>) -> Self::Output;
}

/// The future `join!` awaits.
#[derive(Debug)]
#[must_use = "futures do nothing unless awaited"]
pub struct Join<T>(T);

impl<T: JoinTuple> Join<T> {
    /// Wraps a tuple of `MaybeDone`s.
    pub fn new(tuple: T) -> Join<T> {
        Join(tuple)
    }
}

impl<T: JoinTuple> Future for Join<T> {
    type Output = T::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T::Output> {
        // SAFETY: the tuple is structurally pinned inside `Join`.
        let mut tuple = unsafe { self.map_unchecked_mut(|j| &mut j.0) };
        if tuple.as_mut().poll_all(cx) {
            Poll::Ready(tuple.take_all())
        } else {
            Poll::Pending
        }
    }
}

macro_rules! join_tuple {
    ($($name:ident $index:tt),+) => {
        impl<$($name: Future),+> JoinTuple for ($(MaybeDone<$name>,)+) {
            type Output = ($($name::Output,)+);

            fn poll_all(self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
                // SAFETY: the tuple's fields are structurally pinned (never moved out).
                let this = unsafe { self.get_unchecked_mut() };
                let mut all = true;
                // SAFETY: each field is pinned because the tuple is.
                $( all &= unsafe { Pin::new_unchecked(&mut this.$index) }.poll_done(cx); )+
                all
            }

            fn take_all(self: Pin<&mut Self>) -> Self::Output {
                // SAFETY: as in `poll_all`.
                let this = unsafe { self.get_unchecked_mut() };
                // SAFETY: each field is pinned because the tuple is.
                ($( unsafe { Pin::new_unchecked(&mut this.$index) }.take(), )+)
            }
        }
    };
}

join_tuple!(A 0);
join_tuple!(A 0, B 1);
join_tuple!(A 0, B 1, C 2);
join_tuple!(A 0, B 1, C 2, D 3);
join_tuple!(A 0, B 1, C 2, D 3, E 4);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10);
join_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11);
