//! [`Stats`]: what a session has moved, and the counters behind it.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::Instant;

/// A snapshot of a session's traffic, from [`Session::stats`](crate::Session::stats).
///
/// Counts cover the session's whole life, across reconnects. Bytes are frame bytes as they
/// cross the stream; messages are whole frames. The counters are atomics updated by the
/// session's reader and writer tasks, so taking a snapshot takes no lock; the fields are read
/// one by one, not as one atomic whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Bytes read from the connection.
    pub bytes_in: u64,
    /// Bytes written to the connection.
    pub bytes_out: u64,
    /// Messages read from the connection.
    pub messages_in: u64,
    /// Messages written to the connection.
    pub messages_out: u64,
    /// The last time a message was read or written; the session's start before any.
    pub last_activity: Instant,
    /// The last time a message was read from the connection (the peer was heard from); the
    /// session's start before any. A heartbeat judges a silent peer by it.
    pub last_received: Instant,
    /// The last time a write to the connection completed; the session's start before any. A
    /// heartbeat pings when it is old.
    pub last_sent: Instant,
    /// Frames waiting in the outbound queue for the writer.
    pub queued_frames: usize,
}

/// The live counters of one session.
#[derive(Debug)]
pub(crate) struct Counters {
    started: Instant,
    bytes_in: AtomicU64,
    bytes_out: AtomicU64,
    messages_in: AtomicU64,
    messages_out: AtomicU64,
    /// Nanoseconds from `started` to the last activity.
    last_activity: AtomicU64,
    /// Nanoseconds from `started` to the last read.
    last_received: AtomicU64,
    /// Nanoseconds from `started` to the last write.
    last_sent: AtomicU64,
}

impl Counters {
    /// Zeroed counters of a session started at `started`.
    pub(crate) fn new(started: Instant) -> Self {
        Self {
            started,
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            messages_in: AtomicU64::new(0),
            messages_out: AtomicU64::new(0),
            last_activity: AtomicU64::new(0),
            last_received: AtomicU64::new(0),
            last_sent: AtomicU64::new(0),
        }
    }

    /// Counts `bytes` read and `messages` received at `now`.
    pub(crate) fn received(&self, bytes: u64, messages: u64, now: Instant) {
        self.bytes_in.fetch_add(bytes, Ordering::Relaxed);
        self.messages_in.fetch_add(messages, Ordering::Relaxed);
        self.touch(&self.last_received, now);
    }

    /// Counts `bytes` and `messages` written at `now`.
    pub(crate) fn sent(&self, bytes: u64, messages: u64, now: Instant) {
        self.bytes_out.fetch_add(bytes, Ordering::Relaxed);
        self.messages_out.fetch_add(messages, Ordering::Relaxed);
        self.touch(&self.last_sent, now);
    }

    /// The counters as they are now, with `queued_frames` from the outbound queue.
    pub(crate) fn snapshot(&self, queued_frames: usize) -> Stats {
        let at = |nanos: &AtomicU64| {
            self.started + std::time::Duration::from_nanos(nanos.load(Ordering::Relaxed))
        };
        Stats {
            bytes_in: self.bytes_in.load(Ordering::Relaxed),
            bytes_out: self.bytes_out.load(Ordering::Relaxed),
            messages_in: self.messages_in.load(Ordering::Relaxed),
            messages_out: self.messages_out.load(Ordering::Relaxed),
            last_activity: at(&self.last_activity),
            last_received: at(&self.last_received),
            last_sent: at(&self.last_sent),
            queued_frames,
        }
    }

    /// Moves the last activity, and `direction` (the last read or write), up to `now`.
    fn touch(&self, direction: &AtomicU64, now: Instant) {
        let since_start = now.saturating_duration_since(self.started).as_nanos();
        let since_start = u64::try_from(since_start).unwrap_or(u64::MAX);
        direction.fetch_max(since_start, Ordering::Relaxed);
        self.last_activity.fetch_max(since_start, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn counts_both_ways_and_keeps_the_latest_activity() {
        let start = Instant::now();
        let counters = Counters::new(start);
        assert_eq!(counters.snapshot(0).last_activity, start);

        counters.received(100, 2, start + Duration::from_millis(5));
        counters.sent(40, 1, start + Duration::from_millis(9));
        counters.received(10, 1, start + Duration::from_millis(7));

        let stats = counters.snapshot(3);
        assert_eq!(
            (
                stats.bytes_in,
                stats.messages_in,
                stats.bytes_out,
                stats.messages_out
            ),
            (110, 3, 40, 1)
        );
        assert_eq!(stats.last_activity, start + Duration::from_millis(9));
        assert_eq!(stats.last_received, start + Duration::from_millis(7));
        assert_eq!(stats.last_sent, start + Duration::from_millis(9));
        assert_eq!(stats.queued_frames, 3);
    }
}
