//! smol: an `async_executor::Executor` driven by [`WORKERS`] threads, each running
//! `futures_lite::future::block_on(ex.run(..))`; and a `LocalExecutor` on the main thread for the
//! one-thread rows.

use super::{
    Countdown, Holders, LocalCount, Processed, Tally, Unfinished, WORKERS, local_ping, mpsc_sum,
    ping, ping_pong_channels, pong, reply_to,
};
use crate::http::{Server, serve_futures_io};
use crate::workload::{LocalSubject, Subject};
use async_channel::Sender;
use async_executor::{Executor, LocalExecutor};
use futures_lite::future;
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;

/// An executor and the threads that drive it.
pub(crate) struct Smol {
    ex: Arc<Executor<'static>>,
    /// Closed on drop: each thread's `ex.run` then returns.
    stop: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
}

impl Smol {
    /// Builds the executor and starts its threads.
    pub(crate) fn new() -> Smol {
        let ex = Arc::new(Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..WORKERS)
            .map(|i| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                std::thread::Builder::new()
                    .name(format!("smol-worker-{i}"))
                    .spawn(move || {
                        let _ = future::block_on(ex.run(stopped.recv()));
                    })
                    .expect("spawn smol worker")
            })
            .collect();
        Smol {
            ex,
            stop: Some(stop),
            threads,
        }
    }
}

impl Drop for Smol {
    fn drop(&mut self) {
        drop(self.stop.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// `queue_join`'s `task_done` and `join` written by hand with what the smol side already
/// uses: the count of unfinished items, and a `bounded(1)` async-channel as the wake-up (each
/// time the count reaches zero a signal is left in it, unless one is already there; the joiner
/// checks the count again after each signal, so a stale one costs a check, never a miss).
struct Joinable {
    unfinished: Unfinished,
    zero_tx: Sender<()>,
    zero_rx: async_channel::Receiver<()>,
}

impl Joinable {
    fn new() -> Joinable {
        let (zero_tx, zero_rx) = async_channel::bounded(1);
        Joinable {
            unfinished: Unfinished::default(),
            zero_tx,
            zero_rx,
        }
    }

    /// One item processed; the last unfinished one wakes the joiner.
    fn task_done(&self) {
        if self.unfinished.done() {
            // Full: a wake-up is already waiting, which is all the joiner needs.
            let _ = self.zero_tx.try_send(());
        }
    }

    /// Returns once no item is unfinished.
    async fn join(&self) {
        while !self.unfinished.is_zero() {
            self.zero_rx
                .recv()
                .await
                .expect("queue_join: wake-up closed");
        }
    }
}

/// Which receive of `select_two_channels` finished first, with what it got.
enum Side<T> {
    A(T),
    B(T),
}

/// Spawns the next link of `chained_spawn` on `ex` (smol has no ambient executor).
fn chain(ex: Arc<Executor<'static>>, done: Sender<()>, left: usize) {
    if left == 0 {
        done.try_send(())
            .expect("chained_spawn: signal channel full");
    } else {
        let next = ex.clone();
        ex.spawn(async move { chain(next, done, left - 1) })
            .detach();
    }
}

impl Subject for Smol {
    fn name(&self) -> &'static str {
        "smol"
    }

    fn spawn_many_task(&self, n: usize) {
        let ex = self.ex.clone();
        let root = self.ex.spawn(async move {
            let tasks: Vec<_> = (0..n).map(|_| ex.spawn(async {})).collect();
            for t in tasks {
                t.await;
            }
        });
        future::block_on(root);
    }

    fn spawn_many_outside(&self, n: usize) {
        let tasks: Vec<_> = (0..n).map(|_| self.ex.spawn(async {})).collect();
        future::block_on(async {
            for t in tasks {
                t.await;
            }
        });
    }

    fn spawn_many_remote_busy(&self, n: usize) {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let busy: Vec<_> = (0..WORKERS)
            .map(|_| {
                let stop = stop.clone();
                self.ex.spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        future::yield_now().await;
                    }
                })
            })
            .collect();
        let tasks: Vec<_> = (0..n).map(|_| self.ex.spawn(async {})).collect();
        future::block_on(async {
            for t in tasks {
                t.await;
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            for b in busy {
                b.await;
            }
        });
    }

    fn yield_many(&self, tasks: usize, yields: usize) {
        let tasks: Vec<_> = (0..tasks)
            .map(|_| {
                self.ex.spawn(async move {
                    for _ in 0..yields {
                        future::yield_now().await;
                    }
                })
            })
            .collect();
        future::block_on(async {
            for t in tasks {
                t.await;
            }
        });
    }

    fn ping_pong(&self, rounds: usize) {
        let ((ptx, prx), (qtx, qrx)) = ping_pong_channels();
        let a = self.ex.spawn(ping(ptx, prx, rounds));
        let b = self.ex.spawn(pong(qtx, qrx, rounds));
        future::block_on(async {
            a.await;
            b.await;
        });
    }

    fn chained_spawn(&self, depth: usize) {
        let (tx, rx) = async_channel::bounded(1);
        let ex = self.ex.clone();
        self.ex
            .spawn(async move { chain(ex, tx, depth - 1) })
            .detach();
        future::block_on(rx.recv()).expect("chained_spawn: chain dropped");
    }

    fn call_soon(&self, n: usize) {
        let (countdown, done) = Countdown::new(n);
        for _ in 0..n {
            let countdown = countdown.clone();
            self.ex.spawn(async move { countdown.tick() }).detach();
        }
        done.recv().expect("call_soon: callbacks lost");
    }

    fn oneshot_round_trip(&self, rounds: usize) {
        let ex = self.ex.clone();
        let driver = self.ex.spawn(async move {
            for i in 0..rounds {
                let (tx, rx) = futures_channel::oneshot::channel::<usize>();
                let (back_tx, back_rx) = futures_channel::oneshot::channel::<usize>();
                ex.spawn(async move {
                    let v = rx.await.expect("sender dropped");
                    back_tx.send(v * 2).expect("receiver dropped");
                })
                .detach();
                tx.send(i).expect("receiver dropped");
                assert_eq!(back_rx.await.expect("sender dropped"), i * 2);
            }
        });
        future::block_on(driver);
    }

    fn blocking_many(&self, n: usize) {
        let jobs: Vec<_> = (0..n).map(|i| blocking::unblock(move || i)).collect();
        future::block_on(async {
            for (i, job) in jobs.into_iter().enumerate() {
                assert_eq!(job.await, i);
            }
        });
    }

    fn blocking_mixed(&self, n: usize) {
        let jobs: Vec<_> = (0..n).map(|i| blocking::unblock(move || i)).collect();
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                self.ex.spawn(async {
                    for _ in 0..10 {
                        future::yield_now().await;
                    }
                })
            })
            .collect();
        future::block_on(async {
            for job in jobs {
                job.await;
            }
            for task in tasks {
                task.await;
            }
        });
    }

    fn timeout_not_firing(&self, tasks: usize, each: usize) {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                self.ex.spawn(async move {
                    for _ in 0..each {
                        let r = future::or(
                            async {
                                future::yield_now().await;
                                Ok(())
                            },
                            async {
                                async_io::Timer::after(std::time::Duration::from_secs(1)).await;
                                Err(())
                            },
                        )
                        .await;
                        assert!(r.is_ok(), "timeout fired");
                    }
                })
            })
            .collect();
        future::block_on(async {
            for h in handles {
                h.await;
            }
        });
    }

    fn sleep_many(&self, n: usize) {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                self.ex.spawn(async {
                    async_io::Timer::after(std::time::Duration::from_millis(1)).await;
                })
            })
            .collect();
        future::block_on(async {
            for h in handles {
                h.await;
            }
        });
    }

    fn timer_insert_cancel(&self, n: usize) {
        let driver = self.ex.spawn(async move {
            for _ in 0..n {
                let mut timer = async_io::Timer::after(std::time::Duration::from_secs(1));
                assert!(future::poll_once(&mut timer).await.is_none());
            }
        });
        future::block_on(driver);
    }

    fn mutex_contended(&self, tasks: usize, each: usize) {
        let count = Arc::new(async_lock::Mutex::new(0usize));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let count = count.clone();
                self.ex.spawn(async move {
                    for _ in 0..each {
                        let mut n = count.lock().await;
                        future::yield_now().await;
                        *n += 1;
                    }
                })
            })
            .collect();
        future::block_on(async {
            for h in handles {
                h.await;
            }
        });
        let count = count.try_lock().expect("mutex_contended: still locked");
        assert_eq!(*count, tasks * each, "mutex_contended: lost an increment");
    }

    fn semaphore_acquire(&self, tasks: usize, each: usize, permits: usize) {
        let sem = Arc::new(async_lock::Semaphore::new(permits));
        let holders = Holders::new(permits);
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (sem, holders) = (sem.clone(), holders.clone());
                self.ex.spawn(async move {
                    for _ in 0..each {
                        let _permit = sem.acquire().await;
                        let _held = holders.enter();
                        future::yield_now().await;
                    }
                })
            })
            .collect();
        future::block_on(async {
            for h in handles {
                h.await;
            }
        });
        let all: Vec<_> = (0..permits).map(|_| sem.try_acquire()).collect();
        assert!(
            all.iter().all(Option::is_some),
            "semaphore_acquire: lost a permit"
        );
    }

    fn mpsc_bounded(&self, producers: usize, each: usize, capacity: usize) {
        let (tx, rx) = async_channel::bounded(capacity);
        for _ in 0..producers {
            let tx = tx.clone();
            self.ex
                .spawn(async move {
                    for i in 0..each {
                        tx.send(i).await.expect("mpsc_bounded: receiver gone");
                    }
                })
                .detach();
        }
        drop(tx);
        let consumer = self.ex.spawn(async move {
            let mut sum = 0usize;
            while let Ok(i) = rx.recv().await {
                sum += i;
            }
            sum
        });
        let sum = future::block_on(consumer);
        assert_eq!(sum, mpsc_sum(producers, each), "mpsc_bounded: lost a value");
    }

    fn mpsc_unbounded(&self, producers: usize, each: usize) {
        let (tx, rx) = async_channel::unbounded();
        for _ in 0..producers {
            let tx = tx.clone();
            self.ex
                .spawn(async move {
                    for i in 0..each {
                        tx.try_send(i).expect("mpsc_unbounded: receiver gone");
                        if i % 100 == 99 {
                            future::yield_now().await;
                        }
                    }
                })
                .detach();
        }
        drop(tx);
        let consumer = self.ex.spawn(async move {
            let mut sum = 0usize;
            while let Ok(i) = rx.recv().await {
                sum += i;
            }
            sum
        });
        let sum = future::block_on(consumer);
        assert_eq!(
            sum,
            mpsc_sum(producers, each),
            "mpsc_unbounded: lost a value"
        );
    }

    fn tcp_echo(&self, connections: usize, rounds: usize, bytes: usize) {
        use futures_lite::{AsyncReadExt, AsyncWriteExt};
        let ex = self.ex.clone();
        let driver = self.ex.spawn(async move {
            let listener =
                async_io::Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind");
            let addr = listener.get_ref().local_addr().expect("addr");
            let inner = ex.clone();
            let server = ex.spawn(async move {
                for _ in 0..connections {
                    let (mut s, _) = listener.accept().await.expect("accept");
                    s.get_ref().set_nodelay(true).expect("nodelay");
                    inner
                        .spawn(async move {
                            let mut buf = vec![0u8; bytes];
                            while s.read_exact(&mut buf).await.is_ok() {
                                s.write_all(&buf).await.expect("echo write");
                            }
                        })
                        .detach();
                }
            });
            let clients: Vec<_> = (0..connections)
                .map(|_| {
                    ex.spawn(async move {
                        let mut s = async_io::Async::<std::net::TcpStream>::connect(addr)
                            .await
                            .expect("connect");
                        s.get_ref().set_nodelay(true).expect("nodelay");
                        let out = vec![7u8; bytes];
                        let mut back = vec![0u8; bytes];
                        for _ in 0..rounds {
                            s.write_all(&out).await.expect("write");
                            s.read_exact(&mut back).await.expect("read");
                        }
                    })
                })
                .collect();
            for c in clients {
                c.await;
            }
            server.await;
        });
        future::block_on(driver);
    }

    fn broadcast_fanout(&self, receivers: usize, values: usize) {
        let (mut tx, rx) = async_broadcast::broadcast(values);
        tx.set_await_active(false);
        let tasks: Vec<_> = (0..receivers)
            .map(|_| {
                let mut rx = rx.clone();
                self.ex.spawn(async move {
                    let mut sum = 0usize;
                    while let Ok(v) = rx.recv().await {
                        sum += v;
                    }
                    sum
                })
            })
            .collect();
        drop(rx);
        self.ex
            .spawn(async move {
                for i in 0..values {
                    tx.try_broadcast(i).expect("broadcast_fanout: no receiver");
                    if i % 100 == 99 {
                        future::yield_now().await;
                    }
                }
            })
            .detach();
        for t in tasks {
            let sum = future::block_on(t);
            assert_eq!(sum, mpsc_sum(1, values), "broadcast_fanout: lost a value");
        }
    }

    fn mpsc_round_trip(&self, rounds: usize, capacity: usize) {
        let (req_tx, req_rx) = async_channel::bounded(capacity);
        let (rep_tx, rep_rx) = async_channel::bounded(capacity);
        let server = self.ex.spawn(async move {
            let mut served = 0usize;
            while let Ok(req) = req_rx.recv().await {
                rep_tx
                    .send(reply_to(req))
                    .await
                    .expect("mpsc_round_trip: client gone");
                served += 1;
            }
            served
        });
        let client = self.ex.spawn(async move {
            for i in 0..rounds {
                req_tx.send(i).await.expect("mpsc_round_trip: server gone");
                let rep = rep_rx.recv().await.expect("mpsc_round_trip: server gone");
                assert_eq!(rep, reply_to(i), "mpsc_round_trip: wrong reply");
            }
        });
        future::block_on(async {
            client.await;
            let served = server.await;
            assert_eq!(served, rounds, "mpsc_round_trip: wrong number served");
        });
    }

    fn queue_join(&self, items: usize, consumers: usize, capacity: usize) {
        // smol has no queue with `join`: an async-channel, a count of unfinished items, and a
        // wake-up when it reaches zero (see `Joinable`).
        let (tx, rx) = async_channel::bounded(capacity);
        let joinable = Arc::new(Joinable::new());
        let processed = Arc::new(Processed::default());
        let workers: Vec<_> = (0..consumers)
            .map(|_| {
                let (rx, joinable, processed) = (rx.clone(), joinable.clone(), processed.clone());
                self.ex.spawn(async move {
                    let mut sum = 0usize;
                    while let Ok(v) = rx.recv().await {
                        sum += v;
                        processed.one();
                        joinable.task_done();
                    }
                    sum
                })
            })
            .collect();
        drop(rx);
        let producer = {
            let joinable = joinable.clone();
            self.ex.spawn(async move {
                for i in 0..items {
                    joinable.unfinished.add();
                    tx.send(i).await.expect("queue_join: consumers gone");
                }
                // `tx` drops here: the consumers end once the channel is empty.
            })
        };
        let sum = future::block_on(async move {
            producer.await;
            joinable.join().await;
            processed.check(items);
            let mut sum = 0usize;
            for w in workers {
                sum += w.await;
            }
            sum
        });
        assert_eq!(sum, mpsc_sum(1, items), "queue_join: lost an item");
    }

    fn select_two_channels(&self, each: usize, capacity: usize) {
        let (a_tx, a_rx) = async_channel::bounded(capacity);
        let (b_tx, b_rx) = async_channel::bounded(capacity);
        for tx in [a_tx, b_tx] {
            self.ex
                .spawn(async move {
                    for i in 0..each {
                        tx.send(i)
                            .await
                            .expect("select_two_channels: receiver gone");
                    }
                })
                .detach();
        }
        let consumer = self.ex.spawn(async move {
            // No select macro in smol: race the two receives (random order each poll, as
            // `select!`); once one channel is closed, drain the other.
            let (mut a, mut b) = (Tally::default(), Tally::default());
            loop {
                let next = future::race(async { Side::A(a_rx.recv().await) }, async {
                    Side::B(b_rx.recv().await)
                })
                .await;
                match next {
                    Side::A(Ok(v)) => a.add(v),
                    Side::B(Ok(v)) => b.add(v),
                    Side::A(Err(_)) => {
                        while let Ok(v) = b_rx.recv().await {
                            b.add(v);
                        }
                        break;
                    }
                    Side::B(Err(_)) => {
                        while let Ok(v) = a_rx.recv().await {
                            a.add(v);
                        }
                        break;
                    }
                }
            }
            (a, b)
        });
        let (a, b) = future::block_on(consumer);
        a.check(each, "a");
        b.check(each, "b");
    }

    fn process_spawn_wait(&self, children: usize, at_once: usize) {
        let tasks: Vec<_> = (0..at_once)
            .map(|t| {
                self.ex.spawn(async move {
                    for _ in 0..super::children_of(t, children, at_once) {
                        let status = async_process::Command::new("true")
                            .status()
                            .await
                            .expect("spawn true");
                        assert!(status.success(), "process_spawn_wait: `true` failed");
                    }
                })
            })
            .collect();
        future::block_on(async {
            for t in tasks {
                t.await;
            }
        });
    }

    fn process_cat_pipe(&self, bytes: usize, chunk: usize) {
        use async_process::{Command, Stdio};
        use futures_lite::io::{AsyncReadExt, AsyncWriteExt};
        let mut child = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn cat");
        let mut stdin = child.stdin.take().expect("piped");
        let mut stdout = child.stdout.take().expect("piped");
        let writer = self.ex.spawn(async move {
            let data = super::pipe_chunk(chunk);
            for _ in 0..bytes / chunk {
                stdin.write_all(&data).await.expect("write");
            }
            stdin.close().await.expect("close");
        });
        let reader = self.ex.spawn(async move {
            let mut buf = vec![0u8; chunk];
            let mut total = 0;
            loop {
                let n = stdout.read(&mut buf).await.expect("read");
                if n == 0 {
                    break total;
                }
                total += n;
            }
        });
        future::block_on(async {
            writer.await;
            assert_eq!(reader.await, bytes, "process_cat_pipe: lost bytes");
            assert!(child.status().await.expect("wait").success());
        });
    }

    fn http_hello(&self) -> Server {
        self.serve(serve_http)
    }

    fn hyper_hello(&self) -> Server {
        self.serve(serve_hyper)
    }
}

impl Smol {
    /// Accepts on a loopback port, one task running `connection` per accepted stream.
    fn serve<F: Future<Output = ()> + Send + 'static>(
        &self,
        connection: fn(async_io::Async<std::net::TcpStream>) -> F,
    ) -> Server {
        let listener =
            async_io::Async::<std::net::TcpListener>::bind(([127, 0, 0, 1], 0)).expect("bind");
        let addr = listener.get_ref().local_addr().expect("addr");
        let ex = self.ex.clone();
        let accept = self.ex.spawn(async move {
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    ex.spawn(connection(stream)).detach();
                }
            }
        });
        Server {
            addr,
            // Dropping a smol task cancels it.
            stop: Box::new(move || drop(accept)),
        }
    }
}

/// One `hyper_hello` connection: hyper's HTTP/1 server over smol-hyper's glue.
async fn serve_hyper(stream: async_io::Async<std::net::TcpStream>) {
    stream.get_ref().set_nodelay(true).expect("nodelay");
    let _ = hyper::server::conn::http1::Builder::new()
        .timer(smol_hyper::rt::SmolTimer::new())
        .serve_connection(
            smol_hyper::rt::FuturesIo::new(stream),
            hyper::service::service_fn(crate::http::hyper_hello),
        )
        .await;
}

/// One `http_hello` connection.
async fn serve_http(stream: async_io::Async<std::net::TcpStream>) {
    stream.get_ref().set_nodelay(true).expect("nodelay");
    serve_futures_io(stream).await;
}

/// smol's one-thread executor for the `local_*` rows: an `async_executor::LocalExecutor`, run by
/// `futures_lite::future::block_on(ex.run(..))` on the calling thread (as the multi-thread
/// adapter's workers run theirs), kept for the whole run. In an `Rc` so tasks can spawn on it.
pub(crate) struct SmolLocal {
    ex: Rc<LocalExecutor<'static>>,
}

impl SmolLocal {
    /// Builds the executor.
    pub(crate) fn new() -> SmolLocal {
        SmolLocal {
            ex: Rc::new(LocalExecutor::new()),
        }
    }
}

/// Spawns the next link of `local_chained_spawn` on `ex` (smol has no ambient executor).
fn local_chain(ex: Rc<LocalExecutor<'static>>, done: Sender<()>, links: LocalCount, left: usize) {
    links.bump();
    if left == 0 {
        done.try_send(())
            .expect("local_chained_spawn: signal channel full");
    } else {
        let next = ex.clone();
        ex.spawn(async move { local_chain(next, done, links, left - 1) })
            .detach();
    }
}

impl LocalSubject for SmolLocal {
    fn name(&self) -> &'static str {
        "smol"
    }

    fn local_spawn_many(&self, n: usize) {
        let ran = LocalCount::default();
        let count = ran.clone();
        let ex = self.ex.clone();
        let root = self.ex.spawn(async move {
            let tasks: Vec<_> = (0..n)
                .map(|_| {
                    let count = count.clone();
                    ex.spawn(async move { count.bump() })
                })
                .collect();
            for t in tasks {
                t.await;
            }
        });
        future::block_on(self.ex.run(root));
        ran.check(n, "local_spawn_many");
    }

    fn local_yield_many(&self, tasks: usize, yields: usize) {
        let yielded = LocalCount::default();
        let tasks: Vec<_> = (0..tasks)
            .map(|_| {
                let yielded = yielded.clone();
                self.ex.spawn(async move {
                    for _ in 0..yields {
                        future::yield_now().await;
                        yielded.bump();
                    }
                })
            })
            .collect();
        let n = tasks.len();
        future::block_on(self.ex.run(async {
            for t in tasks {
                t.await;
            }
        }));
        yielded.check(n * yields, "local_yield_many");
    }

    fn local_ping_pong(&self, rounds: usize) {
        let ((ptx, prx), (qtx, qrx)) = ping_pong_channels();
        let trips = LocalCount::default();
        let a = self.ex.spawn(local_ping(ptx, prx, rounds, trips.clone()));
        let b = self.ex.spawn(pong(qtx, qrx, rounds));
        future::block_on(self.ex.run(async {
            a.await;
            b.await;
        }));
        trips.check(rounds, "local_ping_pong");
    }

    fn local_chained_spawn(&self, depth: usize) {
        let (tx, rx) = async_channel::bounded(1);
        let links = LocalCount::default();
        let (ex, first) = (self.ex.clone(), links.clone());
        self.ex
            .spawn(async move { local_chain(ex, tx, first, depth - 1) })
            .detach();
        future::block_on(self.ex.run(rx.recv())).expect("local_chained_spawn: chain dropped");
        links.check(depth, "local_chained_spawn");
    }
}
