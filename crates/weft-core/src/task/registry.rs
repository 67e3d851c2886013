//! The live-task registry: every unfinished task of one runtime, so that closing the runtime can
//! drop every future, including those of idle tasks no queue holds.
//!
//! Tasks are linked into one of several shards (chosen by task id) through the `links` of their
//! header: no allocation per task. Each shard is a mutex-guarded intrusive doubly linked list.
//!
//! # Invariants
//!
//! - A task's `links` are read and written only under the lock of its shard, in the registry
//!   that bound it (`Header::owner`); `remove` refuses any other task, so nothing a `Schedule`
//!   impl returns can make a registry unlink a task of another one.
//! - A task is in a list exactly when it is its shard's `head` or its `prev` is set.
//! - The list holds one reference per linked task. `remove` hands it to the caller (the
//!   completing thread); `close` takes every task out and shuts each one down with it.
//! - Once a shard is closed, nothing is linked into it again: `bind` cancels the task instead.

use super::id::RegistryId;
use super::raw::{Header, Links, RawTask};
use super::snapshot::TaskSnapshot;
use super::trace::TaskMeta;
use super::{JoinHandle, Notified, Schedule, TaskId};
use crate::sync::{Mutex, MutexGuard};
use std::future::Future;
use std::ptr::NonNull;

/// The set of unfinished tasks of one runtime.
pub struct Registry {
    id: RegistryId,
    shards: Box<[Mutex<Shard>]>,
}

struct Shard {
    head: Option<NonNull<Header>>,
    len: usize,
    /// Tasks ever linked here (a metric, counted under the lock `bind` takes anyway).
    linked: u64,
    closed: bool,
}

// SAFETY: the raw pointers in a shard are only followed under its mutex, and the tasks they
// point at are `Send`.
unsafe impl Send for Shard {}

impl Registry {
    /// A registry with at least `shards` shards (rounded up to a power of two).
    pub fn new(shards: usize) -> Registry {
        // Under loom, one shard: the shard is picked by task id, which comes from a process-wide
        // counter, and a model must touch the same objects on every run.
        let n = if cfg!(weft_loom) {
            1
        } else {
            shards.max(1).next_power_of_two()
        };
        let shards = (0..n)
            .map(|_| {
                Mutex::new(Shard {
                    head: None,
                    len: 0,
                    linked: 0,
                    closed: false,
                })
            })
            .collect();
        Registry {
            id: RegistryId::next(),
            shards,
        }
    }

    fn shard(&self, id: TaskId) -> MutexGuard<'_, Shard> {
        let index = (id.as_u64() as usize) & (self.shards.len() - 1);
        lock(&self.shards[index])
    }

    /// Creates a task for `future` and links it in. Returns its `JoinHandle` and the
    /// `Notified` to enqueue, or no `Notified` when the registry is closed: the task is then
    /// already cancelled and its handle resolves to a cancelled `JoinError`.
    pub fn bind<F, S>(
        &self,
        future: F,
        scheduler: S,
        meta: TaskMeta,
    ) -> (JoinHandle<F::Output>, Option<Notified>)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        S: Schedule,
    {
        // SAFETY: the future and its output are `Send`, so any thread may poll and drop them.
        unsafe { self.bind_local(future, scheduler, meta) }
    }

    /// [`Registry::bind`] for a future that need not be `Send` (a `LocalRuntime`'s
    /// `spawn_local`).
    ///
    /// # Safety
    ///
    /// Unless `F` and `F::Output` are `Send`, the caller promises that the future is only ever
    /// polled and dropped on the calling thread: `scheduler` hands the task's `Notified`s only
    /// to code that runs them on this thread, this registry is closed only on this thread, and
    /// no `Notified` of the task is cancelled (`Notified::cancel`) elsewhere. (The output is
    /// guarded by the `JoinHandle`, which is `Send` only when the output is.)
    pub unsafe fn bind_local<F, S>(
        &self,
        future: F,
        scheduler: S,
        meta: TaskMeta,
    ) -> (JoinHandle<F::Output>, Option<Notified>)
    where
        F: Future + 'static,
        F::Output: 'static,
        S: Schedule,
    {
        let id = TaskId::next();
        let raw = super::harness::allocate(future, scheduler, id, meta, self.id);
        // SAFETY: a new task has three references: one each for these two owners...
        let handle = unsafe { JoinHandle::new(raw) };
        // SAFETY: ...and this one.
        let notified = unsafe { Notified::from_raw(raw) };
        let mut shard = self.shard(id);
        if shard.closed {
            drop(shard);
            // SAFETY: the third reference, meant for the registry, is given to shutdown.
            unsafe { raw.shutdown() };
            drop(notified);
            return (handle, None);
        }
        let ptr = raw.header_ptr();
        let old_head = shard.head;
        raw.header().links.with_mut(|links| {
            // SAFETY: under the shard lock; the new task is linked nowhere else yet.
            unsafe {
                *links = Links {
                    prev: None,
                    next: old_head,
                }
            }
        });
        if let Some(old) = old_head {
            // SAFETY: `old` is linked in this shard, whose lock we hold.
            unsafe { old.as_ref() }
                .links
                .with_mut(|links| unsafe { (*links).prev = Some(ptr) });
        }
        shard.head = Some(ptr);
        shard.len += 1;
        shard.linked += 1;
        (handle, Some(notified))
    }

    /// Unlinks a completed task. Returns `true` when it was linked here: the caller then owns
    /// the registry's reference and must drop it. A task this registry did not bind is left
    /// alone (`false`): only its own registry may follow its links.
    pub(crate) fn remove(&self, task: RawTask) -> bool {
        if task.header().owner != self.id {
            return false;
        }
        let mut shard = self.shard(task.header().id);
        // SAFETY: under the shard lock.
        unsafe { shard.unlink(task.header_ptr()) }
    }

    /// Closes the registry and shuts down every task still linked: each idle task's future is
    /// dropped here (its destructors run) and its `JoinHandle` resolves cancelled; a task that
    /// is running elsewhere is marked cancelled and dropped when its poll returns.
    pub fn close(&self) {
        for shard in self.shards.iter() {
            loop {
                let mut guard = lock(shard);
                guard.closed = true;
                let Some(head) = guard.head else { break };
                // SAFETY: under the shard lock; `head` is linked.
                let unlinked = unsafe { guard.unlink(head) };
                debug_assert!(unlinked);
                drop(guard);
                // SAFETY: `head` is a live task (the registry's reference, now ours).
                let task = unsafe { RawTask::from_raw(head) };
                // SAFETY: we give the registry's reference to shutdown. It runs without the
                // lock held, since dropping a future may spawn, which takes a shard lock.
                unsafe { task.shutdown() };
            }
        }
    }

    /// A snapshot of every linked (unfinished) task, one shard at a time under its lock; the
    /// workers keep running (see `snapshot.rs`).
    pub fn snapshot(&self) -> Vec<TaskSnapshot> {
        let mut out = Vec::with_capacity(self.len());
        for shard in self.shards.iter() {
            let guard = lock(shard);
            let mut next = guard.head;
            while let Some(ptr) = next {
                // SAFETY: `ptr` is linked in this shard, whose lock we hold: the registry's
                // reference keeps it alive, and its links change only under this lock.
                let header = unsafe { ptr.as_ref() };
                // A task that completed but has not unlinked itself yet (its JoinHandle may
                // already have its output) is finished: not listed.
                if !header.state.load().is_complete() {
                    out.push(TaskSnapshot::of(header));
                }
                // SAFETY: under the lock (as above).
                next = header.links.with(|links| unsafe { (*links).next });
            }
        }
        out
    }

    /// The snapshot of the unfinished task whose id is `id`, if it is linked here.
    pub(crate) fn find(&self, id: u64) -> Option<TaskSnapshot> {
        let index = (id as usize) & (self.shards.len() - 1);
        let guard = lock(&self.shards[index]);
        let mut next = guard.head;
        while let Some(ptr) = next {
            // SAFETY: linked in this shard, under its lock (see `snapshot`).
            let header = unsafe { ptr.as_ref() };
            if header.id.as_u64() == id {
                return Some(TaskSnapshot::of(header));
            }
            // SAFETY: under the lock.
            next = header.links.with(|links| unsafe { (*links).next });
        }
        None
    }

    /// How many tasks were ever linked (spawned and accepted before close).
    pub fn spawned(&self) -> u64 {
        self.shards.iter().map(|s| lock(s).linked).sum()
    }

    /// How many tasks are linked (unfinished).
    pub fn len(&self) -> usize {
        self.shards.iter().map(|s| lock(s).len).sum()
    }

    /// Whether [`Registry::close`] was called.
    pub fn is_closed(&self) -> bool {
        lock(&self.shards[0]).closed
    }

    /// Whether no task is linked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Shard {
    /// Unlinks `ptr` if it is linked; returns whether it was.
    ///
    /// # Safety
    ///
    /// Called under this shard's lock; `ptr` is a live task that belongs to this shard.
    unsafe fn unlink(&mut self, ptr: NonNull<Header>) -> bool {
        // SAFETY: the caller holds the lock, so we may access the links of tasks in this shard.
        let header = unsafe { ptr.as_ref() };
        let (prev, next) = header.links.with(|links| {
            // SAFETY: under the lock.
            let links = unsafe { &*links };
            (links.prev, links.next)
        });
        match prev {
            // SAFETY: `p` is linked in this shard.
            Some(p) => unsafe { p.as_ref() }
                .links
                .with_mut(|links| unsafe { (*links).next = next }),
            None if self.head == Some(ptr) => self.head = next,
            None => return false,
        }
        if let Some(n) = next {
            // SAFETY: `n` is linked in this shard.
            unsafe { n.as_ref() }
                .links
                .with_mut(|links| unsafe { (*links).prev = prev });
        }
        header.links.with_mut(|links| {
            // SAFETY: under the lock.
            unsafe {
                *links = Links {
                    prev: None,
                    next: None,
                }
            }
        });
        self.len -= 1;
        true
    }
}

fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    // No user code runs under a shard lock (futures are dropped after it is released).
    shard.lock()
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("len", &self.len())
            .finish()
    }
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::Registry;
    use crate::task::{Notified, Schedule, TaskMeta};
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    /// A scheduler that names a registry other than the one its tasks were bound into: the
    /// mistake a safe `Schedule` impl can make. It must cost nothing worse than a task left
    /// linked until its own registry closes.
    #[derive(Clone)]
    struct WrongRegistry(Arc<Inner>);

    struct Inner {
        queue: Mutex<Vec<Notified>>,
        other: Registry,
    }

    impl Schedule for WrongRegistry {
        fn schedule(&self, task: Notified) {
            self.0.queue.lock().unwrap().push(task);
        }

        fn registry(&self) -> &Registry {
            &self.0.other
        }
    }

    struct CountDrop(Arc<AtomicUsize>);

    impl Drop for CountDrop {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn a_scheduler_naming_another_registry_cannot_unlink_or_free_the_task() {
        // One shard each, so the two tasks below share a list.
        let own = Registry::new(1);
        let scheduler = WrongRegistry(Arc::new(Inner {
            queue: Mutex::new(Vec::new()),
            other: Registry::new(1),
        }));
        let drops = Arc::new(AtomicUsize::new(0));
        let guard = CountDrop(drops.clone());
        let (mut handle, notified) = own.bind(
            async move {
                let _guard = guard;
                7
            },
            scheduler.clone(),
            TaskMeta::here(None),
        );
        // A second task, bound after it, so the first one has a neighbour in its list: a
        // registry that followed the first task's links would rewrite this one's.
        let (pending, _queued) = own.bind(
            std::future::pending::<()>(),
            scheduler.clone(),
            TaskMeta::here(None),
        );
        notified.expect("the registry is open").run();

        // The task completed; it is still linked in the registry that bound it (the scheduler
        // pointed the harness elsewhere), and the other registry was not touched.
        assert_eq!(drops.load(Ordering::SeqCst), 1);
        assert_eq!(own.len(), 2);
        assert_eq!(scheduler.0.other.len(), 0);
        let mut cx = Context::from_waker(Waker::noop());
        assert!(matches!(
            Pin::new(&mut handle).poll(&mut cx),
            Poll::Ready(Ok(7))
        ));
        drop(handle);

        // Its own registry still releases it, once (under ASan: no use after free), and cancels
        // the pending one.
        own.close();
        assert_eq!(own.len(), 0);
        assert!(pending.is_finished());
        scheduler.0.other.close();
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn a_completed_task_leaves_the_registry_that_bound_it() {
        let own = Arc::new(Registry::new(4));
        #[derive(Clone)]
        struct Right(Arc<Registry>, Arc<Mutex<Vec<Notified>>>);
        impl Schedule for Right {
            fn schedule(&self, task: Notified) {
                self.1.lock().unwrap().push(task);
            }
            fn registry(&self) -> &Registry {
                &self.0
            }
        }
        let scheduler = Right(own.clone(), Arc::default());
        let (handle, notified) = own.bind(async { 1 }, scheduler, TaskMeta::here(None));
        assert_eq!(own.len(), 1);
        notified.unwrap().run();
        assert_eq!(own.len(), 0);
        assert!(handle.is_finished());
    }
}
