//! `sync::oneshot`: asyncio's Future resolved with set_result.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::runtime::Builder;
use weft::sync::oneshot;

#[test]
fn a_value_sent_from_a_plain_thread_reaches_a_task() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    let (tx, rx) = oneshot::channel();
    let task = rt.spawn(rx);
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(10));
        tx.send("from a thread").unwrap();
    });
    assert_eq!(rt.block_on(task).unwrap(), Ok("from a thread"));
}

#[test]
fn a_value_sent_from_a_callback_reaches_block_on() {
    let rt = Builder::new().worker_threads(1).build().unwrap();
    let (tx, rx) = oneshot::channel();
    rt.handle().call_soon(move || tx.send(5).unwrap());
    assert_eq!(rt.block_on(rx), Ok(5));
}

#[test]
fn a_dropped_sender_gives_recv_error() {
    let (tx, rx) = oneshot::channel::<u8>();
    drop(tx);
    let err = futures_lite::future::block_on(rx).unwrap_err();
    assert_eq!(err, oneshot::RecvError);
    assert!(err.to_string().contains("dropped"));
}

#[test]
fn send_to_a_dropped_receiver_gives_the_value_back() {
    let (tx, rx) = oneshot::channel();
    drop(rx);
    assert!(tx.is_closed());
    assert_eq!(tx.send(9), Err(9));
}

#[test]
fn try_recv_sees_empty_then_the_value() {
    let (tx, mut rx) = oneshot::channel();
    assert_eq!(rx.try_recv(), Err(oneshot::TryRecvError::Empty));
    tx.send(1).unwrap();
    assert_eq!(rx.try_recv(), Ok(1));
}

#[test]
fn an_unreceived_value_is_dropped_once_with_the_receiver() {
    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = oneshot::channel();
    assert!(tx.send(Counted(drops.clone())).is_ok());
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    drop(rx);
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn many_round_trips_across_threads() {
    let rt = Builder::new().worker_threads(2).build().unwrap();
    let total = rt.block_on(async {
        let mut total = 0u64;
        for i in 0..2000u64 {
            let (tx, rx) = oneshot::channel();
            let (back_tx, back_rx) = oneshot::channel();
            weft::spawn(async move {
                let v = rx.await.unwrap();
                back_tx.send(v * 2).unwrap();
            });
            tx.send(i).unwrap();
            total += back_rx.await.unwrap();
        }
        total
    });
    assert_eq!(total, (0..2000u64).map(|i| i * 2).sum());
}
