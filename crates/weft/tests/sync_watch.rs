//! watch: receivers see the newest value and are told of changes; send, send_replace,
//! subscribe, has_changed, changed after the sender is gone; under another executor.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::watch;

#[test]
fn a_receiver_is_told_of_each_change_and_reads_the_newest_value() {
    weft::run(async {
        let (tx, mut rx) = watch::channel(0u32);
        assert_eq!(*rx.borrow(), 0);
        assert_eq!(
            rx.has_changed(),
            Ok(false),
            "the initial value counts as seen"
        );
        tx.send(1).unwrap();
        tx.send(2).unwrap();
        assert_eq!(rx.has_changed(), Ok(true));
        rx.changed().await.unwrap();
        assert_eq!(
            *rx.borrow(),
            2,
            "changes between looks merge into the newest"
        );
        assert_eq!(rx.has_changed(), Ok(false));
        assert_eq!(tx.send_replace(3), 2);
        assert_eq!(*rx.borrow_and_update(), 3);
        assert_eq!(rx.has_changed(), Ok(false));
    });
}

#[test]
fn a_waiting_receiver_is_woken_by_a_send_from_another_thread() {
    let rt = weft::runtime::Builder::new()
        .worker_threads(2)
        .build()
        .unwrap();
    rt.block_on(async {
        let (tx, rx) = watch::channel(String::from("a"));
        let mut waiters = Vec::new();
        for _ in 0..4 {
            let mut rx = rx.clone();
            waiters.push(weft::spawn(async move {
                rx.changed().await.unwrap();
                rx.borrow().clone()
            }));
        }
        for _ in 0..20 {
            weft::task::yield_now().await;
        }
        let tx = std::thread::spawn(move || {
            tx.send("b".into()).unwrap();
            tx
        })
        .join()
        .unwrap();
        for w in waiters {
            assert_eq!(w.await.unwrap(), "b");
        }
        drop(tx);
    });
    rt.close();
}

#[test]
fn subscribe_and_clone_start_from_what_was_seen() {
    weft::run(async {
        let (tx, mut rx) = watch::channel(1);
        tx.send(2).unwrap();
        let fresh = tx.subscribe();
        assert_eq!(
            fresh.has_changed(),
            Ok(false),
            "a new subscriber has seen the current value"
        );
        let copy = rx.clone();
        assert_eq!(
            copy.has_changed(),
            Ok(true),
            "a clone has seen what its original saw"
        );
        rx.changed().await.unwrap();
        assert_eq!(tx.receiver_count(), 3);
        assert!(fresh.same_channel(&rx));
    });
}

#[test]
fn the_sender_gone_ends_changed_after_the_newest_value_was_seen() {
    weft::run(async {
        let (tx, mut rx) = watch::channel(0);
        tx.send(5).unwrap();
        drop(tx);
        assert_eq!(rx.has_changed(), Ok(true));
        rx.changed().await.unwrap();
        assert_eq!(*rx.borrow(), 5);
        assert!(rx.changed().await.is_err());
        assert!(rx.has_changed().is_err());
        // A waiting receiver is woken by the drop.
        let (tx, mut rx) = watch::channel(0);
        let (polled_tx, polled_rx) = weft::sync::oneshot::channel();
        let waiter = weft::spawn(async move {
            let mut changed = std::pin::pin!(rx.changed());
            let first = std::future::poll_fn(|cx| {
                std::task::Poll::Ready(std::future::Future::poll(changed.as_mut(), cx))
            })
            .await;
            assert!(first.is_pending(), "nothing changed yet");
            polled_tx.send(()).unwrap();
            changed.await
        });
        polled_rx.await.unwrap();
        drop(tx);
        assert!(waiter.await.unwrap().is_err());
    });
}

#[test]
fn send_fails_with_the_value_back_when_no_receiver_is_left() {
    let (tx, rx) = watch::channel(0);
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(7).unwrap_err().0, 7);
    assert_eq!(*tx.borrow(), 0, "a failed send stores nothing");
    assert_eq!(tx.send_replace(8), 0, "send_replace stores anyway");
}

#[test]
fn it_works_under_another_executor() {
    let (tx, mut rx) = watch::channel(0);
    let seen = Arc::new(AtomicUsize::new(0));
    let s = seen.clone();
    let t = std::thread::spawn(move || {
        futures_lite::future::block_on(async move {
            while rx.changed().await.is_ok() {
                s.store(*rx.borrow_and_update(), Ordering::SeqCst);
            }
        });
    });
    tx.send(9).unwrap();
    while seen.load(Ordering::SeqCst) != 9 {
        std::thread::yield_now();
    }
    drop(tx);
    t.join().unwrap();
}
