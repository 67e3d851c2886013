//! The waiter list: an intrusive FIFO list of waiting futures, kept under its primitive's lock.
//!
//! See `README.md` beside this file for the protocol every primitive follows on top of it.
//!
//! A [`Waiter`] lives inside the pinned future that waits: joining the line allocates nothing.
//! The list holds raw pointers to those waiters; what keeps them valid is the rule below, which
//! [`WaitList::push_back`]'s caller promises.
//!
//! # Ownership of the fields
//!
//! | field | who touches it, and when |
//! |---|---|
//! | `links` | only list methods, under the lock of the list the waiter is in |
//! | `waker` | written at `push_back` and by [`WaitList::set_waker`], taken by [`WaitList::pop_front`]; always under the lock |
//! | `state` | the primitive's word (permits still needed, or a notification): written under the lock, read by the owning future with or without it |
//! | `WaitList::head`, `tail` | list methods, through `&mut WaitList`, so under the lock |
//!
//! # The rule that keeps the pointers valid
//!
//! A waiter is *linked* from [`push_back`](WaitList::push_back) until it is popped (by a server,
//! which hands it a final state) or removed (by its owner). While linked it must not move or be
//! freed, so the owning future is `!Unpin` and its destructor removes a waiter that is still
//! linked. The owner tells the two apart by the state: every server's pop ends with a `Release`
//! store of a final state, the last access the list makes to the waiter; an owner that reads a
//! final state (`Acquire`) knows the waiter is unlinked and that nobody touches it any more, so it
//! may return or be freed without taking the lock.

use crate::sync::{AtomicUsize, UnsafeCell};
use std::marker::PhantomPinned;
use std::pin::Pin;
use std::ptr::NonNull;
use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};
use std::task::Waker;

/// One waiting future's place in line. Embedded in the future; see the module doc.
pub(crate) struct Waiter {
    state: AtomicUsize,
    links: UnsafeCell<Links>,
    waker: UnsafeCell<Option<Waker>>,
    _pinned: PhantomPinned,
}

#[derive(Clone, Copy)]
struct Links {
    prev: Option<NonNull<Waiter>>,
    next: Option<NonNull<Waiter>>,
}

// SAFETY: `state` is atomic; `links` and `waker` are touched only under the lock of the list the
// waiter is in (module doc), so moving the future that holds a waiter to another thread, or
// sharing a reference to it, races with nothing. `Waker` is `Send + Sync`.
unsafe impl Send for Waiter {}
// SAFETY: as above.
unsafe impl Sync for Waiter {}

impl Waiter {
    /// A waiter in no list. `state` is the primitive's initial word.
    pub(crate) fn new(state: usize) -> Waiter {
        Waiter {
            state: AtomicUsize::new(state),
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
            }),
            waker: UnsafeCell::new(None),
            _pinned: PhantomPinned,
        }
    }

    /// The state, as its last writer left it.
    pub(crate) fn state(&self) -> usize {
        // Acquire: pairs with the Release stores in `pop_front` and `set_front_state`: an owner that
        // reads a final state sees everything its server did before serving it (the data a
        // lock protects, the permits' earlier holders' writes), and knows the list is done with
        // the waiter.
        self.state.load(Acquire)
    }
}

/// The list itself. Lives inside the primitive's `Mutex`; every method needs `&mut` or `&`
/// to it, so every call is made under that lock.
pub(crate) struct WaitList {
    head: Option<NonNull<Waiter>>,
    tail: Option<NonNull<Waiter>>,
}

// SAFETY: the list only holds pointers to waiters, which are `Send + Sync` (above), and it is
// only used under its primitive's lock.
unsafe impl Send for WaitList {}
// SAFETY: as above.
unsafe impl Sync for WaitList {}

impl WaitList {
    pub(crate) const fn new() -> WaitList {
        WaitList {
            head: None,
            tail: None,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Links `waiter` at the back of the line with `state` and `waker`.
    ///
    /// # Safety
    ///
    /// `waiter` is in no list. It stays where it is and is not dropped until it has been popped
    /// from this list (the owner saw a final state) or removed with [`WaitList::remove`]; and this
    /// list is only ever used under the one lock the caller holds now.
    pub(crate) unsafe fn push_back(
        &mut self,
        waiter: Pin<&Waiter>,
        state: usize,
        waker: Option<Waker>,
    ) {
        let waiter = waiter.get_ref();
        let ptr = NonNull::from(waiter);
        // Relaxed: the waiter is not yet linked, so only its owner (us) can read it until the
        // lock is released, and the release of the lock publishes it to the next holder.
        waiter.state.store(state, Relaxed);
        // SAFETY: an unlinked waiter's cells belong to its owner, which is the caller.
        waiter.waker.with_mut(|w| unsafe { *w = waker });
        let links = Links {
            prev: self.tail,
            next: None,
        };
        // SAFETY: as above.
        waiter.links.with_mut(|l| unsafe { *l = links });
        match self.tail {
            // SAFETY: the tail is linked, so alive (push_back's contract), and we hold the lock.
            Some(tail) => unsafe { set_next(tail, Some(ptr)) },
            None => self.head = Some(ptr),
        }
        self.tail = Some(ptr);
    }

    /// The state of the first waiter, if any.
    pub(crate) fn front_state(&self) -> Option<usize> {
        // SAFETY: a linked waiter is alive (push_back's contract).
        let head = unsafe { self.head?.as_ref() };
        // Relaxed: under the lock, which orders every write to a linked waiter's state.
        Some(head.state.load(Relaxed))
    }

    /// Changes the first waiter's state without unlinking it (a partial grant of permits). The
    /// owner may read it at any time, but treats only final states as final.
    pub(crate) fn set_front_state(&mut self, state: usize) {
        if let Some(head) = self.head {
            // SAFETY: a linked waiter is alive (push_back's contract).
            let head = unsafe { head.as_ref() };
            // Release: pairs with `Waiter::state`; the owner's later reads under the lock are
            // ordered by the lock anyway.
            head.state.store(state, Release);
        }
    }

    /// Unlinks the first waiter and hands it `state`, a final state. Returns its waker, for the
    /// caller to wake after releasing the lock. Does nothing (and returns `None`) when the list is
    /// empty.
    pub(crate) fn pop_front(&mut self, state: usize) -> Option<Waker> {
        let head = self.head?;
        // SAFETY: a linked waiter is alive (push_back's contract) and we hold the lock.
        let next = unsafe { unlink_links(head) }.next;
        self.head = next;
        match next {
            // SAFETY: the next waiter is linked, so alive, and we hold the lock.
            Some(next) => unsafe { set_prev(next, None) },
            None => self.tail = None,
        }
        // SAFETY: still alive: its owner waits for the final state stored below.
        let waiter = unsafe { head.as_ref() };
        // SAFETY: the waker cell of a linked waiter is ours under the lock.
        let waker = waiter.waker.with_mut(|w| unsafe { (*w).take() });
        // Release: pairs with the Acquire in `Waiter::state`. This store is the list's last
        // access to the waiter: from here on its owner may return, and free it, without the lock.
        waiter.state.store(state, Release);
        waker
    }

    /// Unlinks `waiter` wherever it is in the line (its owner leaves, or gives up). Returns its
    /// waker, for the caller to drop after releasing the lock (a waker's destructor is user code).
    ///
    /// # Safety
    ///
    /// `waiter` is linked in this list (the caller, holding the lock, read a state that is not
    /// final).
    #[must_use = "drop the waker after releasing the lock"]
    pub(crate) unsafe fn remove(&mut self, waiter: &Waiter) -> Option<Waker> {
        let ptr = NonNull::from(waiter);
        // SAFETY: linked in this list (the contract); we hold the lock.
        let Links { prev, next } = unsafe { unlink_links(ptr) };
        match prev {
            // SAFETY: a neighbour of a linked waiter is linked, so alive; we hold the lock.
            Some(prev) => unsafe { set_next(prev, next) },
            None => {
                debug_assert_eq!(self.head, Some(ptr), "removing a waiter of another list");
                self.head = next;
            }
        }
        match next {
            // SAFETY: as above.
            Some(next) => unsafe { set_prev(next, prev) },
            None => self.tail = prev,
        }
        // SAFETY: unlinked now, so the cell is the owner's, and the owner is the caller.
        waiter.waker.with_mut(|w| unsafe { (*w).take() })
    }

    /// Replaces the waker of a linked `waiter` with `waker`, unless it would wake the same task.
    /// Returns the old waker, for the caller to drop after releasing the lock.
    ///
    /// # Safety
    ///
    /// `waiter` is linked in this list.
    pub(crate) unsafe fn set_waker(&mut self, waiter: &Waiter, waker: &Waker) -> Option<Waker> {
        waiter.waker.with_mut(|slot| {
            // SAFETY: the waker cell of a linked waiter is ours under the lock (the contract).
            let slot = unsafe { &mut *slot };
            match slot {
                Some(old) if old.will_wake(waker) => None,
                _ => slot.replace(waker.clone()),
            }
        })
    }
}

impl Drop for WaitList {
    fn drop(&mut self) {
        // A primitive is dropped only when nothing borrows it, so no future waits on it.
        debug_assert!(self.is_empty(), "a waiter list dropped with waiters in it");
    }
}

/// Takes `waiter`'s links, leaving them empty.
///
/// # Safety
///
/// `waiter` is alive and the caller holds the lock of the list it is in.
unsafe fn unlink_links(waiter: NonNull<Waiter>) -> Links {
    // SAFETY: alive (the contract).
    let waiter = unsafe { waiter.as_ref() };
    // SAFETY: links belong to the lock holder (the contract).
    waiter.links.with_mut(|l| unsafe {
        std::mem::replace(
            &mut *l,
            Links {
                prev: None,
                next: None,
            },
        )
    })
}

/// # Safety
///
/// As [`unlink_links`].
unsafe fn set_next(waiter: NonNull<Waiter>, next: Option<NonNull<Waiter>>) {
    // SAFETY: alive (the contract).
    let waiter = unsafe { waiter.as_ref() };
    // SAFETY: links belong to the lock holder (the contract).
    waiter.links.with_mut(|l| unsafe { (*l).next = next });
}

/// # Safety
///
/// As [`unlink_links`].
unsafe fn set_prev(waiter: NonNull<Waiter>, prev: Option<NonNull<Waiter>>) {
    // SAFETY: alive (the contract).
    let waiter = unsafe { waiter.as_ref() };
    // SAFETY: links belong to the lock holder (the contract).
    waiter.links.with_mut(|l| unsafe { (*l).prev = prev });
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;
    use std::pin::pin;

    fn noop() -> Option<Waker> {
        Some(Waker::noop().clone())
    }

    #[test]
    fn waiters_leave_in_the_order_they_joined() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(0));
        let b = pin!(Waiter::new(0));
        // SAFETY: each outlives the list's use of it: each is popped below.
        unsafe { list.push_back(a.as_ref(), 1, noop()) };
        // SAFETY: as above.
        unsafe { list.push_back(b.as_ref(), 2, noop()) };
        assert_eq!(list.front_state(), Some(1));
        assert!(list.pop_front(10).is_some());
        assert_eq!(a.state(), 10);
        assert_eq!(list.front_state(), Some(2));
        assert!(list.pop_front(20).is_some());
        assert_eq!(b.state(), 20);
        assert!(list.is_empty());
        assert!(list.pop_front(0).is_none());
    }

    #[test]
    fn a_waiter_removed_from_the_middle_keeps_the_others_in_order() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(0));
        let b = pin!(Waiter::new(0));
        let c = pin!(Waiter::new(0));
        // SAFETY: each is removed or popped below, before it goes out of scope.
        unsafe { list.push_back(a.as_ref(), 1, None) };
        // SAFETY: as above.
        unsafe { list.push_back(b.as_ref(), 2, None) };
        // SAFETY: as above.
        unsafe { list.push_back(c.as_ref(), 3, None) };
        // SAFETY: b is linked.
        assert!(unsafe { list.remove(&b) }.is_none());
        assert!(list.pop_front(0).is_none(), "a had no waker");
        assert_eq!(list.front_state(), Some(3));
        // SAFETY: c is linked.
        assert!(unsafe { list.remove(&c) }.is_none());
        assert!(list.is_empty());
        // The list works again after it emptied.
        // SAFETY: popped below.
        unsafe { list.push_back(b.as_ref(), 4, None) };
        assert_eq!(list.front_state(), Some(4));
        list.pop_front(0);
        assert!(list.is_empty());
    }

    #[test]
    fn set_waker_keeps_a_waker_that_wakes_the_same_task() {
        let mut list = WaitList::new();
        let a = pin!(Waiter::new(0));
        // SAFETY: popped below.
        unsafe { list.push_back(a.as_ref(), 1, None) };
        struct Task;
        impl std::task::Wake for Task {
            fn wake(self: std::sync::Arc<Self>) {}
        }
        let w = Waker::from(std::sync::Arc::new(Task));
        // SAFETY: a is linked.
        let first = unsafe { list.set_waker(&a, &w) };
        assert!(first.is_none(), "the slot was empty");
        // SAFETY: a is linked.
        let same = unsafe { list.set_waker(&a, &w.clone()) };
        assert!(same.is_none(), "same task: kept");
        let other = Waker::from(std::sync::Arc::new(Task));
        // SAFETY: a is linked.
        let replaced = unsafe { list.set_waker(&a, &other) };
        assert!(replaced.is_some(), "another task: replaced");
        assert!(list.pop_front(0).is_some());
    }
}
