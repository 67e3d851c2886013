//! Signals raised at this very process: several listeners each see a delivery, a handler stops
//! after its cancel, forbidden signals are refused, ctrl_c completes, and listening works under
//! another executor. Each test uses a signal of its own (signals are process-wide).

use std::future::Future;
use std::io::ErrorKind;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;
use weft::signal::unix::{SignalKind, signal};

fn raise(signum: i32) {
    let me = i32::try_from(std::process::id()).unwrap();
    // SAFETY: sending a signal to our own process, which listens to it.
    assert_eq!(unsafe { libc::kill(me, signum) }, 0);
}

fn rt() -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap()
}

#[test]
fn every_listener_sees_each_delivery() {
    let rt = rt();
    rt.block_on(async {
        let mut listeners = Vec::new();
        for _ in 0..3 {
            listeners.push(signal(SignalKind::user_defined1()).unwrap());
        }
        for round in 0..3 {
            raise(libc::SIGUSR1);
            let mut tasks = Vec::new();
            for mut listener in listeners.drain(..) {
                tasks.push(weft::spawn(async move {
                    assert_eq!(listener.recv().await, Some(()));
                    listener
                }));
            }
            for t in tasks {
                listeners.push(t.await.unwrap());
            }
            assert_eq!(listeners.len(), 3, "round {round}");
        }
    });
    rt.close();
}

#[test]
fn a_handler_runs_per_delivery_and_stops_after_cancel() {
    let rt = rt();
    let cancelled_calls = Arc::new(AtomicUsize::new(0));
    let kept_calls = Arc::new(AtomicUsize::new(0));
    let (a, b) = (cancelled_calls.clone(), kept_calls.clone());
    let cancelled = rt
        .handle()
        .add_signal_handler(SignalKind::user_defined2(), move || {
            a.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    let _kept = rt
        .handle()
        .add_signal_handler(SignalKind::user_defined2(), move || {
            b.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    rt.block_on(async {
        let mut waiter = signal(SignalKind::user_defined2()).unwrap();
        let wait_for = |n: usize| {
            let kept = kept_calls.clone();
            async move {
                while kept.load(Ordering::SeqCst) < n {
                    weft::task::yield_now().await;
                }
            }
        };
        raise(libc::SIGUSR2);
        waiter.recv().await;
        wait_for(1).await;
        while cancelled_calls.load(Ordering::SeqCst) == 0 {
            weft::task::yield_now().await;
        }
        cancelled.cancel();
        let before = cancelled_calls.load(Ordering::SeqCst);
        for n in 2..=4 {
            raise(libc::SIGUSR2);
            waiter.recv().await;
            wait_for(n).await;
        }
        // Let anything the cancelled handler might still queue run.
        let (tx, rx) = weft::sync::oneshot::channel();
        weft::runtime::Handle::current().call_soon(move || {
            let _ = tx.send(());
        });
        let _ = rx.await;
        assert_eq!(
            cancelled_calls.load(Ordering::SeqCst),
            before,
            "a cancelled handler is not called again"
        );
        assert!(cancelled.is_cancelled());
    });
    rt.close();
}

#[test]
fn forbidden_signals_and_non_signals_are_invalid_input() {
    for signum in [
        libc::SIGKILL,
        libc::SIGSTOP,
        libc::SIGSEGV,
        libc::SIGILL,
        libc::SIGFPE,
        libc::SIGBUS,
        0,
        -1,
        999,
    ] {
        let err = signal(SignalKind::from_raw(signum)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "signal {signum}");
    }
    let rt = rt();
    let err = rt
        .handle()
        .add_signal_handler(SignalKind::from_raw(libc::SIGKILL), || {})
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    rt.close();
}

#[test]
fn ctrl_c_completes_on_the_next_sigint() {
    let rt = rt();
    rt.block_on(async {
        // Listening first means a SIGINT can never take the default action (ending the test
        // process), whatever happens below.
        let _guard = signal(SignalKind::interrupt()).unwrap();
        let (polled_tx, polled_rx) = weft::sync::oneshot::channel();
        let waiter = weft::spawn(async move {
            let mut ctrl_c = pin!(weft::signal::ctrl_c());
            // The first poll: from here on the next SIGINT completes it.
            let first = std::future::poll_fn(|cx| Poll::Ready(ctrl_c.as_mut().poll(cx))).await;
            assert!(first.is_pending());
            polled_tx.send(()).unwrap();
            ctrl_c.await
        });
        polled_rx.await.unwrap();
        raise(libc::SIGINT);
        waiter.await.unwrap().unwrap();
    });
    rt.close();
}

#[test]
fn a_listener_works_under_another_executor() {
    let mut winch = signal(SignalKind::window_change()).unwrap();
    raise(libc::SIGWINCH);
    assert_eq!(futures_lite::future::block_on(winch.recv()), Some(()));
}
