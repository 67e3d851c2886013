//! `weft::select!`: the first matching branch wins, the others are dropped before its handler
//! runs; random order unless `biased;`; patterns and `if` conditions disable branches; `else`;
//! handlers act on the surrounding code; any executor.

use std::cell::Cell;
use std::future::{Future, pending, ready};
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

/// Sets its flag when dropped.
struct DropFlag(Arc<AtomicBool>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// Pending forever; sets the flag when dropped.
async fn pending_with_flag(flag: Arc<AtomicBool>) {
    let _flag = DropFlag(flag);
    pending::<()>().await;
}

/// Panics if it is ever polled.
struct NeverPoll;

impl Future for NeverPoll {
    type Output = u32;
    fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<u32> {
        panic!("a disabled branch's future was polled");
    }
}

#[test]
fn the_ready_branch_wins_and_the_others_are_dropped_before_its_handler_runs() {
    weft::run(async {
        let dropped = Arc::new(AtomicBool::new(false));
        let seen = dropped.clone();
        let got = weft::select! {
            _ = pending_with_flag(dropped) => unreachable!(),
            v = async {
                weft::time::sleep(Duration::from_millis(5)).await;
                41
            } => {
                assert!(seen.load(Ordering::SeqCst), "the loser is dropped first");
                v + 1
            }
        };
        assert_eq!(got, 42);
    });
}

#[test]
fn branches_are_polled_in_a_random_order_unless_biased() {
    weft::run(async {
        let mut wins = [0u32; 3];
        for _ in 0..300 {
            let i = weft::select! {
                v = ready(0) => v,
                v = ready(1) => v,
                v = ready(2) => v,
            };
            wins[i] += 1;
        }
        assert!(
            wins.iter().all(|&w| w > 0),
            "every ready branch wins sometimes: {wins:?}"
        );
        for _ in 0..100 {
            let i = weft::select! {
                biased;
                v = ready(0) => v,
                v = ready(1) => v,
            };
            assert_eq!(i, 0, "biased: the first ready branch always wins");
        }
    });
}

#[test]
fn a_branch_whose_pattern_does_not_match_is_disabled_and_the_others_go_on() {
    weft::run(async {
        for _ in 0..50 {
            let got = weft::select! {
                Some(v) = ready(None::<u32>) => v,
                v = async {
                    weft::task::yield_now().await;
                    7
                } => v,
            };
            assert_eq!(got, 7);
        }
    });
}

#[test]
fn else_runs_when_every_branch_is_disabled() {
    weft::run(async {
        let got = weft::select! {
            Some(v) = ready(None::<u32>) => v,
            Ok(v) = ready(Err::<u32, ()>(())) => v,
            v = NeverPoll, if false => v,
            else => 99,
        };
        assert_eq!(got, 99);
        // Only an `else`.
        let got: u32 = weft::select! { else => 5 };
        assert_eq!(got, 5);
    });
}

#[test]
fn every_branch_disabled_without_else_panics_saying_so() {
    let payload = std::panic::catch_unwind(|| {
        weft::run(async {
            weft::select! {
                Some(v) = ready(None::<u32>) => v,
            }
        })
    })
    .unwrap_err();
    let msg = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(msg.contains("every branch is disabled"), "{msg}");
}

#[test]
fn a_false_condition_disables_the_branch_without_polling_its_future() {
    weft::run(async {
        let enabled = Cell::new(false);
        for _ in 0..50 {
            let got = weft::select! {
                v = NeverPoll, if enabled.get() => v,
                v = ready(3) => v,
            };
            assert_eq!(got, 3);
        }
    });
}

#[test]
fn handlers_act_on_the_surrounding_code() {
    async fn first_even(values: Vec<u32>) -> Result<u32, String> {
        let mut values = values.into_iter();
        loop {
            let next = values.next();
            weft::select! {
                Some(v) = ready(next) => {
                    if v % 2 == 0 {
                        return Ok(v);
                    }
                    continue;
                }
                else => {
                    let missing: Result<u32, String> = Err("no even value".into());
                    missing?;
                }
            }
        }
    }
    weft::run(async {
        assert_eq!(first_even(vec![1, 3, 4, 5]).await, Ok(4));
        assert_eq!(
            first_even(vec![1, 3]).await,
            Err("no even value".to_owned())
        );
        let mut n = 0;
        loop {
            weft::select! {
                mut v = ready(n) => {
                    v += 1;
                    n = v;
                    if n == 3 {
                        break;
                    }
                }
            }
        }
        assert_eq!(n, 3);
    });
}

#[test]
fn a_future_borrowed_with_mut_survives_across_selects() {
    weft::run(async {
        let mut sleep = pin!(weft::time::sleep(Duration::from_millis(30)));
        let mut ticks = 0;
        loop {
            weft::select! {
                biased;
                _ = &mut sleep => break,
                _ = weft::time::sleep(Duration::from_millis(1)) => ticks += 1,
            }
        }
        assert!(
            ticks >= 1,
            "the short sleep won at least once before the long one fired"
        );
    });
}

#[test]
fn a_lost_branch_gives_back_what_it_was_waiting_for() {
    weft::run(async {
        let sem = Arc::new(weft::sync::Semaphore::new(0));
        let waiter = sem.clone();
        let got = weft::select! {
            biased;
            _ = waiter.acquire() => "permit",
            _ = weft::task::yield_now() => "yield",
        };
        assert_eq!(got, "yield");
        // The dropped acquire left no place in line: a permit added now is free.
        sem.add_permits(1);
        assert_eq!(sem.available_permits(), 1);
        assert!(sem.try_acquire().is_ok());
    });
}

#[test]
fn it_works_under_another_executor() {
    let got = futures_lite::future::block_on(async {
        weft::select! {
            _ = pending::<()>() => 0,
            v = async {
                weft::time::sleep(Duration::from_millis(2)).await;
                8
            } => v,
        }
    });
    assert_eq!(got, 8);
}
