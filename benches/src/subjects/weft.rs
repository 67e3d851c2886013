//! weft, with a multi-thread runtime of [`WORKERS`] workers.

use super::{WORKERS, ping, ping_pong_channels, pong};
use crate::workload::Subject;
use async_channel::Sender;

/// A weft runtime under test.
pub(crate) struct Weft {
    rt: weft::Runtime,
}

impl Weft {
    /// Builds the runtime and starts its workers.
    pub(crate) fn new() -> Weft {
        let rt = weft::runtime::Builder::new()
            .worker_threads(WORKERS)
            .build()
            .expect("build weft runtime");
        Weft { rt }
    }
}

/// Spawns the next link of `chained_spawn` from inside the current task.
fn chain(done: Sender<()>, left: usize) {
    if left == 0 {
        done.try_send(())
            .expect("chained_spawn: signal channel full");
    } else {
        drop(weft::spawn(async move { chain(done, left - 1) }));
    }
}

impl Subject for Weft {
    fn name(&self) -> &'static str {
        "weft"
    }

    fn spawn_many_task(&self, n: usize) {
        let root = self.rt.spawn(async move {
            let handles: Vec<_> = (0..n).map(|_| weft::spawn(async {})).collect();
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

    fn yield_many(&self, tasks: usize, yields: usize) {
        let handles: Vec<_> = (0..tasks)
            .map(|_| {
                self.rt.spawn(async move {
                    for _ in 0..yields {
                        weft::task::yield_now().await;
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
}
