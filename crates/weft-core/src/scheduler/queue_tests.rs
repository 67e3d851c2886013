//! The run queues against a `VecDeque` model, for random push / pop / steal sequences.

use super::queue::{Injector, LocalQueue};
use proptest::prelude::*;
use std::collections::VecDeque;

#[derive(Debug, Clone)]
enum Op {
    Push,
    Pop,
    Steal,
    Inject,
    TakeInjected,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => Just(Op::Push),
        3 => Just(Op::Pop),
        2 => Just(Op::Steal),
        2 => Just(Op::Inject),
        2 => Just(Op::TakeInjected),
    ]
}

proptest! {
    /// The owner pops in FIFO order; a thief takes the oldest tasks, at most half (rounded
    /// up) of the victim's queue, keeps their order, and returns the oldest; nothing is lost or
    /// duplicated. The injector hands out in FIFO order too.
    #[test]
    fn queues_match_a_vecdeque_model(ops in proptest::collection::vec(op(), 1..400)) {
        let victim = LocalQueue::new();
        let stealer = victim.stealer();
        let thief = LocalQueue::new();
        let injector = Injector::new();
        let mut model: VecDeque<u32> = VecDeque::new();
        let mut thief_model: VecDeque<u32> = VecDeque::new();
        let mut injected: VecDeque<u32> = VecDeque::new();
        let mut next = 0u32;
        for op in ops {
            match op {
                Op::Push => { victim.push(next); model.push_back(next); next += 1; }
                Op::Pop => prop_assert_eq!(victim.pop(), model.pop_front()),
                Op::Steal => {
                    let before = model.len();
                    let got = stealer.steal_into(&thief);
                    prop_assert_eq!(got.is_some(), before > 0);
                    if let Some(first) = got {
                        prop_assert_eq!(Some(first), model.pop_front());
                        let moved = thief.len() - thief_model.len();
                        prop_assert!(moved < before.div_ceil(2).max(1));
                        for _ in 0..moved {
                            thief_model.push_back(model.pop_front().unwrap());
                        }
                    }
                }
                Op::Inject => { injector.push(next); injected.push_back(next); next += 1; }
                Op::TakeInjected => prop_assert_eq!(injector.pop(), injected.pop_front()),
            }
            prop_assert_eq!(victim.len(), model.len());
            prop_assert_eq!(injector.is_empty(), injected.is_empty());
        }
        let mut rest = Vec::new();
        while let Some(t) = thief.pop() { rest.push(t); }
        prop_assert_eq!(rest, Vec::from(thief_model));
    }
}
