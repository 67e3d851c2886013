//! The event-loop surface: callbacks, run_forever / stop, is_running, current task.

mod common;

use common::runtime;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use weft::runtime::Builder;

#[test]
fn call_soon_from_a_plain_thread_runs_the_callback_on_a_worker() {
    let rt = runtime(2);
    let handle = rt.handle().clone();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        handle.call_soon(move || {
            let on_worker = std::thread::current()
                .name()
                .is_some_and(|n| n.starts_with("weft-worker"));
            tx.send(on_worker).unwrap();
        });
    })
    .join()
    .unwrap();
    assert!(rx.recv_timeout(Duration::from_secs(10)).unwrap());
}

#[test]
fn a_thousand_callbacks_run_in_the_order_given() {
    let rt = runtime(2);
    let log = Arc::new(Mutex::new(Vec::new()));
    let (tx, rx) = mpsc::channel();
    for i in 0..1000 {
        let log = log.clone();
        let tx = tx.clone();
        rt.handle().call_soon(move || {
            log.lock().unwrap().push(i);
            if i == 999 {
                tx.send(()).unwrap();
            }
        });
    }
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert_eq!(*log.lock().unwrap(), (0..1000).collect::<Vec<_>>());
}

#[test]
fn a_callback_cancelled_before_it_runs_never_runs() {
    let rt = runtime(1);
    let (block_tx, block_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel::<()>();
    // Hold the only worker so the callback cannot start before it is cancelled.
    let blocker = rt.spawn(async move {
        started_tx.send(()).unwrap();
        block_rx.recv().unwrap();
    });
    started_rx.recv().unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let cb = rt
        .handle()
        .call_soon(move || r.store(true, Ordering::SeqCst));
    assert!(!cb.is_cancelled());
    cb.cancel();
    assert!(cb.is_cancelled());
    let (done_tx, done_rx) = mpsc::channel();
    rt.handle().call_soon(move || done_tx.send(()).unwrap());
    block_tx.send(()).unwrap();
    done_rx.recv_timeout(Duration::from_secs(10)).unwrap();
    assert!(
        !ran.load(Ordering::SeqCst),
        "a cancelled callback never runs"
    );
    rt.block_on(blocker).unwrap();
}

#[test]
fn cancelling_a_callback_releases_what_it_captured_at_once() {
    let rt = runtime(2);
    let (tx, rx) = mpsc::channel::<()>();
    let handle = rt.handle().call_later(Duration::from_secs(3600), move || {
        let _ = tx.send(());
    });
    handle.cancel();
    // The handle is still alive, but the closure and its sender are gone: the receiver sees
    // the channel disconnected instead of waiting an hour.
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)),
        Err(mpsc::RecvTimeoutError::Disconnected)
    );
    assert!(handle.is_cancelled());
}

#[test]
fn cancelling_a_callback_that_ran_changes_nothing() {
    let rt = runtime(1);
    let (tx, rx) = mpsc::channel();
    let cb = rt.handle().call_soon(move || tx.send(()).unwrap());
    rx.recv_timeout(Duration::from_secs(10)).unwrap();
    while !cb.is_done() {
        std::thread::yield_now();
    }
    cb.cancel();
    assert!(!cb.is_cancelled());
}

#[test]
fn a_panicking_callback_is_reported_and_the_runtime_keeps_serving() {
    let reported = Arc::new(Mutex::new(Vec::<String>::new()));
    let r = reported.clone();
    let rt = Builder::new()
        .worker_threads(1)
        .on_callback_panic(move |payload| {
            let msg = payload.downcast_ref::<&str>().copied().unwrap_or("?");
            r.lock().unwrap().push(msg.to_owned());
        })
        .build()
        .unwrap();
    rt.handle().call_soon(|| panic!("callback failed"));
    let (tx, rx) = mpsc::channel();
    rt.handle()
        .call_soon(move || tx.send("next callback ran").unwrap());
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        "next callback ran"
    );
    assert_eq!(
        *reported.lock().unwrap(),
        vec!["callback failed".to_owned()]
    );
    assert_eq!(rt.block_on(rt.spawn(async { 5 })).unwrap(), 5);
}

#[test]
fn call_soon_after_close_never_runs_and_reports_cancelled() {
    let rt = runtime(1);
    rt.close();
    let ran = Arc::new(AtomicBool::new(false));
    let r = ran.clone();
    let cb = rt
        .handle()
        .call_soon(move || r.store(true, Ordering::SeqCst));
    assert!(cb.is_cancelled());
    assert!(!ran.load(Ordering::SeqCst));
}

#[test]
fn every_callback_queued_at_close_ends_cancelled_or_done_and_releases_its_closure() {
    // One worker; the first callback holds the runner until close has begun, so the runner
    // stops in the middle of a batch with callbacks taken out of the queue and not yet run.
    let rt = runtime(1);
    let handle = rt.handle().clone();
    let (started_tx, started_rx) = mpsc::channel();
    let first = rt.handle().call_soon(move || {
        started_tx.send(()).unwrap();
        let give_up = std::time::Instant::now() + Duration::from_secs(30);
        while !handle.is_closed() && std::time::Instant::now() < give_up {
            std::thread::yield_now();
        }
    });
    let captured = Arc::new(());
    let ran = Arc::new(AtomicUsize::new(0));
    let rest: Vec<_> = (0..1000)
        .map(|_| {
            let (captured, ran) = (captured.clone(), ran.clone());
            rt.handle().call_soon(move || {
                let _keep = captured;
                ran.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    started_rx.recv_timeout(Duration::from_secs(30)).unwrap();
    rt.close();

    assert!(first.is_done());
    let done = rest.iter().filter(|cb| cb.is_done()).count();
    let cancelled = rest.iter().filter(|cb| cb.is_cancelled()).count();
    assert_eq!(done + cancelled, 1000, "{done} done, {cancelled} cancelled");
    assert_eq!(done, ran.load(Ordering::SeqCst));
    // Every closure is gone (run, or dropped when it was cancelled), though the handles live.
    assert_eq!(Arc::strong_count(&captured), 1);
}

#[test]
fn run_forever_is_stopped_by_a_task() {
    let rt = runtime(2);
    let handle = rt.handle().clone();
    rt.spawn(async move {
        weft::task::yield_now().await;
        handle.stop();
    });
    rt.run_forever();
}

#[test]
fn run_forever_is_stopped_by_a_callback() {
    let rt = runtime(2);
    let handle = rt.handle().clone();
    rt.handle().call_soon(move || handle.stop());
    rt.run_forever();
}

#[test]
fn run_forever_is_stopped_by_another_thread() {
    let rt = runtime(1);
    let handle = rt.handle().clone();
    let stopper = std::thread::spawn(move || {
        while !handle.is_running() {
            std::thread::yield_now();
        }
        handle.stop();
    });
    rt.run_forever();
    stopper.join().unwrap();
}

#[test]
fn a_stop_before_run_forever_makes_it_return_at_once() {
    let rt = runtime(1);
    rt.handle().stop();
    rt.run_forever(); // returns: the stop was remembered
    // ...once: a second stop is needed for the next run_forever.
    let handle = rt.handle().clone();
    rt.handle().call_soon(move || handle.stop());
    rt.run_forever();
}

#[test]
fn run_forever_after_close_panics_saying_the_loop_is_closed() {
    let rt = runtime(1);
    rt.close();
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rt.run_forever())).unwrap_err();
    let message = common::panic_message(payload);
    assert!(message.contains("closed"), "{message}");
}

#[test]
fn tasks_keep_running_during_run_forever() {
    let rt = runtime(2);
    let count = Arc::new(AtomicUsize::new(0));
    let handle = rt.handle().clone();
    let c = count.clone();
    rt.spawn(async move {
        for _ in 0..100 {
            let c = c.clone();
            weft::spawn(async move {
                c.fetch_add(1, Ordering::SeqCst);
            })
            .await
            .unwrap();
        }
        handle.stop();
    });
    rt.run_forever();
    assert_eq!(count.load(Ordering::SeqCst), 100);
}

#[test]
fn is_running_is_true_only_inside_block_on_or_run_forever() {
    let rt = runtime(1);
    assert!(!rt.is_running());
    let handle = rt.handle().clone();
    assert!(rt.block_on(async move { handle.is_running() }));
    assert!(!rt.is_running());
}

#[test]
fn run_forever_inside_a_task_panics_with_nested() {
    let rt = runtime(1);
    let handle = rt.handle().clone();
    let err = rt
        .block_on(rt.spawn(async move { handle.run_forever() }))
        .unwrap_err();
    let payload = err.into_panic();
    let msg = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(msg.contains("nested"), "{msg}");
}

#[test]
fn current_task_gives_the_id_and_name_inside_and_none_outside() {
    let rt = runtime(1);
    assert!(weft::task::current().is_none());
    assert!(
        rt.block_on(async { weft::task::current().is_none() }),
        "block_on is not a task"
    );
    let named = weft::task::Builder::new().name("reporter").spawn_on(
        async {
            let me = weft::task::current().unwrap();
            (me.id(), me.name().map(str::to_owned))
        },
        rt.handle(),
    );
    let id = named.id();
    let (seen_id, seen_name) = rt.block_on(named).unwrap();
    assert_eq!(seen_id, id);
    assert_eq!(seen_name.as_deref(), Some("reporter"));
    let unnamed = rt.spawn(async { weft::task::current().unwrap().name().is_none() });
    assert!(rt.block_on(unnamed).unwrap());
}
