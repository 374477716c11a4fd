//! [`SeqCounter`]: the seq of the CALLs and PUSHes one side of a session sends.

use std::sync::atomic::{AtomicI32, Ordering};

/// A per-session, per-side sequence counter (spec §2): pre-incremented for every CALL and PUSH
/// this side sends, so the first seq is 1, wrapping within `i32` (`i32::MAX` is followed by
/// `i32::MIN`). A REPLY does not take a seq: it echoes its CALL's.
#[derive(Debug, Default)]
pub(crate) struct SeqCounter(AtomicI32);

impl SeqCounter {
    /// A counter whose next seq is 1.
    pub(crate) const fn new() -> Self {
        Self(AtomicI32::new(0))
    }

    /// The next seq. Atomic: concurrent callers never get the same seq until it wraps.
    pub(crate) fn next(&self) -> i32 {
        self.0.fetch_add(1, Ordering::Relaxed).wrapping_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_at_one_and_counts_up() {
        let seq = SeqCounter::new();
        assert_eq!([seq.next(), seq.next(), seq.next()], [1, 2, 3]);
    }

    #[test]
    fn wraps_within_i32() {
        let seq = SeqCounter(AtomicI32::new(i32::MAX - 1));
        assert_eq!(seq.next(), i32::MAX);
        assert_eq!(seq.next(), i32::MIN);
        assert_eq!(seq.next(), i32::MIN + 1);
    }

    #[test]
    fn concurrent_callers_get_distinct_seqs() {
        let seq = std::sync::Arc::new(SeqCounter::new());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let seq = std::sync::Arc::clone(&seq);
                std::thread::spawn(move || (0..1000).map(|_| seq.next()).collect::<Vec<_>>())
            })
            .collect();
        let mut all: Vec<i32> = threads
            .into_iter()
            .flat_map(|thread| thread.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, (1..=4000).collect::<Vec<_>>());
    }
}
