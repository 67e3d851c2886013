//! Which item `get` takes: the oldest (`Queue`), the newest (`LifoQueue`) or the smallest
//! (`PriorityQueue`). The waiting and counting are the same for all three (`shared.rs`).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// The items of a queue, in the order `pop` gives them out.
pub(crate) trait Order {
    type Item;
    fn new() -> Self;
    fn push(&mut self, item: Self::Item);
    fn pop(&mut self) -> Option<Self::Item>;
    fn len(&self) -> usize;
    /// Takes every item out.
    fn drain(&mut self) -> Vec<Self::Item>;
}

/// First in, first out.
pub(crate) struct Fifo<T>(VecDeque<T>);

/// Last in, first out.
pub(crate) struct Lifo<T>(Vec<T>);

/// Smallest first.
pub(crate) struct Smallest<T: Ord>(BinaryHeap<Reverse<T>>);

impl<T> Order for Fifo<T> {
    type Item = T;
    fn new() -> Self {
        Fifo(VecDeque::new())
    }
    fn push(&mut self, item: T) {
        self.0.push_back(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn drain(&mut self) -> Vec<T> {
        self.0.drain(..).collect()
    }
}

impl<T> Order for Lifo<T> {
    type Item = T;
    fn new() -> Self {
        Lifo(Vec::new())
    }
    fn push(&mut self, item: T) {
        self.0.push(item);
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn drain(&mut self) -> Vec<T> {
        std::mem::take(&mut self.0)
    }
}

impl<T: Ord> Order for Smallest<T> {
    type Item = T;
    fn new() -> Self {
        Smallest(BinaryHeap::new())
    }
    fn push(&mut self, item: T) {
        self.0.push(Reverse(item));
    }
    fn pop(&mut self) -> Option<T> {
        self.0.pop().map(|Reverse(item)| item)
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn drain(&mut self) -> Vec<T> {
        self.0.drain().map(|Reverse(item)| item).collect()
    }
}
