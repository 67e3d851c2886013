//! The wheel against a `BTreeMap` model for random insert / cancel / reset / advance sequences.

use super::{Key, Wheel};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::task::Waker;

#[derive(Debug, Clone)]
enum Op {
    Insert(u64),
    Cancel(usize),
    Reset(usize, u64),
    Advance(u64),
}

fn op() -> impl Strategy<Value = Op> {
    let delay = prop_oneof![
        4 => 0u64..70,
        3 => 0u64..5_000,
        2 => 0u64..300_000,
        1 => 0u64..(1u64 << 40),
    ];
    prop_oneof![
        4 => delay.clone().prop_map(Op::Insert),
        2 => any::<usize>().prop_map(Op::Cancel),
        2 => (any::<usize>(), delay.clone()).prop_map(|(i, d)| Op::Reset(i, d)),
        3 => delay.prop_map(Op::Advance),
    ]
}

proptest! {
    #[test]
    fn timers_fire_exactly_when_the_model_says(ops in proptest::collection::vec(op(), 1..200)) {
        let mut wheel = Wheel::new();
        // key -> deadline, for timers armed in the model
        let mut model: BTreeMap<u32, (Key, u64)> = BTreeMap::new();
        let mut keys: Vec<(u32, Key)> = Vec::new();
        let mut next_id = 0u32;
        let mut now = 0u64;
        let mut fired = Vec::new();
        for op in ops {
            match op {
                Op::Insert(delay) => {
                    let key = wheel.insert(now + delay, Waker::noop().clone());
                    model.insert(next_id, (key, now + delay));
                    keys.push((next_id, key));
                    next_id += 1;
                }
                Op::Cancel(i) if !keys.is_empty() => {
                    let (id, key) = keys.swap_remove(i % keys.len());
                    wheel.remove(key);
                    model.remove(&id);
                }
                Op::Reset(i, delay) if !keys.is_empty() => {
                    let (id, key) = keys[i % keys.len()];
                    wheel.reset(key, now + delay, Some(Waker::noop()));
                    model.insert(id, (key, now + delay));
                }
                Op::Advance(by) => {
                    now += by;
                    fired.clear();
                    wheel.advance(now, &mut fired);
                    let due: Vec<u32> = model
                        .iter()
                        .filter(|(_, (_, d))| *d <= now)
                        .map(|(id, _)| *id)
                        .collect();
                    prop_assert_eq!(fired.len(), due.len(), "fired count at {}", now);
                    for id in due {
                        let (key, _) = model.remove(&id).unwrap();
                        prop_assert_eq!(wheel.is_fired(key), Some(true));
                    }
                }
                _ => {}
            }
            // Nothing armed in the model has fired early.
            for (key, deadline) in model.values() {
                prop_assert_eq!(wheel.is_fired(*key), Some(false), "deadline {} fired at {}", deadline, now);
            }
            prop_assert_eq!(wheel.len(), model.len());
            if let (Some(next), Some(min)) = (wheel.next_expiration(), model.values().map(|(_, d)| *d).min()) {
                prop_assert!(next <= min.max(now), "next expiration {} after the earliest deadline {}", next, min);
            }
        }
    }
}

#[test]
fn a_far_deadline_fires_after_the_wheel_cycles() {
    let mut wheel = Wheel::new();
    let far = (1u64 << 36) + 12_345; // beyond the top level's reach
    let key = wheel.insert(far, Waker::noop().clone());
    let mut fired = Vec::new();
    let mut now = 0;
    while now < far - 1 {
        now = wheel.next_expiration().unwrap().min(far - 1).max(now + 1);
        wheel.advance(now, &mut fired);
        assert!(fired.is_empty(), "fired early at {now}");
    }
    wheel.advance(far, &mut fired);
    assert_eq!(fired.len(), 1);
    assert_eq!(wheel.is_fired(key), Some(true));
}

#[test]
fn a_removed_key_is_stale_after_its_slot_is_reused() {
    let mut wheel = Wheel::new();
    let a = wheel.insert(10, Waker::noop().clone());
    wheel.remove(a);
    let b = wheel.insert(20, Waker::noop().clone());
    assert_eq!(wheel.is_fired(a), None);
    wheel.remove(a); // does not touch b
    assert_eq!(wheel.is_fired(b), Some(false));
    assert_eq!(wheel.len(), 1);
}
