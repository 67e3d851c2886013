//! What `Queue`, `LifoQueue` and `PriorityQueue` share: the items under a small lock, and two
//! batch semaphores that do all the waiting (fair, and cancellation-safe, as `batch.rs`).
//!
//! # Invariants
//!
//! - `items` holds one permit per item that a `get` may take: `put` pushes, then releases
//!   one; `get` acquires one, then pops. So a `get` that holds a permit finds an item, except
//!   after an immediate shutdown (which drops the items and closes `items`; that `get` then
//!   fails like the others).
//! - `slots` (bounded queues only) holds one permit per free place: `put` acquires one before
//!   it pushes, `get` releases one after it pops.
//! - Between acquiring a permit and pushing or popping there is no `.await`: a cancelled
//!   `put` or `get` either took nothing or finished its work.
//! - `shutdown` sets `shut_down` under the lock and closes `slots` (every waiting and later
//!   `put` fails); `put` checks `shut_down` under the lock before it pushes, so no item comes
//!   after it. `items` is closed once the queue is found shut down and empty under the lock (by
//!   `shutdown`, or by the `get` that takes the last item), so waiting and later `get`s fail
//!   then and not before. The semaphores are closed, and `join` waiters woken, after the lock
//!   is released: closing wakes wakers, which are user code and may use the queue.
//! - `unfinished` counts items put and not yet marked done (`task_done`); `join` waiters are
//!   woken (`notify_waiters`, after the lock is released) when it reaches zero. A `join`
//!   makes its `Notified` before it reads the count, so a zero reached after the read wakes it.

use super::error::{GetError, PutError, QueueShutDown};
use super::order::Order;
use crate::batch::{BatchSemaphore, TryTake};
use crate::notify::Notify;
use crate::sync::{Mutex, MutexGuard};

pub(crate) struct Shared<O> {
    state: Mutex<State<O>>,
    items: BatchSemaphore,
    /// `None` for an unbounded queue.
    slots: Option<BatchSemaphore>,
    maxsize: usize,
    done: Notify,
}

struct State<O> {
    items: O,
    unfinished: usize,
    shut_down: bool,
}

impl<O: Order> Shared<O> {
    #[track_caller]
    pub(crate) fn new(maxsize: usize) -> Shared<O> {
        Shared {
            state: Mutex::new(State {
                items: O::new(),
                unfinished: 0,
                shut_down: false,
            }),
            items: BatchSemaphore::new(0),
            slots: (maxsize > 0).then(|| BatchSemaphore::new(maxsize)),
            maxsize,
            done: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<O>> {
        // No user code runs under this lock (items are dropped after it is released).
        self.state.lock()
    }

    pub(crate) async fn put(&self, item: O::Item) -> Result<(), QueueShutDown<O::Item>> {
        if let Some(slots) = &self.slots
            && slots.acquire(1).await.is_err()
        {
            return Err(QueueShutDown(item));
        }
        self.push(item).map_err(QueueShutDown)
    }

    pub(crate) fn put_nowait(&self, item: O::Item) -> Result<(), PutError<O::Item>> {
        if let Some(slots) = &self.slots {
            match slots.try_acquire(1) {
                Ok(()) => {}
                Err(TryTake::NoPermits) => return Err(PutError::Full(item)),
                Err(TryTake::Closed) => return Err(PutError::ShutDown(item)),
            }
        }
        self.push(item).map_err(PutError::ShutDown)
    }

    /// Pushes an item whose slot is held; gives it back if the queue was shut down.
    fn push(&self, item: O::Item) -> Result<(), O::Item> {
        {
            let mut state = self.lock();
            if state.shut_down {
                drop(state);
                // The slot goes back (its semaphore is closed: nobody else can take it).
                if let Some(slots) = &self.slots {
                    slots.release(1);
                }
                return Err(item);
            }
            state.items.push(item);
            state.unfinished += 1;
        }
        self.items.release(1);
        Ok(())
    }

    pub(crate) async fn get(&self) -> Result<O::Item, QueueShutDown> {
        if self.items.acquire(1).await.is_err() {
            return Err(QueueShutDown(()));
        }
        self.pop().ok_or(QueueShutDown(()))
    }

    pub(crate) fn get_nowait(&self) -> Result<O::Item, GetError> {
        match self.items.try_acquire(1) {
            Ok(()) => self.pop().ok_or(GetError::ShutDown),
            Err(TryTake::NoPermits) => Err(GetError::Empty),
            Err(TryTake::Closed) => Err(GetError::ShutDown),
        }
    }

    /// Pops the item whose permit is held; `None` after an immediate shutdown emptied it.
    fn pop(&self) -> Option<O::Item> {
        let (item, last) = {
            let mut state = self.lock();
            let item = state.items.pop()?;
            (item, state.shut_down && state.items.len() == 0)
        };
        if last {
            self.items.close();
        }
        if let Some(slots) = &self.slots {
            slots.release(1);
        }
        Some(item)
    }

    #[track_caller]
    pub(crate) fn task_done(&self) {
        let finished = {
            let mut state = self.lock();
            match state.unfinished.checked_sub(1) {
                Some(left) => {
                    state.unfinished = left;
                    Some(left == 0)
                }
                None => None,
            }
        };
        let Some(finished) = finished else {
            panic!(
                "task_done() called too many times: every call must match an item that was put \
                 (and got) before"
            );
        };
        if finished {
            self.done.notify_waiters();
        }
    }

    pub(crate) async fn join(&self) {
        let notified = self.done.notified();
        if self.lock().unfinished == 0 {
            return;
        }
        notified.await;
    }

    pub(crate) fn shutdown(&self, immediate: bool) {
        let (dropped, empty, finished) = {
            let mut state = self.lock();
            state.shut_down = true;
            let dropped = if immediate {
                state.items.drain()
            } else {
                Vec::new()
            };
            let was_unfinished = state.unfinished > 0;
            state.unfinished = state.unfinished.saturating_sub(dropped.len());
            (
                dropped,
                state.items.len() == 0,
                was_unfinished && state.unfinished == 0,
            )
        };
        if let Some(slots) = &self.slots {
            slots.close();
        }
        if empty {
            self.items.close();
        }
        if finished {
            self.done.notify_waiters();
        }
        // The items' destructors run here, with no lock held.
        drop(dropped);
    }

    pub(crate) fn qsize(&self) -> usize {
        self.lock().items.len()
    }

    pub(crate) fn maxsize(&self) -> usize {
        self.maxsize
    }

    pub(crate) fn is_shut_down(&self) -> bool {
        self.lock().shut_down
    }
}
