//! asyncio pattern 20: Lock, Event, Condition, Semaphore, Barrier — the same five, in
//! `weft::sync`, and they work under any executor too.
//!
//! ```python
//! async with lock: counter += 1            # asyncio.Lock
//! await event.wait(); event.set()          # asyncio.Event
//! async with cond: await cond.wait_for(p)  # asyncio.Condition
//! async with sem: ...                      # asyncio.Semaphore(2)
//! await barrier.wait()                     # asyncio.Barrier(3)
//! ```
//!
//! Run: `cargo run --example asyncio_20_sync_primitives`

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use weft::sync::{Barrier, Condition, Event, Mutex, Semaphore};

#[weft::main]
async fn main() {
    // Lock: a guard held across an .await.
    let counter = Arc::new(Mutex::new(0));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let counter = counter.clone();
            weft::spawn(async move {
                let mut n = counter.lock().await;
                weft::task::yield_now().await; // still holding the lock
                *n += 1;
            })
        })
        .collect();
    weft::join_all(tasks).await;
    println!("Lock: counter = {}", *counter.lock().await);

    // Event: tasks wait until it is set.
    let ready = Arc::new(Event::new());
    let waiter = weft::spawn({
        let ready = ready.clone();
        async move { ready.wait().await }
    });
    ready.set();
    waiter.await.unwrap();
    println!("Event: the waiter saw it set");

    // Condition: wait until a predicate holds, under the lock.
    let state = Arc::new((Mutex::new(Vec::new()), Condition::new()));
    let consumer = weft::spawn({
        let state = state.clone();
        async move {
            let (items, cond) = &*state;
            let items = cond.wait_while(items.lock().await, |v| v.len() < 3).await;
            items.len()
        }
    });
    for i in 0..3 {
        state.0.lock().await.push(i);
        state.1.notify_all();
    }
    println!(
        "Condition: the consumer woke with {} items",
        consumer.await.unwrap()
    );

    // Semaphore: at most 2 at once.
    let sem = Arc::new(Semaphore::new(2));
    let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let tasks: Vec<_> = (0..6)
        .map(|_| {
            let (sem, now, most) = (sem.clone(), now.clone(), most.clone());
            weft::spawn(async move {
                let _permit = sem.acquire().await.unwrap();
                let inside = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(inside, Ordering::SeqCst);
                weft::time::sleep(std::time::Duration::from_millis(2)).await;
                now.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    weft::join_all(tasks).await;
    println!(
        "Semaphore: at most {} inside at once",
        most.load(Ordering::SeqCst)
    );

    // Barrier: 3 tasks wait for each other; one of them is the leader.
    let barrier = Arc::new(Barrier::new(3));
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let barrier = barrier.clone();
            weft::spawn(async move { barrier.wait().await.is_leader() })
        })
        .collect();
    let leaders = weft::join_all(tasks)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    println!("Barrier: all 3 passed, {leaders} leader");
}
