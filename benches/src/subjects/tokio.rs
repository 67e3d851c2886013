//! tokio, with a multi-thread runtime of [`WORKERS`] workers, and a current-thread runtime with a
//! `LocalSet` for the one-thread rows.

use super::{
    Countdown, Holders, LocalCount, Processed, Tally, Unfinished, WORKERS, local_ping, mpsc_sum,
    ping, ping_pong_channels, pong, reply_to,
};
use crate::http::{RESPONSE, Requests, Server, responses};
use crate::workload::{LocalSubject, Subject};
use async_channel::Sender;

/// A tokio multi-thread runtime under test.
pub(crate) struct Tokio {
    rt: tokio::runtime::Runtime,
}

impl Tokio {
    /// Builds the runtime and starts its workers.
    pub(crate) fn new() -> Tokio {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS)
            .enable_time()
            .enable_io()
            .build()
            .expect("build tokio runtime");
        Tokio { rt }
    }
}

/// `queue_join`'s `task_done` and `join` written by hand, as a tokio user would: the count of
/// unfinished items and a `Notify` woken when it reaches zero.
#[derive(Default)]
struct Joinable {
    unfinished: Unfinished,
    zero: tokio::sync::Notify,
}

impl Joinable {
    /// One item processed; the last unfinished one wakes the joiner.
    fn task_done(&self) {
        if self.unfinished.done() {
            self.zero.notify_waiters();
        }
    }

    /// Returns once no item is unfinished.
    async fn join(&self) {
        loop {
            // Made before the check: `notify_waiters` wakes every `Notified` made before it,
            // polled or not, so a zero reached after the check is not missed.
            let zero = self.zero.notified();
            if self.unfinished.is_zero() {
                return;
            }
            zero.await;
        }
    }
}

/// Spawns the next link of `chained_spawn` from inside the current task.
fn chain(done: Sender<()>, left: usize) {
    if left == 0 {
        done.try_send(())
            .expect("chained_spawn: signal channel full");
    } else {
        drop(tokio::spawn(async move { chain(done, left - 1) }));
    }
}

impl Subject for Tokio {
    fn name(&self) -> &'static str {
        "tokio"
    }

    fn spawn_many_task(&self, n: usize) {
        let root = self.rt.spawn(async move {
            let handles: Vec<_> = (0..n).map(|_| tokio::spawn(async {})).collect();
            for h in handles {
                h.await.expect("task failed");
            }
        });
        self.rt.block_on(root).expect("root task failed");
    }

    fn spawn_many_outside(&self, n: usize) {
        let handle = self.rt.handle();
        let handles: Vec<_> = (0..n).map(|_| handle.spawn(async {})).collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
    }

    fn spawn_many_remote_busy(&self, n: usize) {
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let busy: Vec<_> = (0..WORKERS)
            .map(|_| {
                let stop = stop.clone();
                self.rt.spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        let handle = self.rt.handle();
        let handles: Vec<_> = (0..n).map(|_| handle.spawn(async {})).collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            for b in busy {
                b.await.expect("busy task failed");
            }
        });
    }

    fn yield_many(&self, tasks: usize, yields: usize) {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                self.rt.spawn(async move {
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
    }

    fn ping_pong(&self, rounds: usize) {
        let ((ptx, prx), (qtx, qrx)) = ping_pong_channels();
        let a = self.rt.spawn(ping(ptx, prx, rounds));
        let b = self.rt.spawn(pong(qtx, qrx, rounds));
        self.rt.block_on(async {
            a.await.expect("ping failed");
            b.await.expect("pong failed");
        });
    }

    fn chained_spawn(&self, depth: usize) {
        let (tx, rx) = async_channel::bounded(1);
        drop(self.rt.spawn(async move { chain(tx, depth - 1) }));
        self.rt
            .block_on(rx.recv())
            .expect("chained_spawn: chain dropped");
    }

    fn call_soon(&self, n: usize) {
        let (countdown, done) = Countdown::new(n);
        let handle = self.rt.handle();
        for _ in 0..n {
            let countdown = countdown.clone();
            drop(handle.spawn(async move { countdown.tick() }));
        }
        done.recv().expect("call_soon: callbacks lost");
    }

    fn oneshot_round_trip(&self, rounds: usize) {
        let driver = self.rt.spawn(async move {
            for i in 0..rounds {
                let (tx, rx) = tokio::sync::oneshot::channel::<usize>();
                let (back_tx, back_rx) = tokio::sync::oneshot::channel::<usize>();
                drop(tokio::spawn(async move {
                    let v = rx.await.expect("sender dropped");
                    back_tx.send(v * 2).expect("receiver dropped");
                }));
                tx.send(i).expect("receiver dropped");
                assert_eq!(back_rx.await.expect("sender dropped"), i * 2);
            }
        });
        self.rt.block_on(driver).expect("driver failed");
    }

    fn blocking_many(&self, n: usize) {
        let jobs: Vec<_> = (0..n).map(|i| self.rt.spawn_blocking(move || i)).collect();
        self.rt.block_on(async {
            for (i, job) in jobs.into_iter().enumerate() {
                assert_eq!(job.await.expect("job failed"), i);
            }
        });
    }

    fn blocking_mixed(&self, n: usize) {
        let jobs: Vec<_> = (0..n).map(|i| self.rt.spawn_blocking(move || i)).collect();
        let tasks: Vec<_> = (0..n)
            .map(|_| {
                self.rt.spawn(async {
                    for _ in 0..10 {
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        self.rt.block_on(async {
            for job in jobs {
                job.await.expect("job failed");
            }
            for task in tasks {
                task.await.expect("task failed");
            }
        });
    }

    fn timeout_not_firing(&self, tasks: usize, each: usize) {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                self.rt.spawn(async move {
                    for _ in 0..each {
                        let r = tokio::time::timeout(
                            std::time::Duration::from_secs(1),
                            tokio::task::yield_now(),
                        )
                        .await;
                        assert!(r.is_ok(), "timeout fired");
                    }
                })
            })
            .collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
    }

    fn sleep_many(&self, n: usize) {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                self.rt
                    .spawn(async { tokio::time::sleep(std::time::Duration::from_millis(1)).await })
            })
            .collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
    }

    fn timer_insert_cancel(&self, n: usize) {
        let driver = self.rt.spawn(async move {
            for _ in 0..n {
                let mut sleep =
                    std::pin::pin!(tokio::time::sleep(std::time::Duration::from_secs(1)));
                assert!(
                    futures_lite::future::poll_once(sleep.as_mut())
                        .await
                        .is_none()
                );
            }
        });
        self.rt.block_on(driver).expect("driver failed");
    }

    fn mutex_contended(&self, tasks: usize, each: usize) {
        let count = std::sync::Arc::new(tokio::sync::Mutex::new(0usize));
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let count = count.clone();
                self.rt.spawn(async move {
                    for _ in 0..each {
                        let mut n = count.lock().await;
                        tokio::task::yield_now().await;
                        *n += 1;
                    }
                })
            })
            .collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
        let count = count.try_lock().expect("mutex_contended: still locked");
        assert_eq!(*count, tasks * each, "mutex_contended: lost an increment");
    }

    fn semaphore_acquire(&self, tasks: usize, each: usize, permits: usize) {
        let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(permits));
        let holders = Holders::new(permits);
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let (sem, holders) = (sem.clone(), holders.clone());
                self.rt.spawn(async move {
                    for _ in 0..each {
                        let _permit = sem.acquire().await.expect("semaphore closed");
                        let _held = holders.enter();
                        tokio::task::yield_now().await;
                    }
                })
            })
            .collect();
        self.rt.block_on(async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
        assert_eq!(
            sem.available_permits(),
            permits,
            "semaphore_acquire: lost a permit"
        );
    }

    fn mpsc_bounded(&self, producers: usize, each: usize, capacity: usize) {
        let (tx, mut rx) = tokio::sync::mpsc::channel(capacity);
        for _ in 0..producers {
            let tx = tx.clone();
            self.rt.spawn(async move {
                for i in 0..each {
                    tx.send(i).await.expect("mpsc_bounded: receiver gone");
                }
            });
        }
        drop(tx);
        let consumer = self.rt.spawn(async move {
            let mut sum = 0usize;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        });
        let sum = self.rt.block_on(consumer).expect("task failed");
        assert_eq!(sum, mpsc_sum(producers, each), "mpsc_bounded: lost a value");
    }

    fn mpsc_unbounded(&self, producers: usize, each: usize) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        for _ in 0..producers {
            let tx = tx.clone();
            self.rt.spawn(async move {
                for i in 0..each {
                    tx.send(i).expect("mpsc_unbounded: receiver gone");
                    if i % 100 == 99 {
                        tokio::task::yield_now().await;
                    }
                }
            });
        }
        drop(tx);
        let consumer = self.rt.spawn(async move {
            let mut sum = 0usize;
            while let Some(i) = rx.recv().await {
                sum += i;
            }
            sum
        });
        let sum = self.rt.block_on(consumer).expect("task failed");
        assert_eq!(
            sum,
            mpsc_sum(producers, each),
            "mpsc_unbounded: lost a value"
        );
    }

    fn tcp_echo(&self, connections: usize, rounds: usize, bytes: usize) {
        self.rt
            .block_on(crate::echo::tokio(connections, rounds, bytes));
    }

    fn broadcast_fanout(&self, receivers: usize, values: usize) {
        let (tx, _) = tokio::sync::broadcast::channel(values);
        let tasks: Vec<_> = (0..receivers)
            .map(|_| {
                let mut rx = tx.subscribe();
                self.rt.spawn(async move {
                    let mut sum = 0usize;
                    while let Ok(v) = rx.recv().await {
                        sum += v;
                    }
                    sum
                })
            })
            .collect();
        self.rt.spawn(async move {
            for i in 0..values {
                tx.send(i).expect("broadcast_fanout: no receiver");
                if i % 100 == 99 {
                    tokio::task::yield_now().await;
                }
            }
        });
        for t in tasks {
            let sum = self.rt.block_on(t).expect("task failed");
            assert_eq!(sum, mpsc_sum(1, values), "broadcast_fanout: lost a value");
        }
    }

    fn mpsc_round_trip(&self, rounds: usize, capacity: usize) {
        let (req_tx, mut req_rx) = tokio::sync::mpsc::channel(capacity);
        let (rep_tx, mut rep_rx) = tokio::sync::mpsc::channel(capacity);
        let server = self.rt.spawn(async move {
            let mut served = 0usize;
            while let Some(req) = req_rx.recv().await {
                rep_tx
                    .send(reply_to(req))
                    .await
                    .expect("mpsc_round_trip: client gone");
                served += 1;
            }
            served
        });
        let client = self.rt.spawn(async move {
            for i in 0..rounds {
                req_tx.send(i).await.expect("mpsc_round_trip: server gone");
                let rep = rep_rx.recv().await.expect("mpsc_round_trip: server gone");
                assert_eq!(rep, reply_to(i), "mpsc_round_trip: wrong reply");
            }
        });
        self.rt.block_on(async {
            client.await.expect("client failed");
            let served = server.await.expect("server failed");
            assert_eq!(served, rounds, "mpsc_round_trip: wrong number served");
        });
    }

    fn queue_join(&self, items: usize, consumers: usize, capacity: usize) {
        // tokio has no queue with `join`, and its mpsc has one receiver; tokio's docs send
        // users who need several consumers to async-channel. `join` by hand: a count of
        // unfinished items and a `Notify`.
        let (tx, rx) = async_channel::bounded(capacity);
        let joinable = std::sync::Arc::new(Joinable::default());
        let processed = std::sync::Arc::new(Processed::default());
        let workers: Vec<_> = (0..consumers)
            .map(|_| {
                let (rx, joinable, processed) = (rx.clone(), joinable.clone(), processed.clone());
                self.rt.spawn(async move {
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
            self.rt.spawn(async move {
                for i in 0..items {
                    joinable.unfinished.add();
                    tx.send(i).await.expect("queue_join: consumers gone");
                }
                // `tx` drops here: the consumers end once the channel is empty.
            })
        };
        let sum = self.rt.block_on(async move {
            producer.await.expect("producer failed");
            joinable.join().await;
            processed.check(items);
            let mut sum = 0usize;
            for w in workers {
                sum += w.await.expect("consumer failed");
            }
            sum
        });
        assert_eq!(sum, mpsc_sum(1, items), "queue_join: lost an item");
    }

    fn select_two_channels(&self, each: usize, capacity: usize) {
        let (a_tx, mut a_rx) = tokio::sync::mpsc::channel(capacity);
        let (b_tx, mut b_rx) = tokio::sync::mpsc::channel(capacity);
        for tx in [a_tx, b_tx] {
            self.rt.spawn(async move {
                for i in 0..each {
                    tx.send(i)
                        .await
                        .expect("select_two_channels: receiver gone");
                }
            });
        }
        let consumer = self.rt.spawn(async move {
            let (mut a, mut b) = (Tally::default(), Tally::default());
            loop {
                tokio::select! {
                    Some(v) = a_rx.recv() => a.add(v),
                    Some(v) = b_rx.recv() => b.add(v),
                    else => break,
                }
            }
            (a, b)
        });
        let (a, b) = self.rt.block_on(consumer).expect("task failed");
        a.check(each, "a");
        b.check(each, "b");
    }

    fn process_spawn_wait(&self, children: usize, at_once: usize) {
        self.rt.block_on(async move {
            let tasks: Vec<_> = (0..at_once)
                .map(|t| {
                    tokio::spawn(async move {
                        for _ in 0..super::children_of(t, children, at_once) {
                            let status = tokio::process::Command::new("true")
                                .status()
                                .await
                                .expect("spawn true");
                            assert!(status.success(), "process_spawn_wait: `true` failed");
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.expect("task failed");
            }
        });
    }

    fn process_cat_pipe(&self, bytes: usize, chunk: usize) {
        use std::process::Stdio;
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        self.rt.block_on(async move {
            let mut child = tokio::process::Command::new("cat")
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .expect("spawn cat");
            let mut stdin = child.stdin.take().expect("piped");
            let mut stdout = child.stdout.take().expect("piped");
            let writer = tokio::spawn(async move {
                let data = super::pipe_chunk(chunk);
                for _ in 0..bytes / chunk {
                    stdin.write_all(&data).await.expect("write");
                }
                drop(stdin); // closes the pipe
            });
            let mut buf = vec![0u8; chunk];
            let mut total = 0;
            loop {
                let n = stdout.read(&mut buf).await.expect("read");
                if n == 0 {
                    break;
                }
                total += n;
            }
            writer.await.expect("writer failed");
            assert_eq!(total, bytes, "process_cat_pipe: lost bytes");
            assert!(child.wait().await.expect("wait").success());
        });
    }

    fn http_hello(&self) -> Server {
        self.serve(serve_http)
    }

    fn hyper_hello(&self) -> Server {
        self.serve(crate::hyper_service::tokio_connection)
    }
}

impl Tokio {
    /// Accepts on a loopback port, one task running `connection` per accepted stream.
    fn serve<F: Future<Output = ()> + Send + 'static>(
        &self,
        connection: fn(tokio::net::TcpStream) -> F,
    ) -> Server {
        let listener = self
            .rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accept = self.rt.spawn(async move {
            loop {
                if let Ok((stream, _)) = listener.accept().await {
                    drop(tokio::spawn(connection(stream)));
                }
            }
        });
        Server {
            addr,
            stop: Box::new(move || accept.abort()),
        }
    }
}

/// One `http_hello` connection: answer every complete request until the client closes.
async fn serve_http(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.set_nodelay(true).expect("nodelay");
    let mut requests = Requests::new();
    while let Some(spare) = requests.spare() {
        let n = match stream.read(spare).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let written = match requests.feed(n) {
            0 => Ok(()),
            1 => stream.write_all(RESPONSE).await,
            count => stream.write_all(&responses(count)).await,
        };
        if written.is_err() {
            return;
        }
    }
}

/// tokio's one-thread setup for the `local_*` rows: a current-thread runtime (time and I/O
/// enabled, as the multi-thread one) and a `LocalSet` on it, both kept for the whole run.
pub(crate) struct TokioLocal {
    rt: tokio::runtime::Runtime,
    local: tokio::task::LocalSet,
}

impl TokioLocal {
    /// Builds the current-thread runtime and its `LocalSet`.
    pub(crate) fn new() -> TokioLocal {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .enable_io()
            .build()
            .expect("build tokio current-thread runtime");
        TokioLocal {
            rt,
            local: tokio::task::LocalSet::new(),
        }
    }
}

/// Spawns the next link of `local_chained_spawn` from inside the current local task.
fn local_chain(done: Sender<()>, links: LocalCount, left: usize) {
    links.bump();
    if left == 0 {
        done.try_send(())
            .expect("local_chained_spawn: signal channel full");
    } else {
        drop(tokio::task::spawn_local(async move {
            local_chain(done, links, left - 1);
        }));
    }
}

impl LocalSubject for TokioLocal {
    fn name(&self) -> &'static str {
        "tokio"
    }

    fn local_spawn_many(&self, n: usize) {
        let ran = LocalCount::default();
        let count = ran.clone();
        let root = self.local.spawn_local(async move {
            let handles: Vec<_> = (0..n)
                .map(|_| {
                    let count = count.clone();
                    tokio::task::spawn_local(async move { count.bump() })
                })
                .collect();
            for h in handles {
                h.await.expect("task failed");
            }
        });
        self.local
            .block_on(&self.rt, root)
            .expect("root task failed");
        ran.check(n, "local_spawn_many");
    }

    fn local_yield_many(&self, tasks: usize, yields: usize) {
        let yielded = LocalCount::default();
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                let yielded = yielded.clone();
                self.local.spawn_local(async move {
                    for _ in 0..yields {
                        tokio::task::yield_now().await;
                        yielded.bump();
                    }
                })
            })
            .collect();
        self.local.block_on(&self.rt, async {
            for h in handles {
                h.await.expect("task failed");
            }
        });
        yielded.check(tasks * yields, "local_yield_many");
    }

    fn local_ping_pong(&self, rounds: usize) {
        let ((ptx, prx), (qtx, qrx)) = ping_pong_channels();
        let trips = LocalCount::default();
        let a = self
            .local
            .spawn_local(local_ping(ptx, prx, rounds, trips.clone()));
        let b = self.local.spawn_local(pong(qtx, qrx, rounds));
        self.local.block_on(&self.rt, async {
            a.await.expect("ping failed");
            b.await.expect("pong failed");
        });
        trips.check(rounds, "local_ping_pong");
    }

    fn local_chained_spawn(&self, depth: usize) {
        let (tx, rx) = async_channel::bounded(1);
        let links = LocalCount::default();
        let first = links.clone();
        drop(
            self.local
                .spawn_local(async move { local_chain(tx, first, depth - 1) }),
        );
        self.local
            .block_on(&self.rt, rx.recv())
            .expect("local_chained_spawn: chain dropped");
        links.check(depth, "local_chained_spawn");
    }
}
