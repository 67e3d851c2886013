//! The reactor's bookkeeping and its wake-ups: a failed registration leaves nothing behind,
//! wakers that panic or use the reactor cannot break the driver, `close` or a drop, and a
//! source registered after close fails instead of waiting.

use super::*;
use crate::Async;
use crate::readiness::{Closed, Direction};
use std::future::Future;
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::pin::{Pin, pin};
use std::sync::atomic::AtomicUsize;
use std::sync::mpsc;
use std::task::{Context, Poll, Wake};

/// Makes `reactor` the one new sources on this thread register with (as a runtime's scope
/// does), until the guard drops.
fn enter(reactor: &Arc<Reactor>) -> weft_core::context::ScopeGuard {
    weft_core::context::enter(weft_core::context::Scope {
        io: Some(reactor.clone()),
        ..Default::default()
    })
}
use weft_core::driver::Park;

struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: Arc<Self>) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl Count {
    fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

fn counting_waker() -> (Arc<Count>, Waker) {
    let count = Arc::new(Count(AtomicUsize::new(0)));
    (count.clone(), Waker::from(count))
}

/// A foreign waker that panics when woken.
struct Panics;

impl Wake for Panics {
    fn wake(self: Arc<Self>) {
        panic!("a waker that panics (expected by this test)");
    }
}

fn panicking_waker() -> Waker {
    Waker::from(Arc::new(Panics))
}

/// A waker that uses the reactor when woken (it counts its sources).
struct UsesReactor(Arc<Reactor>, mpsc::Sender<usize>);

impl Wake for UsesReactor {
    fn wake(self: Arc<Self>) {
        let _ = self.1.send(self.0.num_sources());
    }
}

fn poll_with<F: Future>(future: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    future.poll(&mut Context::from_waker(waker))
}

/// A connected pair, both registered with the current reactor.
fn pair() -> (Async<UnixStream>, Async<UnixStream>) {
    let (a, b) = UnixStream::pair().unwrap();
    (Async::new(a).unwrap(), Async::new(b).unwrap())
}

fn read(mut s: &UnixStream, buf: &mut [u8]) -> io::Result<usize> {
    s.read(buf)
}

#[test]
fn a_failed_registration_leaves_no_source_behind() {
    let reactor = Reactor::new().unwrap();
    let _enter = enter(&reactor);
    let (a, b) = pair();
    drop(b); // its slot goes to the free list, which the next registration takes from
    assert_eq!(reactor.num_sources(), 1);
    for _ in 0..3 {
        // epoll refuses regular files (EPERM).
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        assert!(Async::new(file).is_err());
        assert_eq!(
            reactor.num_sources(),
            1,
            "a failed registration must not count as a source"
        );
    }
    // The table still works: the freed slot is reused, and sources go away again.
    let (c, d) = pair();
    assert_eq!(reactor.num_sources(), 3);
    drop((a, c, d));
    assert_eq!(reactor.num_sources(), 0);
}

#[test]
fn close_wakes_every_waiter_even_after_a_waker_panics() {
    let reactor = Reactor::new().unwrap();
    let _enter = enter(&reactor);
    let (a, _a_peer) = pair();
    let (c, _c_peer) = pair();
    let mut buf = [0u8; 8];
    let mut buf2 = [0u8; 8];
    // Three waiters on `a` (a counting one between two that panic) and one on `c`.
    let mut on_a = pin!(a.read_with(|s| read(s, &mut buf)));
    assert!(poll_with(on_a.as_mut(), &panicking_waker()).is_pending());
    let (count_a, waker_a) = counting_waker();
    let mut again_on_a = pin!(a.readable());
    assert!(poll_with(again_on_a.as_mut(), &waker_a).is_pending());
    let mut third_on_a = pin!(a.readable());
    assert!(poll_with(third_on_a.as_mut(), &panicking_waker()).is_pending());
    let (count_c, waker_c) = counting_waker();
    let mut on_c = pin!(c.read_with(|s| read(s, &mut buf2)));
    assert!(poll_with(on_c.as_mut(), &waker_c).is_pending());

    reactor.close(); // must not unwind

    assert_eq!(
        count_a.get(),
        1,
        "the waiter after the panicking one was woken"
    );
    assert_eq!(count_c.get(), 1, "the other source's waiter was woken");
    for result in [
        poll_with(on_a, &waker_a),
        poll_with(on_c, &waker_c),
        poll_with(again_on_a, &waker_a).map_ok(|()| 0),
    ] {
        let Poll::Ready(Err(e)) = result else {
            panic!("a waiter of a closed reactor must fail, got {result:?}");
        };
        assert!(e.to_string().contains("closed"), "{e}");
    }
}

#[test]
fn the_driver_wakes_every_waiter_even_after_a_waker_panics() {
    let reactor = Reactor::new().unwrap();
    let _enter = enter(&reactor);
    let mut driver = IoDriver::new(reactor.clone());
    let (a, a_peer) = pair();
    let (c, c_peer) = pair();
    let mut buf = [0u8; 8];
    let mut buf2 = [0u8; 8];
    let mut on_a = pin!(a.read_with(|s| read(s, &mut buf)));
    assert!(poll_with(on_a.as_mut(), &panicking_waker()).is_pending());
    let (count_c, waker_c) = counting_waker();
    let mut on_c = pin!(c.read_with(|s| read(s, &mut buf2)));
    assert!(poll_with(on_c.as_mut(), &waker_c).is_pending());
    // `a`'s event comes first, so its panicking waker is woken before `c`'s.
    a_peer.get_ref().write_all(b"a").unwrap();
    c_peer.get_ref().write_all(b"c").unwrap();
    for _ in 0..100 {
        driver.park(Some(Duration::from_millis(100))); // must not unwind
        if count_c.get() > 0 {
            break;
        }
    }
    assert_eq!(
        count_c.get(),
        1,
        "the waiter after the panicking one was woken"
    );
    assert_eq!(
        poll_with(on_c, &waker_c).map(Result::unwrap),
        Poll::Ready(1)
    );
}

#[test]
fn dropping_a_source_survives_a_panicking_waker_and_wakes_the_rest() {
    let reactor = Reactor::new().unwrap();
    let _enter = enter(&reactor);
    let (a, _peer) = pair();
    let (count, waker) = counting_waker();
    {
        let mut buf = [0u8; 8];
        let mut panicking = pin!(a.read_with(|s| read(s, &mut buf)));
        assert!(poll_with(panicking.as_mut(), &panicking_waker()).is_pending());
        let mut counting = pin!(a.readable());
        assert!(poll_with(counting.as_mut(), &waker).is_pending());
        let mut panicking_too = pin!(a.readable());
        assert!(poll_with(panicking_too.as_mut(), &panicking_waker()).is_pending());
        // The futures are dropped here; their wakers stay until the source goes.
    }
    drop(a); // must not unwind
    assert_eq!(
        count.get(),
        1,
        "the waiter after the panicking one was woken"
    );
    assert_eq!(reactor.num_sources(), 1);
}

#[test]
fn a_waker_may_use_the_reactor_when_a_drop_wakes_it() {
    let reactor = Reactor::new().unwrap();
    let (report, reported) = mpsc::channel();
    let (done, finished) = mpsc::channel();
    // On a thread of its own: waking under the sources' lock would deadlock it.
    let thread = {
        let reactor = reactor.clone();
        std::thread::spawn(move || {
            let _enter = enter(&reactor);
            let (a, _peer) = pair();
            let waker = Waker::from(Arc::new(UsesReactor(reactor.clone(), report)));
            {
                let mut buf = [0u8; 8];
                let mut waiting = pin!(a.read_with(|s| read(s, &mut buf)));
                assert!(poll_with(waiting.as_mut(), &waker).is_pending());
            }
            drop(a);
            let _ = done.send(());
        })
    };
    finished
        .recv_timeout(Duration::from_secs(20))
        .expect("dropping the source deadlocked in its waker");
    thread.join().unwrap();
    assert_eq!(
        reported.recv().unwrap(),
        1,
        "woken after its source was removed"
    );
}

#[test]
fn a_source_registered_after_close_fails_instead_of_waiting() {
    let reactor = Reactor::new().unwrap();
    reactor.close();
    let (a, _b) = UnixStream::pair().unwrap();
    let source = reactor.register(a.as_fd()).unwrap();
    let (_, waker) = counting_waker();
    let mut cx = Context::from_waker(&waker);
    assert_eq!(
        source.readiness.poll_ready(Direction::Read, &mut cx),
        Poll::Ready(Err(Closed))
    );
    reactor.deregister(&source, a.as_fd());
}

#[test]
fn a_watched_source_waits_for_its_first_event_which_an_earlier_change_still_makes() {
    let reactor = Reactor::new().unwrap();
    let _enter = enter(&reactor);
    let mut driver = IoDriver::new(reactor.clone());
    let (count, waker) = counting_waker();
    // Readable before it is registered: the add reports it, and the driver wakes the waiter.
    let (a, mut a_peer) = UnixStream::pair().unwrap();
    a_peer.write_all(b"a").unwrap();
    let a = Async::new_watched(a).unwrap();
    let mut ready = pin!(a.readable());
    assert!(
        poll_with(ready.as_mut(), &waker).is_pending(),
        "no try before an event"
    );
    for _ in 0..100 {
        driver.park(Some(Duration::from_millis(100)));
        if count.get() > 0 {
            break;
        }
    }
    assert_eq!(count.get(), 1);
    assert!(poll_with(ready, &waker).is_ready());
    // Not readable yet: it waits, and the change that comes later wakes it.
    let (b, mut b_peer) = UnixStream::pair().unwrap();
    let b = Async::new_watched(b).unwrap();
    let (count, waker) = counting_waker();
    let mut ready = pin!(b.readable());
    assert!(poll_with(ready.as_mut(), &waker).is_pending());
    driver.park(Some(Duration::from_millis(10)));
    assert_eq!(count.get(), 0);
    b_peer.write_all(b"b").unwrap();
    for _ in 0..100 {
        driver.park(Some(Duration::from_millis(100)));
        if count.get() > 0 {
            break;
        }
    }
    assert_eq!(count.get(), 1);
    assert!(poll_with(ready, &waker).is_ready());
}
