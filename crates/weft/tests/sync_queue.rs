//! asyncio's queues: order, bounds, task_done / join, shutdown, cancellation, many tasks.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{GetError, LifoQueue, PriorityQueue, PutError, Queue, QueueShutDown};

fn rt(workers: usize) -> weft::Runtime {
    weft::runtime::Builder::new()
        .worker_threads(workers)
        .build()
        .unwrap()
}

async fn yield_some() {
    for _ in 0..20 {
        weft::task::yield_now().await;
    }
}

#[test]
fn each_kind_gives_items_in_its_order() {
    weft::run(async {
        let fifo = Queue::new(0);
        let lifo = LifoQueue::new(0);
        let heap = PriorityQueue::new(0);
        for n in [3, 1, 2] {
            fifo.put(n).await.unwrap();
            lifo.put(n).await.unwrap();
            heap.put(n).await.unwrap();
        }
        let mut got = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..3 {
            got.0.push(fifo.get().await.unwrap());
            got.1.push(lifo.get().await.unwrap());
            got.2.push(heap.get().await.unwrap());
        }
        assert_eq!(got, (vec![3, 1, 2], vec![2, 1, 3], vec![1, 2, 3]));
        assert!(fifo.empty() && lifo.empty() && heap.empty());
    });
}

#[test]
fn a_full_queue_makes_put_wait_until_a_get_frees_a_place() {
    let rt = rt(2);
    rt.block_on(async {
        let queue = Queue::new(2);
        queue.put(1).await.unwrap();
        queue.put(2).await.unwrap();
        assert!(queue.full());
        assert_eq!(queue.put_nowait(9), Err(PutError::Full(9)));
        let third = weft::spawn({
            let queue = queue.clone();
            async move { queue.put(3).await }
        });
        yield_some().await;
        assert!(!third.is_finished(), "put waits while the queue is full");
        assert_eq!(queue.get().await.unwrap(), 1);
        third.await.unwrap().unwrap();
        assert_eq!(queue.qsize(), 2);
        assert_eq!(queue.get().await.unwrap(), 2);
        assert_eq!(queue.get().await.unwrap(), 3);
        assert_eq!(queue.get_nowait(), Err(GetError::Empty));
    });
    rt.close();
}

#[test]
fn join_waits_for_task_done_on_every_item() {
    let rt = rt(2);
    rt.block_on(async {
        let queue = Queue::new(0);
        queue.join().await; // nothing unfinished: returns at once
        for n in 0..3 {
            queue.put(n).await.unwrap();
        }
        let joiner = weft::spawn({
            let queue = queue.clone();
            async move { queue.join().await }
        });
        for _ in 0..3 {
            queue.get().await.unwrap();
        }
        yield_some().await;
        assert!(
            !joiner.is_finished(),
            "items got but not done are unfinished"
        );
        queue.task_done();
        queue.task_done();
        yield_some().await;
        assert!(!joiner.is_finished());
        queue.task_done();
        joiner.await.unwrap();
    });
    rt.close();
}

#[test]
fn task_done_called_too_many_times_panics_saying_so() {
    let queue = Queue::<u8>::new(0);
    let payload = std::panic::catch_unwind(|| queue.task_done()).unwrap_err();
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(msg.contains("task_done() called too many times"), "{msg}");
    // The queue still works after the panic.
    queue.put_nowait(1).unwrap();
    queue.task_done();
}

#[test]
fn shutdown_fails_puts_and_lets_gets_drain_the_queue_first() {
    let rt = rt(2);
    rt.block_on(async {
        let queue = Queue::new(1);
        queue.put("a").await.unwrap();
        let waiting_put = weft::spawn({
            let queue = queue.clone();
            async move { queue.put("b").await }
        });
        yield_some().await;
        queue.shutdown(false);
        assert_eq!(waiting_put.await.unwrap(), Err(QueueShutDown("b")));
        assert_eq!(queue.put_nowait("c"), Err(PutError::ShutDown("c")));
        assert!(matches!(queue.put("d").await, Err(QueueShutDown("d"))));
        assert_eq!(
            queue.get().await,
            Ok("a"),
            "what was queued can still be got"
        );
        assert_eq!(queue.get().await, Err(QueueShutDown(())));
        assert_eq!(queue.get_nowait(), Err(GetError::ShutDown));
        // A getter already waiting on an empty queue fails at shutdown, and an unbounded
        // queue refuses puts too.
        let empty = Queue::<u32>::new(0);
        let getter = weft::spawn({
            let empty = empty.clone();
            async move { empty.get().await }
        });
        yield_some().await;
        empty.shutdown(false);
        assert_eq!(getter.await.unwrap(), Err(QueueShutDown(())));
        assert_eq!(empty.put(5).await, Err(QueueShutDown(5)));
        assert_eq!(empty.put_nowait(6), Err(PutError::ShutDown(6)));
        assert_eq!(empty.qsize(), 0);
    });
    rt.close();
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn an_immediate_shutdown_drops_the_items_and_counts_them_done() {
    let rt = rt(2);
    rt.block_on(async {
        let drops = Arc::new(AtomicUsize::new(0));
        let queue = Queue::new(0);
        for _ in 0..3 {
            queue.put(Counted(drops.clone())).await.unwrap();
        }
        let got = queue.get().await.unwrap(); // one item out, still unfinished
        let joiner = weft::spawn({
            let queue = queue.clone();
            async move { queue.join().await }
        });
        queue.shutdown(true);
        assert_eq!(
            drops.load(Ordering::SeqCst),
            2,
            "the queued items were dropped"
        );
        assert!(queue.get().await.is_err());
        yield_some().await;
        assert!(!joiner.is_finished(), "the item got is still unfinished");
        drop(got);
        queue.task_done();
        joiner.await.unwrap();
    });
    rt.close();
}

#[test]
fn a_cancelled_get_loses_nothing_and_waiters_are_served_in_order() {
    let rt = rt(1);
    rt.block_on(async {
        let queue = Queue::new(0);
        let lost = weft::select! {
            biased;
            v = queue.get() => Some(v),
            _ = weft::task::yield_now() => None,
        };
        assert!(lost.is_none());
        queue.put(1).await.unwrap();
        assert_eq!(queue.qsize(), 1, "the dropped get took nothing");
        assert_eq!(queue.get().await.unwrap(), 1);
        // Three getters wait in order; three puts reach them in that order.
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut getters = Vec::new();
        for id in 0..3 {
            let queue = queue.clone();
            let order = order.clone();
            getters.push(weft::spawn(async move {
                let v = queue.get().await.unwrap();
                order.lock().unwrap().push((id, v));
            }));
            yield_some().await; // getter `id` waits before the next one starts
        }
        for v in 10..13 {
            queue.put(v).await.unwrap();
        }
        for g in getters {
            g.await.unwrap();
        }
        // Getter `id` got the `id`-th value (FIFO); on two workers they may record it in any
        // order.
        let mut got = order.lock().unwrap().clone();
        got.sort();
        assert_eq!(got, [(0, 10), (1, 11), (2, 12)]);
    });
    rt.close();
}

#[test]
fn many_producers_and_consumers_move_every_item_once() {
    let rt = rt(2);
    rt.block_on(async {
        let queue = Queue::new(8);
        let mut producers = Vec::new();
        for p in 0..4u64 {
            let queue = queue.clone();
            producers.push(weft::spawn(async move {
                for i in 0..2_000u64 {
                    queue.put(p * 1_000_000 + i).await.unwrap();
                }
            }));
        }
        let mut consumers = Vec::new();
        for _ in 0..3 {
            let queue = queue.clone();
            consumers.push(weft::spawn(async move {
                let mut got = Vec::new();
                while let Ok(v) = queue.get().await {
                    got.push(v);
                    queue.task_done();
                }
                got
            }));
        }
        for p in producers {
            p.await.unwrap();
        }
        queue.join().await;
        queue.shutdown(false);
        let mut all = Vec::new();
        for c in consumers {
            all.extend(c.await.unwrap());
        }
        all.sort_unstable();
        let mut expected: Vec<u64> = (0..4u64)
            .flat_map(|p| (0..2_000u64).map(move |i| p * 1_000_000 + i))
            .collect();
        expected.sort_unstable();
        assert_eq!(all, expected);
    });
    rt.close();
}
