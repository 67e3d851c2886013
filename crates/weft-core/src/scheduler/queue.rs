//! Run queues: each worker's local queue (FIFO, stealable from the other end) and the shared
//! injector for tasks scheduled from outside the workers.
//!
//! The real build wraps crossbeam-deque: `Worker::new_fifo` for the local queue (growable,
//! so a burst of spawns never overflows), its `Stealer`, and an `Injector`; stealing moves up
//! to half of the victim's queue in one batch. Under `--cfg weft_loom`, where crossbeam has no
//! model, each queue is a `Mutex<VecDeque>` with the same interface and the same
//! steal-half rule; the real queues are checked against a `VecDeque` model by proptest.

#[cfg(not(weft_loom))]
mod imp {
    use crossbeam_deque::Steal;

    /// A worker's own queue: pushed and popped by its worker only.
    pub(crate) struct LocalQueue<T>(crossbeam_deque::Worker<T>);

    /// The other end of a worker's queue, used by thieves.
    pub(crate) struct Stealer<T>(crossbeam_deque::Stealer<T>);

    /// The queue for tasks from outside the workers.
    pub(crate) struct Injector<T>(crossbeam_deque::Injector<T>);

    fn settle<T>(mut attempt: impl FnMut() -> Steal<T>) -> Option<T> {
        loop {
            match attempt() {
                Steal::Success(t) => return Some(t),
                Steal::Empty => return None,
                Steal::Retry => std::hint::spin_loop(),
            }
        }
    }

    impl<T> LocalQueue<T> {
        pub(crate) fn new() -> LocalQueue<T> {
            LocalQueue(crossbeam_deque::Worker::new_fifo())
        }
        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer(self.0.stealer())
        }
        pub(crate) fn push(&self, task: T) {
            self.0.push(task);
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.0.pop()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        #[cfg(test)]
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }

    impl<T> Stealer<T> {
        /// Moves up to half of the victim's tasks into `dest` and returns one of them.
        pub(crate) fn steal_into(&self, dest: &LocalQueue<T>) -> Option<T> {
            settle(|| self.0.steal_batch_and_pop(&dest.0))
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Injector<T> {
            Injector(crossbeam_deque::Injector::new())
        }
        pub(crate) fn push(&self, task: T) {
            self.0.push(task);
        }
        /// Takes a batch of tasks into `dest` and returns one of them.
        pub(crate) fn steal_into(&self, dest: &LocalQueue<T>) -> Option<T> {
            settle(|| self.0.steal_batch_and_pop(&dest.0))
        }
        pub(crate) fn pop(&self) -> Option<T> {
            settle(|| self.0.steal())
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.0.is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            self.0.len()
        }
    }
}

#[cfg(weft_loom)]
mod imp {
    use crate::sync::{Arc, Mutex};
    use std::collections::VecDeque;

    type Deque<T> = Arc<Mutex<VecDeque<T>>>;

    pub(crate) struct LocalQueue<T>(Deque<T>);
    pub(crate) struct Stealer<T>(Deque<T>);
    pub(crate) struct Injector<T>(Mutex<VecDeque<T>>);

    fn lock<T>(m: &Mutex<T>) -> crate::sync::MutexGuard<'_, T> {
        m.lock()
    }

    impl<T> LocalQueue<T> {
        pub(crate) fn new() -> LocalQueue<T> {
            LocalQueue(Arc::new(Mutex::new(VecDeque::new())))
        }
        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer(self.0.clone())
        }
        pub(crate) fn push(&self, task: T) {
            lock(&self.0).push_back(task);
        }
        pub(crate) fn pop(&self) -> Option<T> {
            lock(&self.0).pop_front()
        }
        pub(crate) fn is_empty(&self) -> bool {
            lock(&self.0).is_empty()
        }
        #[cfg(test)]
        pub(crate) fn len(&self) -> usize {
            lock(&self.0).len()
        }
    }

    impl<T> Stealer<T> {
        pub(crate) fn steal_into(&self, dest: &LocalQueue<T>) -> Option<T> {
            let mut batch: VecDeque<T> = {
                let mut victim = lock(&self.0);
                let n = victim.len().div_ceil(2);
                victim.drain(..n).collect()
            };
            let first = batch.pop_front();
            lock(&dest.0).extend(batch);
            first
        }
        pub(crate) fn is_empty(&self) -> bool {
            lock(&self.0).is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            lock(&self.0).len()
        }
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Injector<T> {
            Injector(Mutex::new(VecDeque::new()))
        }
        pub(crate) fn push(&self, task: T) {
            lock(&self.0).push_back(task);
        }
        pub(crate) fn steal_into(&self, dest: &LocalQueue<T>) -> Option<T> {
            let mut batch: VecDeque<T> = {
                let mut q = lock(&self.0);
                let n = q.len().div_ceil(2).min(32);
                q.drain(..n).collect()
            };
            let first = batch.pop_front();
            lock(&dest.0).extend(batch);
            first
        }
        pub(crate) fn pop(&self) -> Option<T> {
            lock(&self.0).pop_front()
        }
        pub(crate) fn is_empty(&self) -> bool {
            lock(&self.0).is_empty()
        }
        pub(crate) fn len(&self) -> usize {
            lock(&self.0).len()
        }
    }
}

pub(crate) use imp::{Injector, LocalQueue, Stealer};
