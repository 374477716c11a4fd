//! [`Pending`]: the calls awaiting their replies, found by seq.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

use telerpc_socket::Message;
use tokio::sync::oneshot;

/// Where a pending call's reply is delivered.
pub(crate) type ReplySender = oneshot::Sender<Message>;

/// The number of shards: a power of two, so a seq picks its shard by its low bits and
/// consecutive seqs land on different shards.
const SHARDS: usize = 8;

/// A shard emptied while holding room for more than this many calls gives the room back, so
/// a burst does not pin memory on a session that goes idle.
const SHRINK_ABOVE: usize = 64;

/// The calls of one session that await a reply, keyed by seq.
///
/// No lock covers the whole table: it is split into [`SHARDS`] shards, each a small map behind
/// its own mutex held only for one map operation, so callers registering and the reader
/// completing rarely meet. An idle table allocates nothing.
///
/// A call leaves the table exactly once: completed by its reply, cancelled by its caller
/// (deadline passed, future dropped), or failed when the connection ends, which drops its
/// [`ReplySender`] so that the caller sees the channel closed.
#[derive(Debug, Default)]
pub(crate) struct Pending {
    shards: [Mutex<Shard>; SHARDS],
}

#[derive(Debug, Default)]
struct Shard {
    calls: HashMap<i32, ReplySender, BuildHasherDefault<SeqHasher>>,
    closed: bool,
}

/// Why a call could not be registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// The table is closed: the session has ended.
    Closed,
    /// A call with this seq is still pending (the seq wrapped around it); take another seq.
    Taken,
}

impl Pending {
    /// An empty, open table.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Registers a call awaiting its reply on `reply`.
    pub(crate) fn register(&self, seq: i32, reply: ReplySender) -> Result<(), Refused> {
        let mut shard = self.shard(seq);
        if shard.closed {
            return Err(Refused::Closed);
        }
        match shard.calls.entry(seq) {
            std::collections::hash_map::Entry::Occupied(_) => Err(Refused::Taken),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(reply);
                Ok(())
            }
        }
    }

    /// Delivers `reply` to the call with its seq; returns whether a call took it (`false`:
    /// unknown, already timed out, or cancelled, and the reply is dropped).
    pub(crate) fn complete(&self, reply: Message) -> bool {
        self.take(reply.seq)
            .is_some_and(|sender| sender.send(reply).is_ok())
    }

    /// Removes the call with `seq`, if it is still pending; returns whether it was.
    pub(crate) fn cancel(&self, seq: i32) -> bool {
        self.take(seq).is_some()
    }

    /// Fails every pending call (their callers see the channel closed) and returns how many
    /// there were. The table stays open for new calls.
    pub(crate) fn fail_all(&self) -> usize {
        self.drain(false)
    }

    /// Fails every pending call, as [`fail_all`](Self::fail_all), and refuses every later
    /// registration with [`Refused::Closed`]. No call can slip in after it.
    pub(crate) fn close(&self) -> usize {
        self.drain(true)
    }

    /// The number of pending calls.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.shards
            .iter()
            .map(|shard| lock(shard).calls.len())
            .sum()
    }

    fn take(&self, seq: i32) -> Option<ReplySender> {
        let mut shard = self.shard(seq);
        let sender = shard.calls.remove(&seq);
        if shard.calls.is_empty() && shard.calls.capacity() > SHRINK_ABOVE {
            shard.calls.shrink_to_fit();
        }
        sender
    }

    fn drain(&self, close: bool) -> usize {
        self.shards
            .iter()
            .map(|shard| {
                let mut shard = lock(shard);
                shard.closed |= close;
                let calls = std::mem::take(&mut shard.calls);
                drop(shard);
                calls.len()
            })
            .sum()
    }

    fn shard(&self, seq: i32) -> MutexGuard<'_, Shard> {
        lock(&self.shards[seq as u32 as usize % SHARDS])
    }
}

/// Locks a shard. A panic elsewhere while one was held left its map whole, so a poisoned lock
/// is taken over.
fn lock(shard: &Mutex<Shard>) -> MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A hasher for seqs: one multiplication by a 64-bit odd constant (Fibonacci hashing), which
/// spreads consecutive seqs over the buckets and the map's control bits. Seqs are not chosen
/// by the peer (it only echoes ours), so no keyed hash is needed.
#[derive(Debug, Default, Clone, Copy)]
struct SeqHasher(u64);

const FIBONACCI: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(byte)).wrapping_mul(FIBONACCI);
        }
    }

    fn write_i32(&mut self, seq: i32) {
        self.0 = u64::from(seq as u32).wrapping_mul(FIBONACCI);
    }
}

#[cfg(test)]
mod tests {
    use telerpc_socket::MessageType;

    use super::*;

    fn reply(seq: i32) -> Message {
        Message::new(MessageType::Reply, seq, "")
    }

    #[test]
    fn a_reply_reaches_the_call_with_its_seq_once() {
        let pending = Pending::new();
        let (tx1, mut rx1) = oneshot::channel();
        let (tx2, mut rx2) = oneshot::channel();
        pending.register(1, tx1).unwrap();
        pending.register(2, tx2).unwrap();

        assert!(pending.complete(reply(2)));
        assert_eq!(rx2.try_recv().unwrap().seq, 2);
        assert!(rx1.try_recv().is_err(), "call 1 still waits");
        assert_eq!(pending.len(), 1);

        assert!(!pending.complete(reply(2)), "a second reply");
        assert!(!pending.complete(reply(9)), "an unknown seq");
    }

    #[test]
    fn a_cancelled_call_drops_its_late_reply() {
        let pending = Pending::new();
        let (tx, _rx) = oneshot::channel();
        pending.register(5, tx).unwrap();
        assert!(pending.cancel(5));
        assert!(!pending.cancel(5));
        assert!(!pending.complete(reply(5)));
        assert_eq!(pending.len(), 0);
    }

    #[test]
    fn a_reply_whose_caller_went_away_is_dropped() {
        let pending = Pending::new();
        let (tx, rx) = oneshot::channel();
        pending.register(3, tx).unwrap();
        drop(rx);
        assert!(!pending.complete(reply(3)));
        assert_eq!(pending.len(), 0);
    }

    #[test]
    fn a_seq_still_pending_is_not_taken_twice() {
        let pending = Pending::new();
        let (tx1, _rx1) = oneshot::channel();
        let (tx2, _rx2) = oneshot::channel();
        pending.register(i32::MIN, tx1).unwrap();
        assert_eq!(pending.register(i32::MIN, tx2), Err(Refused::Taken));
    }

    #[test]
    fn failing_all_closes_every_callers_channel() {
        let pending = Pending::new();
        let mut receivers: Vec<_> = (1..=100)
            .map(|seq| {
                let (tx, rx) = oneshot::channel();
                pending.register(seq, tx).unwrap();
                rx
            })
            .collect();
        assert_eq!(pending.fail_all(), 100);
        for rx in &mut receivers {
            assert_eq!(rx.try_recv(), Err(oneshot::error::TryRecvError::Closed));
        }
        let (tx, _rx) = oneshot::channel();
        assert_eq!(pending.register(101, tx), Ok(()), "still open");
    }

    #[test]
    fn closing_refuses_later_calls() {
        let pending = Pending::new();
        let (tx, mut rx) = oneshot::channel();
        pending.register(1, tx).unwrap();
        assert_eq!(pending.close(), 1);
        assert!(rx.try_recv().is_err());
        for seq in [2, 3, 4, 5, 6, 7, 8, 9] {
            let (tx, _rx) = oneshot::channel();
            assert_eq!(pending.register(seq, tx), Err(Refused::Closed));
        }
    }

    #[test]
    fn an_emptied_shard_gives_back_the_room_of_a_burst() {
        let pending = Pending::new();
        let receivers: Vec<_> = (0..4096)
            .map(|seq| {
                let (tx, rx) = oneshot::channel();
                pending.register(seq, tx).unwrap();
                rx
            })
            .collect();
        for seq in 0..4096 {
            assert!(pending.cancel(seq));
        }
        drop(receivers);
        for shard in &pending.shards {
            assert!(lock(shard).calls.capacity() <= SHRINK_ABOVE);
        }
    }

    #[test]
    fn an_idle_table_allocates_nothing() {
        let pending = Pending::new();
        for shard in &pending.shards {
            assert_eq!(lock(shard).calls.capacity(), 0);
        }
    }
}
