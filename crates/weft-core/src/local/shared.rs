//! What the loop's thread shares with every other thread: the remote queue and its sleep
//! protocol ([`Remote`]), the registry, and the driver's unparker.
//!
//! # The sleep protocol
//!
//! One mutex guards the remote queue, the main future's remote wake-up and the `sleeping`
//! flag. The loop sleeps only after [`Remote::prepare_sleep`] found, under the lock, the queue
//! empty and no remote wake-up of the main future; it then sets `sleeping` (still under the
//! lock) and parks its driver. A push ([`Remote::push`]) or a wake of the main future from
//! another thread ([`Remote::wake_main`]) makes its change under the lock and clears
//! `sleeping`; if it was set, the caller unparks the driver. Either the waker's lock comes
//! first, and the loop's check sees its change, or the loop's comes first, and the waker sees
//! `sleeping` and unparks; the driver keeps an unpark that comes before its park.
//!
//! Wakes on the loop's own thread while it runs (the common case: a task finishing wakes the
//! `block_on` future awaiting it, or a task waking another) take no lock: they go to the
//! core's own queue and flag (`core.rs`), which the loop looks at before it prepares to sleep.
//! The loop looks at the remote side every `GLOBAL_INTERVAL` tasks and whenever its own queue
//! is empty. No atomics: the mutex orders everything.

use crate::driver::Unpark;
use crate::scheduler::{DebugConfig, PollClock, WorkerCounters};
use crate::sync::Mutex;
use crate::task::{Notified, Registry};
use std::collections::VecDeque;

/// The state every thread may touch, behind the handle's `Arc`.
pub(crate) struct Shared {
    pub(crate) remote: Remote<Notified>,
    pub(crate) registry: Registry,
    /// Unparks the loop's driver (std's `Arc` even under loom: a trait object, no protocol).
    pub(crate) unpark: std::sync::Arc<dyn Unpark>,
    /// The loop's poll count, bumped before each task it runs (written by the loop alone,
    /// read by `Handle::metrics`: a statistic, std's atomic even under loom).
    pub(crate) polls: std::sync::atomic::AtomicU64,
    /// The loop's other counters (parks, busy time), as a worker's.
    pub(crate) counters: WorkerCounters,
    /// The loop's current poll, while polls are timed (debug mode, inspection).
    pub(crate) clock: PollClock,
    /// Debug mode's settings, when it is on.
    pub(crate) debug: Option<DebugConfig>,
    /// Keeps polls timed while debug mode is on.
    _timing: Option<crate::task::TimingGuard>,
}

/// The remote queue and the sleeping flag (see the module doc). Generic so the loom model can
/// drive it with plain values.
pub(crate) struct Remote<T> {
    state: Mutex<RemoteState<T>>,
}

struct RemoteState<T> {
    queue: VecDeque<T>,
    /// The main future was woken from another thread since the loop last looked.
    main_woken: bool,
    sleeping: bool,
    closed: bool,
}

/// What the loop took from the remote side.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Taken {
    /// Entries moved into the loop's queue.
    pub(crate) tasks: usize,
    /// Whether the main future was woken from another thread.
    pub(crate) main_woken: bool,
}

/// Whether a waker must unpark the loop.
#[must_use = "unpark the driver when it says so"]
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Wake {
    Unpark,
    Nothing,
}

impl<T> Remote<T> {
    pub(crate) fn new() -> Remote<T> {
        Remote {
            state: Mutex::new(RemoteState {
                queue: VecDeque::new(),
                main_woken: false,
                sleeping: false,
                closed: false,
            }),
        }
    }

    /// Queues `item` for the loop. After [`Remote::close`] the item is handed back (to be
    /// dropped by the caller, outside the lock).
    pub(crate) fn push(&self, item: T) -> Result<Wake, T> {
        let mut state = self.state.lock();
        if state.closed {
            return Err(item);
        }
        state.queue.push_back(item);
        Ok(Self::take_sleeper(&mut state))
    }

    /// Marks the main future woken, from any thread but the loop's while it runs.
    pub(crate) fn wake_main(&self) -> Wake {
        let mut state = self.state.lock();
        state.main_woken = true;
        Self::take_sleeper(&mut state)
    }

    fn take_sleeper(state: &mut RemoteState<T>) -> Wake {
        if std::mem::replace(&mut state.sleeping, false) {
            Wake::Unpark
        } else {
            Wake::Nothing
        }
    }

    /// Moves everything queued into `local` and consumes the main future's remote wake-up.
    pub(crate) fn take_into(&self, local: &mut VecDeque<T>) -> Taken {
        let mut state = self.state.lock();
        let tasks = state.queue.len();
        local.append(&mut state.queue);
        Taken {
            tasks,
            main_woken: std::mem::replace(&mut state.main_woken, false),
        }
    }

    /// The loop is about to park: `true` (and `sleeping` set) when nothing is queued and the
    /// main future was not woken from elsewhere, else `false` and the loop looks again.
    pub(crate) fn prepare_sleep(&self) -> bool {
        let mut state = self.state.lock();
        if state.queue.is_empty() && !state.main_woken {
            state.sleeping = true;
            true
        } else {
            false
        }
    }

    /// Whether the loop is parked (or about to) with nothing queued from elsewhere.
    pub(crate) fn is_asleep_and_empty(&self) -> bool {
        let state = self.state.lock();
        state.sleeping && state.queue.is_empty() && !state.main_woken
    }

    /// Entries queued from other threads, not yet taken by the loop.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().queue.len()
    }

    /// The loop is awake again (its park returned, for whatever reason).
    pub(crate) fn woke(&self) {
        self.state.lock().sleeping = false;
    }

    /// Refuses every later push and returns what is queued.
    pub(crate) fn close(&self) -> VecDeque<T> {
        let mut state = self.state.lock();
        state.closed = true;
        std::mem::take(&mut state.queue)
    }
}

impl Shared {
    pub(crate) fn new(unpark: std::sync::Arc<dyn Unpark>, debug: Option<DebugConfig>) -> Shared {
        Shared {
            remote: Remote::new(),
            registry: Registry::new(1),
            unpark,
            polls: Default::default(),
            counters: Default::default(),
            clock: Default::default(),
            _timing: debug.as_ref().map(|_| crate::task::enable_timing()),
            debug,
        }
    }

    /// The loop's counters now (one worker: the loop's thread). Its own queue is the loop
    /// thread's alone, so the depth shown is the remote queue's, as `injector_depth`.
    pub(crate) fn metrics(&self) -> crate::scheduler::SchedulerMetrics {
        use std::sync::atomic::Ordering::Relaxed;
        crate::scheduler::SchedulerMetrics {
            workers: vec![
                self.counters
                    .read(self.polls.load(Relaxed), 0, self.clock.polling()),
            ],
            spawned: self.registry.spawned(),
            injector_depth: self.remote.len(),
            alive: self.registry.len(),
        }
    }

    /// Queues `task` from a thread that is not running the loop (or from a waker with no
    /// loop running): in the remote queue, unparking the loop if it sleeps. After close the
    /// entry is dropped (the registry has cancelled, or will cancel, the task).
    pub(crate) fn push_remote(&self, task: Notified) {
        match self.remote.push(task) {
            Ok(Wake::Unpark) => self.unpark.unpark(),
            Ok(Wake::Nothing) => {}
            Err(task) => drop(task),
        }
    }
}

#[cfg(weft_loom)]
pub mod loom_internals {
    //! The remote queue's sleep protocol, for `loom-tests/tests/local.rs`.

    use super::Wake;

    /// [`super::Remote`] with plain values.
    #[derive(Default)]
    pub struct Remote(super::Remote<u32>);

    impl Default for super::Remote<u32> {
        fn default() -> Self {
            super::Remote::new()
        }
    }

    impl Remote {
        /// Queues `v`; `Some(true)`: the caller must unpark; `None`: closed.
        pub fn push(&self, v: u32) -> Option<bool> {
            self.0.push(v).ok().map(|w| w == Wake::Unpark)
        }
        /// Wakes the main future from another thread; `true`: the caller must unpark.
        pub fn wake_main(&self) -> bool {
            self.0.wake_main() == Wake::Unpark
        }
        /// Takes the queued values and whether the main future was woken.
        pub fn take(&self) -> (Vec<u32>, bool) {
            let mut local = std::collections::VecDeque::new();
            let taken = self.0.take_into(&mut local);
            (local.into(), taken.main_woken)
        }
        /// See `Remote::prepare_sleep`.
        pub fn prepare_sleep(&self) -> bool {
            self.0.prepare_sleep()
        }
        /// See `Remote::woke`.
        pub fn woke(&self) {
            self.0.woke();
        }
    }
}
