//! `ReadySet`: per-child wakers for a future that drives many children (`join_all`,
//! `try_join_all`, `JoinSet`), so that each wake-up polls only the children that were woken,
//! not all of them. Waiting on n children costs O(n) polls in total instead of O(n²).
//!
//! Each child has a waker of its own (one `Arc` per child) holding its index and a `queued`
//! flag. Waking a child pushes its index onto the shared ready list once (the flag dedupes) and
//! wakes the parent. The parent takes the list, clears each child's flag *before* polling it
//! (so a wake during that poll queues it again), and polls those children.

use std::mem;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::atomic::Ordering::{AcqRel, Release};
use std::task::{Context, Wake, Waker};
use weft_core::sync::Mutex;

struct Shared {
    inner: Mutex<Inner>,
}

struct Inner {
    ready: Vec<usize>,
    parent: Option<Waker>,
}

struct Child {
    index: usize,
    queued: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for Child {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        // AcqRel: pairs with the Release clear in `take_ready`; only the first wake after a
        // clear queues the child.
        if self.queued.swap(true, AcqRel) {
            return;
        }
        let parent = {
            let mut inner = self.shared.inner.lock();
            inner.ready.push(self.index);
            inner.parent.clone()
        };
        if let Some(parent) = parent {
            parent.wake();
        }
    }
}

/// The children's wakers and the list of those woken since the last look.
pub(crate) struct ReadySet {
    shared: Arc<Shared>,
    children: Vec<Arc<Child>>,
    wakers: Vec<Waker>,
}

impl ReadySet {
    pub(crate) fn new() -> ReadySet {
        ReadySet {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    ready: Vec::new(),
                    parent: None,
                }),
            }),
            children: Vec::new(),
            wakers: Vec::new(),
        }
    }

    /// Adds child `children.len()` (or reuses slot `index` when given), queued so that it is
    /// polled on the next look.
    pub(crate) fn insert(&mut self, index: Option<usize>) -> usize {
        let index = index.unwrap_or(self.children.len());
        if index == self.children.len() {
            let child = Arc::new(Child {
                index,
                queued: AtomicBool::new(false),
                shared: self.shared.clone(),
            });
            self.wakers.push(Waker::from(child.clone()));
            self.children.push(child);
        }
        self.wakers[index].wake_by_ref();
        index
    }

    /// The waker to poll child `index` with.
    pub(crate) fn waker(&self, index: usize) -> &Waker {
        &self.wakers[index]
    }

    /// Moves the indices of the children woken since the last call into `out` (cleared
    /// first), and makes `cx`'s waker the one woken by the next child wake.
    pub(crate) fn take_ready(&self, cx: &Context<'_>, out: &mut Vec<usize>) {
        out.clear();
        {
            let mut inner = self.shared.inner.lock();
            match &mut inner.parent {
                Some(w) => w.clone_from(cx.waker()),
                None => inner.parent = Some(cx.waker().clone()),
            }
            mem::swap(&mut inner.ready, out);
        }
        for &i in out.iter() {
            // Release: pairs with the AcqRel swap in `wake_by_ref`; a wake after this queues
            // the child again.
            self.children[i].queued.store(false, Release);
        }
    }
}
