//! The [`Poller`](super::Poller)'s deadline queue: which client's timeout comes first.
//!
//! A min-heap of `(instant, stamp, slot)` entries, at most one live entry per slot (the one
//! whose stamp the slot holds). Deletion is lazy: a deadline removed, or moved earlier
//! (which needs a new entry), only leaves the old entry stale; stale entries are dropped
//! when they reach the top, or all at once when they outnumber the live ones four to one,
//! so the heap stays within a constant factor of the number of clients.
//!
//! A live entry's instant is a lower bound of its slot's deadline, not always the deadline
//! itself: a deadline that moves later, which is what a client making progress does at
//! every request and read, only changes the slot's record, not the heap. When such an
//! entry's instant comes, [`pop_due`](DeadlineQueue::pop_due) moves it to the slot's real
//! deadline instead of reporting it. So a client that keeps making progress costs the heap
//! nothing per request, and at most one heap move per timeout period. The price is that
//! [`first`](DeadlineQueue::first) may be earlier than any real deadline: a wait that ends
//! there may find nothing due, and the caller waits again.

use std::cmp::Reverse;
use std::collections::binary_heap::{BinaryHeap, PeekMut};
use std::time::Instant;

/// Stale heap entries tolerated regardless of the number of live ones, so that a queue
/// with few clients does not rebuild its heap at every other change.
pub(super) const STALE_SLACK: usize = 64;

/// A heap entry: no later than its slot's deadline, the stamp it was pushed with, the slot.
type Entry = Reverse<(Instant, u64, u32)>;

/// One slot's deadline and its heap entry.
#[derive(Clone, Copy, Debug, Default)]
struct SlotDeadline {
    /// The client's deadline when last recorded.
    deadline: Option<Instant>,
    /// Stamp and instant of the slot's live heap entry, present exactly when `deadline`
    /// is; the instant is at most `deadline`.
    entry: Option<(u64, Instant)>,
}

/// Deadlines of the slots of a poller, earliest first (see the module docs).
#[derive(Debug, Default)]
pub(super) struct DeadlineQueue {
    heap: BinaryHeap<Entry>,
    slots: Vec<SlotDeadline>,
    /// Slots with a deadline, that is live entries in `heap`.
    live: usize,
    /// Last stamp given to a heap entry; stamps are never reused.
    last_stamp: u64,
}

impl DeadlineQueue {
    /// Number of slots with a deadline.
    pub(super) fn len(&self) -> usize {
        self.live
    }

    /// Heap entries, stale ones included.
    #[cfg(test)]
    pub(super) fn entries(&self) -> usize {
        self.heap.len()
    }

    /// Records the deadline of `slot` (`None`: no deadline).
    #[inline]
    pub(super) fn set(&mut self, slot: u32, deadline: Option<Instant>) {
        // The usual change, a deadline moving later, touches only the slot's record.
        if let (Some(s), Some(at)) = (self.slots.get_mut(slot as usize), deadline) {
            if s.entry.is_some_and(|(_, queued)| queued <= at) {
                s.deadline = deadline;
                return;
            }
        }
        self.set_slow(slot, deadline);
    }

    fn set_slow(&mut self, slot: u32, deadline: Option<Instant>) {
        let i = slot as usize;
        if self.slots.len() <= i {
            if deadline.is_none() {
                return;
            }
            self.slots.resize(i + 1, SlotDeadline::default());
        }
        let s = &mut self.slots[i];
        if s.deadline == deadline {
            return;
        }
        match (s.deadline, deadline) {
            (None, Some(_)) => self.live += 1,
            (Some(_), None) => self.live -= 1,
            _ => {}
        }
        s.deadline = deadline;
        match (deadline, s.entry) {
            (None, _) => s.entry = None,
            // Moved later: the entry stays a lower bound (see the module docs).
            (Some(at), Some((_, queued))) if queued <= at => return,
            (Some(at), _) => {
                self.last_stamp += 1;
                s.entry = Some((self.last_stamp, at));
                self.heap.push(Reverse((at, self.last_stamp, slot)));
            }
        }
        let stale = self.heap.len().saturating_sub(self.live);
        if stale > STALE_SLACK && stale > 4 * self.live {
            let slots = &self.slots;
            self.heap.retain(|e| is_live(slots, e));
        }
    }

    /// The earliest heap instant: no later than every deadline, and `None` when there is
    /// none. Drops the stale entries above it.
    pub(super) fn first(&mut self) -> Option<Instant> {
        while let Some(entry) = self.heap.peek() {
            if is_live(&self.slots, entry) {
                return Some(entry.0 .0);
            }
            self.heap.pop();
        }
        None
    }

    /// A slot whose deadline is at or before `now`, which loses its deadline (it is
    /// reported once); `None` when no deadline has passed. Entries whose instant has come
    /// but whose slot's deadline has moved later are moved to that deadline on the way.
    pub(super) fn pop_due(&mut self, now: Instant) -> Option<u32> {
        loop {
            let mut top = self.heap.peek_mut()?;
            let Reverse((at, stamp, slot)) = *top;
            let Some(s) = self
                .slots
                .get_mut(slot as usize)
                .filter(|s| s.entry.is_some_and(|(live, _)| live == stamp))
            else {
                PeekMut::pop(top);
                continue;
            };
            if at > now {
                return None;
            }
            match s.deadline {
                Some(deadline) if deadline > now => {
                    // Postponed since it was queued: re-sorted where it belongs now.
                    *top = Reverse((deadline, stamp, slot));
                    s.entry = Some((stamp, deadline));
                }
                _ => {
                    PeekMut::pop(top);
                    s.deadline = None;
                    s.entry = None;
                    self.live -= 1;
                    return Some(slot);
                }
            }
        }
    }
}

/// Whether a heap entry is the live one of its slot.
fn is_live(slots: &[SlotDeadline], entry: &Entry) -> bool {
    let Reverse((_, stamp, slot)) = *entry;
    slots
        .get(slot as usize)
        .is_some_and(|s| s.entry.is_some_and(|(live, _)| live == stamp))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn drain(q: &mut DeadlineQueue, now: Instant) -> Vec<u32> {
        std::iter::from_fn(|| q.pop_due(now)).collect()
    }

    #[test]
    fn earliest_first_and_each_once() {
        let t = Instant::now();
        let s = Duration::from_secs(1);
        let mut q = DeadlineQueue::default();
        q.set(2, Some(t + 3 * s));
        q.set(0, Some(t + s));
        q.set(1, Some(t + 2 * s));
        assert_eq!((q.len(), q.first()), (3, Some(t + s)));
        assert_eq!(drain(&mut q, t), []);
        assert_eq!(drain(&mut q, t + 2 * s), [0, 1]);
        assert_eq!((q.len(), q.first()), (1, Some(t + 3 * s)));
        assert_eq!(drain(&mut q, t + 10 * s), [2]);
        assert_eq!((q.len(), q.first(), q.entries()), (0, None, 0));
    }

    #[test]
    fn a_later_deadline_moves_no_entry_and_is_not_due_early() {
        let t = Instant::now();
        let s = Duration::from_secs(1);
        let mut q = DeadlineQueue::default();
        q.set(0, Some(t + s));
        for k in 2..1000 {
            q.set(0, Some(t + k * s));
        }
        assert_eq!((q.len(), q.entries()), (1, 1));
        // The entry is a lower bound until its instant comes; then it moves.
        assert_eq!(q.first(), Some(t + s));
        assert_eq!(drain(&mut q, t + 500 * s), []);
        assert_eq!(q.first(), Some(t + 999 * s));
        assert_eq!(drain(&mut q, t + 999 * s), [0]);
        assert_eq!(q.len(), 0);
    }

    #[test]
    fn an_earlier_deadline_is_honoured() {
        let t = Instant::now();
        let s = Duration::from_secs(1);
        let mut q = DeadlineQueue::default();
        q.set(0, Some(t + 10 * s));
        q.set(1, Some(t + 5 * s));
        q.set(0, Some(t + 2 * s));
        assert_eq!(q.first(), Some(t + 2 * s));
        assert_eq!(drain(&mut q, t + 3 * s), [0]);
        // The old entry of slot 0 is stale, not a second report.
        assert_eq!(drain(&mut q, t + 20 * s), [1]);
        assert_eq!((q.first(), q.entries()), (None, 0));
    }

    #[test]
    fn removed_deadlines_are_never_due() {
        let t = Instant::now();
        let s = Duration::from_secs(1);
        let mut q = DeadlineQueue::default();
        q.set(0, Some(t + s));
        q.set(1, Some(t + 2 * s));
        q.set(0, None);
        assert_eq!((q.len(), q.first()), (1, Some(t + 2 * s)));
        // A new deadline for the slot gets a new entry; the old one stays stale.
        q.set(0, Some(t + 3 * s));
        assert_eq!(drain(&mut q, t + 5 * s), [1, 0]);
        // Unknown slots without a deadline cost nothing.
        q.set(1000, None);
        assert_eq!(q.entries(), 0);
    }

    #[test]
    fn stale_entries_stay_bounded() {
        let t = Instant::now() + Duration::from_secs(3600);
        let mut q = DeadlineQueue::default();
        q.set(1, Some(t));
        q.set(2, Some(t + Duration::from_secs(1)));
        // Each move earlier, and each removal, leaves a stale entry.
        for i in 0..10_000u64 {
            if i % 3 == 0 {
                q.set(0, None);
            }
            q.set(0, Some(t - Duration::from_millis(i)));
            assert!(q.entries() <= STALE_SLACK + 4, "{} entries", q.entries());
        }
        assert_eq!(q.len(), 3);
        assert_eq!(q.first(), Some(t - Duration::from_millis(9_999)));
        assert_eq!(drain(&mut q, t + Duration::from_secs(5)), [0, 1, 2]);
    }
}
