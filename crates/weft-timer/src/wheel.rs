//! The hierarchical timing wheel: 6 levels of 64 slots, 1 ms per level-0 slot, O(1) insert and
//! cancel (the Linux kernel's and tokio's design).
//!
//! # Layout
//!
//! Level `l` has 64 slots of `64^l` ms each, so level 0 covers the next 64 ms, level 1 the next
//! 4 s, ..., level 5 about 2.2 years. An entry with deadline `d` lives at the level of the
//! highest bit where `d` and the wheel's `elapsed` time differ (in groups of 6 bits), in slot
//! `(d >> 6l) & 63`. Deadlines further than the top level reaches sit in the top level's last
//! slot and are re-filed when it comes up.
//!
//! # Invariants
//!
//! - Entries are slab-indexed: `entries[i]` with a generation that changes on every reuse, so a
//!   stale key never touches a new entry. Insert reuses free slots: no allocation per timer
//!   once the slab has grown to the peak number of live timers, and none per reset.
//! - Each slot holds a doubly linked list of entry indices; `occupied[l]` has bit `s` set iff
//!   slot `s` of level `l` is non-empty.
//! - Every linked entry's slot starts after `elapsed` (it is processed, and its entries fired or
//!   moved to a lower level, once `advance` passes its start).

use std::task::Waker;

const LEVELS: usize = 6;
const SLOTS: usize = 64;
const NONE: u32 = u32::MAX;
/// The low bits covered by all levels together: one top-level cycle is `MAX_SPAN + 1` ms
/// (~2.2 years).
const MAX_SPAN: u64 = (1 << (6 * LEVELS)) - 1;

/// Identifies one timer in the wheel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    index: u32,
    generation: u32,
}

#[derive(Debug)]
struct Entry {
    generation: u32,
    /// Deadline in ms since the wheel's origin.
    deadline: u64,
    waker: Option<Waker>,
    state: State,
    prev: u32,
    next: u32,
    level: u8,
    slot: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// In a slot list.
    Armed,
    /// Deadline passed; the waker was taken and woken.
    Fired,
    /// Not in use; on the free list.
    Free,
}

/// The wheel. Not thread-safe by itself: the driver keeps it behind a mutex.
#[derive(Debug)]
pub(crate) struct Wheel {
    /// Time (ms since origin) up to which everything has been processed.
    elapsed: u64,
    heads: [[u32; SLOTS]; LEVELS],
    occupied: [u64; LEVELS],
    entries: Vec<Entry>,
    free: Vec<u32>,
    armed: usize,
    /// Scratch list for `advance` (kept to reuse its buffer).
    due: Vec<u32>,
}

fn slot_width(level: usize) -> u64 {
    1 << (6 * level)
}

impl Wheel {
    pub(crate) fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            heads: [[NONE; SLOTS]; LEVELS],
            occupied: [0; LEVELS],
            entries: Vec::new(),
            free: Vec::new(),
            armed: 0,
            due: Vec::new(),
        }
    }

    /// Timers armed (inserted and neither fired nor cancelled).
    pub(crate) fn len(&self) -> usize {
        self.armed
    }

    /// Arms a timer for `deadline` (ms since origin). A deadline at or before `elapsed` fires on
    /// the next `advance`.
    pub(crate) fn insert(&mut self, deadline: u64, waker: Waker) -> Key {
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.entries.push(Entry {
                    generation: 0,
                    deadline: 0,
                    waker: None,
                    state: State::Free,
                    prev: NONE,
                    next: NONE,
                    level: 0,
                    slot: 0,
                });
                u32::try_from(self.entries.len() - 1).expect("more than 4 billion timers")
            }
        };
        let entry = &mut self.entries[index as usize];
        entry.deadline = deadline;
        entry.waker = Some(waker);
        entry.state = State::Armed;
        let key = Key {
            index,
            generation: entry.generation,
        };
        self.link(index);
        self.armed += 1;
        key
    }

    fn entry(&self, key: Key) -> Option<&Entry> {
        self.entries
            .get(key.index as usize)
            .filter(|e| e.generation == key.generation && e.state != State::Free)
    }

    /// Whether the timer fired (its deadline passed). `None` for a stale key.
    pub(crate) fn is_fired(&self, key: Key) -> Option<bool> {
        self.entry(key).map(|e| e.state == State::Fired)
    }

    /// Replaces the waker of an armed timer (no clone when it would wake the same task).
    pub(crate) fn set_waker(&mut self, key: Key, waker: &Waker) {
        if self.entry(key).is_none() {
            return;
        }
        let entry = &mut self.entries[key.index as usize];
        match &mut entry.waker {
            Some(w) => w.clone_from(waker),
            None => entry.waker = Some(waker.clone()),
        }
    }

    /// Moves an armed or fired timer to a new deadline; it is armed afterwards. With `None`,
    /// the waker stays as it was.
    pub(crate) fn reset(&mut self, key: Key, deadline: u64, waker: Option<&Waker>) {
        let Some(entry) = self.entry(key) else { return };
        if entry.state == State::Armed {
            self.unlink(key.index);
        } else {
            self.armed += 1;
        }
        let entry = &mut self.entries[key.index as usize];
        entry.deadline = deadline;
        entry.state = State::Armed;
        if let Some(waker) = waker {
            self.set_waker(key, waker);
        }
        self.link(key.index);
    }

    /// Removes a timer (armed or fired); the key is stale afterwards.
    pub(crate) fn remove(&mut self, key: Key) {
        let Some(entry) = self.entry(key) else { return };
        if entry.state == State::Armed {
            self.unlink(key.index);
            self.armed -= 1;
        }
        let entry = &mut self.entries[key.index as usize];
        entry.state = State::Free;
        entry.waker = None;
        entry.generation = entry.generation.wrapping_add(1);
        self.free.push(key.index);
    }

    /// The level and slot for `deadline` given the current `elapsed`.
    fn position(&self, deadline: u64) -> (usize, usize) {
        // A deadline beyond the top level's current cycle waits in its last slot and is
        // re-filed when that slot comes up; clamping keeps every slot ahead of `elapsed`.
        let deadline = deadline.clamp(self.elapsed, self.elapsed | MAX_SPAN);
        // The highest differing bit decides the level (at least level 0).
        let masked = (self.elapsed ^ deadline) | (SLOTS as u64 - 1);
        let significant = 63 - masked.leading_zeros() as usize;
        let level = (significant / 6).min(LEVELS - 1);
        let slot = ((deadline >> (6 * level)) as usize) % SLOTS;
        (level, slot)
    }

    fn link(&mut self, index: u32) {
        let (level, slot) = self.position(self.entries[index as usize].deadline);
        let head = self.heads[level][slot];
        {
            let entry = &mut self.entries[index as usize];
            entry.level = level as u8;
            entry.slot = slot as u8;
            entry.prev = NONE;
            entry.next = head;
        }
        if head != NONE {
            self.entries[head as usize].prev = index;
        }
        self.heads[level][slot] = index;
        self.occupied[level] |= 1 << slot;
    }

    fn unlink(&mut self, index: u32) {
        let (prev, next, level, slot) = {
            let e = &self.entries[index as usize];
            (e.prev, e.next, e.level as usize, e.slot as usize)
        };
        if prev == NONE {
            self.heads[level][slot] = next;
        } else {
            self.entries[prev as usize].next = next;
        }
        if next != NONE {
            self.entries[next as usize].prev = prev;
        }
        if self.heads[level][slot] == NONE {
            self.occupied[level] &= !(1 << slot);
        }
    }

    /// The start time of the earliest non-empty slot: the next time `advance` has work.
    pub(crate) fn next_expiration(&self) -> Option<u64> {
        self.next_slot().map(|(_, _, start)| start)
    }

    fn next_slot(&self) -> Option<(usize, usize, u64)> {
        for level in 0..LEVELS {
            let occupied = self.occupied[level];
            if occupied == 0 {
                continue;
            }
            let width = slot_width(level);
            let now_slot = ((self.elapsed / width) % SLOTS as u64) as u32;
            let slot =
                (occupied.rotate_right(now_slot).trailing_zeros() + now_slot) as usize % SLOTS;
            let span = width * SLOTS as u64;
            let level_start = self.elapsed - self.elapsed % span;
            let start = level_start + slot as u64 * width;
            return Some((level, slot, start.max(self.elapsed)));
        }
        None
    }

    /// Processes time up to `now` (ms since origin): every timer whose deadline is at or before
    /// `now` fires (its waker is pushed onto `fired`); the others move down the levels.
    ///
    /// Every slot that starts at or before `now` is emptied first, then `elapsed` moves to
    /// `now`, then the emptied entries fire or are filed again relative to the new `elapsed`,
    /// so no slot is ever left behind `elapsed`.
    pub(crate) fn advance(&mut self, now: u64, fired: &mut Vec<Waker>) {
        let mut due = std::mem::take(&mut self.due);
        while let Some((level, slot, start)) = self.next_slot() {
            if start > now {
                break;
            }
            let mut index = std::mem::replace(&mut self.heads[level][slot], NONE);
            self.occupied[level] &= !(1 << slot);
            while index != NONE {
                due.push(index);
                index = self.entries[index as usize].next;
            }
        }
        self.elapsed = self.elapsed.max(now);
        for &index in &due {
            let entry = &mut self.entries[index as usize];
            if entry.deadline <= now {
                entry.state = State::Fired;
                self.armed -= 1;
                if let Some(waker) = entry.waker.take() {
                    fired.push(waker);
                }
            } else {
                self.link(index);
            }
        }
        due.clear();
        self.due = due;
    }

    /// Drops every timer's waker (runtime shutdown); keys stay valid and report not fired.
    pub(crate) fn clear_wakers(&mut self) -> Vec<Waker> {
        self.entries
            .iter_mut()
            .filter_map(|e| e.waker.take())
            .collect()
    }
}

#[cfg(test)]
mod tests;
