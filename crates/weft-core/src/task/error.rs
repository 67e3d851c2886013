//! `JoinError`: why a task produced no output.

use super::TaskId;
use std::any::Any;
use std::fmt;

/// A task ended without an output: it was cancelled (aborted, or its runtime closed) or its
/// future panicked.
///
/// ```
/// # fn f(e: weft::task::JoinError) {
/// if e.is_panic() {
///     std::panic::resume_unwind(e.into_panic());
/// }
/// # }
/// ```
pub struct JoinError {
    id: TaskId,
    repr: Repr,
}

enum Repr {
    /// `closed`: by its runtime's close (or a spawn after it), not by an abort.
    Cancelled {
        closed: bool,
    },
    Panic(PanicPayload),
}

/// A panic payload that can only be moved out, never shared; that is what makes `JoinError`
/// `Sync` while `Box<dyn Any + Send>` is not.
struct PanicPayload(Box<dyn Any + Send + 'static>);

// SAFETY: no `&PanicPayload` ever reaches the payload: the only access is by value
// (`JoinError::into_panic`) or through `&mut`. A shared reference therefore exposes nothing
// that could be used from two threads at once.
unsafe impl Sync for PanicPayload {}

impl JoinError {
    pub(crate) fn cancelled(id: TaskId) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled { closed: false },
        }
    }

    /// Cancelled because its runtime closed (or was closed when it was spawned).
    pub(crate) fn closed(id: TaskId) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled { closed: true },
        }
    }

    pub(crate) fn panic(id: TaskId, payload: Box<dyn Any + Send + 'static>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(PanicPayload(payload)),
        }
    }

    /// The task was cancelled: aborted through its `JoinHandle`, or dropped when its runtime
    /// closed.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled { .. })
    }

    /// The task's future panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// The panic payload, to re-raise it with `std::panic::resume_unwind`.
    ///
    /// # Panics
    ///
    /// Panics when the error is not a panic; use [`JoinError::try_into_panic`] to check.
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        self.try_into_panic().expect(
            "JoinError::into_panic called on a cancelled task's error; check is_panic() first",
        )
    }

    /// The panic payload, or the error back when the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic(p) => Ok(p.0),
            Repr::Cancelled { .. } => Err(self),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> TaskId {
        self.id
    }

    fn panic_message(&self) -> Option<&str> {
        match &self.repr {
            Repr::Panic(p) => crate::unwind::payload_message(&*p.0),
            Repr::Cancelled { .. } => None,
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled { closed: false }, _) => write!(f, "task {} was cancelled", self.id),
            (Repr::Cancelled { closed: true }, _) => write!(
                f,
                "task {} was cancelled: its runtime is closed (spawn on a running runtime)",
                self.id
            ),
            (Repr::Panic(_), Some(msg)) => {
                write!(f, "task {} panicked with message {msg:?}", self.id)
            }
            (Repr::Panic(_), None) => write!(f, "task {} panicked", self.id),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.repr, self.panic_message()) {
            (Repr::Cancelled { closed: false }, _) => {
                write!(f, "JoinError::Cancelled({:?})", self.id)
            }
            (Repr::Cancelled { closed: true }, _) => {
                write!(f, "JoinError::Cancelled({:?}, runtime closed)", self.id)
            }
            (Repr::Panic(_), Some(msg)) => write!(f, "JoinError::Panic({:?}, {msg:?})", self.id),
            (Repr::Panic(_), None) => write!(f, "JoinError::Panic({:?}, ..)", self.id),
        }
    }
}

impl std::error::Error for JoinError {}

/// A `JoinError` as an `io::Error` of kind [`Other`](std::io::ErrorKind::Other), carrying
/// the error's message ("task 7 was cancelled", "task 7 panicked with message ..."), for
/// code that joins a task inside an `io::Result` function (`handle.await?`).
///
/// Not `Interrupted`, though a cancelled task might read as one: std's and futures' I/O loops
/// (`read_exact`, `read_to_end`, `write_all`, `io::copy`) retry on `Interrupted`, and would
/// spin on a task that stays cancelled.
impl From<JoinError> for std::io::Error {
    fn from(e: JoinError) -> std::io::Error {
        std::io::Error::other(e.to_string())
    }
}
