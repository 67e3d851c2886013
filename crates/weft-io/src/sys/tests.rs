//! The backend contract (`mod.rs`), checked through the trait only, so the same tests hold
//! for whichever backend this platform builds.

use super::{Backend, Events, Poller};
use crate::readiness::IoEvent;
use std::io::Write;
use std::net::Shutdown;
use std::os::fd::AsFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

const KEY: usize = 7;
/// Long enough that a wait that should return at once visibly did.
const LONG: Duration = Duration::from_secs(20);
/// Long enough for an event that is coming to have come.
const SHORT: Duration = Duration::from_millis(50);

/// A connected, non-blocking pair; the first is added under [`KEY`].
fn added_pair(poller: &Backend) -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    // SAFETY: every test deletes `a` before dropping it, or drops the poller first.
    unsafe { poller.add(a.as_fd(), KEY).unwrap() };
    (a, b)
}

/// One wait's events.
fn wait(
    poller: &Backend,
    events: &mut <Backend as Poller>::Events,
    timeout: Duration,
) -> Vec<(usize, IoEvent)> {
    poller.wait(events, Some(timeout)).unwrap();
    events.iter().collect()
}

/// Waits until `key` reports an event matching `want`, or panics after a few seconds.
fn wait_for(
    poller: &Backend,
    events: &mut <Backend as Poller>::Events,
    want: impl Fn(&IoEvent) -> bool,
) -> IoEvent {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Some((_, event)) = wait(poller, events, SHORT)
            .into_iter()
            .find(|(key, event)| *key == KEY && want(event))
        {
            return event;
        }
    }
    panic!("no such event within 5 s");
}

#[test]
fn data_from_the_peer_is_one_readable_edge() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    let (a, mut b) = added_pair(&poller);
    // Edge mode still reports the state a source starts in: writable.
    wait_for(&poller, &mut events, |e| e.writable);
    b.write_all(b"x").unwrap();
    wait_for(&poller, &mut events, |e| e.readable);
    // Nothing changed since: no event repeats, though the byte is still unread.
    assert!(wait(&poller, &mut events, SHORT).is_empty());
    poller.delete(a.as_fd()).unwrap();
}

#[test]
fn readiness_present_at_add_is_reported_as_an_event() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    let (a, mut b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.write_all(b"x").unwrap();
    // SAFETY: `a` is deleted before it is dropped.
    unsafe { poller.add(a.as_fd(), KEY).unwrap() };
    wait_for(&poller, &mut events, |e| e.readable);
    poller.delete(a.as_fd()).unwrap();
}

#[test]
fn a_peer_that_closes_its_writing_side_is_a_read_hang_up() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    let (a, b) = added_pair(&poller);
    b.shutdown(Shutdown::Write).unwrap();
    let event = wait_for(&poller, &mut events, |e| e.readable);
    assert!(event.read_hup, "{event:?}");
    poller.delete(a.as_fd()).unwrap();
}

#[test]
fn a_deleted_source_reports_nothing() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    let (a, mut b) = added_pair(&poller);
    poller.delete(a.as_fd()).unwrap();
    b.write_all(b"x").unwrap();
    assert!(wait(&poller, &mut events, SHORT).is_empty());
}

#[test]
fn a_notify_before_the_wait_makes_it_return_at_once_with_no_events() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    poller.notify();
    let start = Instant::now();
    assert!(wait(&poller, &mut events, LONG).is_empty());
    assert!(start.elapsed() < LONG / 2);
}

#[test]
fn a_notify_from_another_thread_interrupts_a_wait_in_progress() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    let start = Instant::now();
    std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(SHORT);
            poller.notify();
        });
        poller.wait(&mut events, None).unwrap();
    });
    assert!(start.elapsed() < LONG);
    assert_eq!(events.iter().count(), 0);
}

#[test]
fn notifies_coalesce_into_one_return_and_a_later_notify_still_wakes() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    for _ in 0..3 {
        poller.notify();
    }
    let start = Instant::now();
    assert!(wait(&poller, &mut events, LONG).is_empty());
    assert!(start.elapsed() < LONG / 2);
    // Consumed: the next wait runs to its timeout.
    let start = Instant::now();
    assert!(wait(&poller, &mut events, SHORT).is_empty());
    assert!(start.elapsed() >= SHORT);
    // And the next notify makes a new return.
    poller.notify();
    let start = Instant::now();
    assert!(wait(&poller, &mut events, LONG).is_empty());
    assert!(start.elapsed() < LONG / 2);
}

#[test]
fn a_wait_never_returns_before_its_timeout() {
    let poller = Backend::new().unwrap();
    let mut events = <Backend as Poller>::Events::new();
    for timeout in [
        Duration::from_nanos(1),
        Duration::from_micros(1500),
        Duration::from_millis(3) + Duration::from_nanos(1),
    ] {
        let start = Instant::now();
        assert!(wait(&poller, &mut events, timeout).is_empty());
        assert!(start.elapsed() >= timeout, "{timeout:?}");
    }
}
