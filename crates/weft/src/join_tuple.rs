//! The machinery behind `weft::join!`: a tuple of `MaybeDone` futures polled together.
//! Not public API (reached only through the macro).

use crate::maybe_done::MaybeDone;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

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
