//! The boundary between the runtime and user code that may panic.
//!
//! The runtime calls user code in a few kinds of places: futures (polled under the task
//! harness's own `catch_unwind`), callbacks, wakers, and the destructors of user values
//! (futures, outputs, closures, wakers). A panic in any of them must not unwind into a worker,
//! a driver or a lock, or the runtime loses the thread, poisons the lock, and every other task
//! waits forever. Drivers and queues therefore wake, and drop what they abandon, only through
//! these functions: a panic is caught, and the payload is dropped (or leaked, if dropping it
//! panics too) so nothing unwinds further. The panic hook has already printed the message.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Waker;

/// Runs `f`, which calls user code; a panic from it is caught and discarded. Returns whether
/// `f` returned normally.
pub fn guard(f: impl FnOnce()) -> bool {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => true,
        Err(payload) => {
            discard(payload);
            false
        }
    }
}

/// Wakes `waker` (consuming it); a panicking waker is caught.
pub fn wake(waker: Waker) {
    guard(move || waker.wake());
}

/// Wakes `waker` without consuming it; a panicking waker is caught.
pub fn wake_by_ref(waker: &Waker) {
    guard(|| waker.wake_by_ref());
}

/// Wakes every waker (consuming them), each under its own guard, so one panicking waker does
/// not keep the rest asleep.
pub fn wake_all(wakers: impl IntoIterator<Item = Waker>) {
    for waker in wakers {
        wake(waker);
    }
}

/// Drops `value`, a user value whose destructor may panic; the panic is caught.
pub fn drop_guarded<T>(value: T) {
    guard(move || drop(value));
}

/// The message of a panic payload, when it is a string (`panic!("...")` makes a `&str` or a
/// `String`).
pub fn payload_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

/// Drops a panic payload. A payload whose destructor panics too leaves that second panic's
/// payload, which is dropped the same way; after a few such rounds the last one is leaked
/// rather than unwound (a chain of destructors that keep panicking is not worth a loop).
pub fn discard(payload: Box<dyn Any + Send>) {
    let mut payload = payload;
    for _ in 0..4 {
        match catch_unwind(AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(again) => payload = again,
        }
    }
    std::mem::forget(payload);
}

#[cfg(all(test, not(weft_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct Panicky(AtomicUsize);

    impl Wake for Panicky {
        fn wake(self: Arc<Self>) {
            self.wake_by_ref();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
            panic!("a waker that panics");
        }
    }

    struct Counting(AtomicUsize);

    impl Wake for Counting {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn one_panicking_waker_does_not_keep_the_others_asleep() {
        let bad = Arc::new(Panicky(AtomicUsize::new(0)));
        let good = Arc::new(Counting(AtomicUsize::new(0)));
        let wakers = vec![
            Waker::from(bad.clone()),
            Waker::from(good.clone()),
            Waker::from(bad.clone()),
            Waker::from(good.clone()),
        ];
        wake_all(wakers);
        assert_eq!(bad.0.load(Ordering::SeqCst), 2);
        assert_eq!(good.0.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_payload_whose_destructor_panics_is_contained() {
        struct Bomb;
        impl Drop for Bomb {
            fn drop(&mut self) {
                panic!("a destructor that panics");
            }
        }
        assert!(!guard(|| std::panic::panic_any(Bomb)));
        drop_guarded(Bomb);
    }
}
