//! [`Lifecycle`]: whether a peer takes on new work, the work it has in hand, and its cutoff.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::cutoff::Cutoff;

/// The top bit of [`Lifecycle::work`]: set once the peer drains.
const DRAINING: usize = 1 << (usize::BITS - 1);

/// A peer's life: running, then draining (no new work, work in hand finishing), then cut off.
///
/// Work is counted in one atomic word whose top bit says the peer drains, so that taking on
/// work and starting to drain are ordered: work taken on before the drain began is counted
/// by the time [`drained`](Self::drained) looks, and none is taken on after.
#[derive(Debug, Default)]
pub(crate) struct Lifecycle {
    /// [`DRAINING`] and the number of pieces of work in hand.
    work: AtomicUsize,
    /// Woken when the count drops to zero.
    idle: Notify,
    /// Cancelled when the drain begins, for what waits without counting as work (TLS
    /// handshakes of connections that can no longer become sessions).
    draining: CancellationToken,
    /// Cuts the connections off at the deadline.
    cutoff: Arc<Cutoff>,
}

/// One piece of work in hand: a handler running, a session being admitted. It counts until
/// dropped.
#[derive(Debug)]
pub(crate) struct Work(Arc<Lifecycle>);

impl Drop for Work {
    fn drop(&mut self) {
        self.0.leave();
    }
}

impl Lifecycle {
    /// Takes on a piece of work, or `None` once the peer drains.
    pub(crate) fn enter(self: &Arc<Self>) -> Option<Work> {
        let before = self.work.fetch_add(1, Ordering::AcqRel);
        if before & DRAINING != 0 {
            self.leave();
            return None;
        }
        Some(Work(Arc::clone(self)))
    }

    fn leave(&self) {
        let before = self.work.fetch_sub(1, Ordering::AcqRel);
        if before & !DRAINING == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Begins the drain: from now on no work is taken on. Returns whether this call began it.
    pub(crate) fn begin_drain(&self) -> bool {
        let before = self.work.fetch_or(DRAINING, Ordering::AcqRel);
        self.draining.cancel();
        before & DRAINING == 0
    }

    /// Whether the peer drains (or has shut down).
    pub(crate) fn is_draining(&self) -> bool {
        self.work.load(Ordering::Acquire) & DRAINING != 0
    }

    /// Resolves once the drain has begun.
    pub(crate) async fn until_draining(&self) {
        self.draining.cancelled().await;
    }

    /// Resolves once no work is in hand.
    pub(crate) async fn drained(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.work.load(Ordering::Acquire) & !DRAINING == 0 {
                return;
            }
            notified.await;
        }
    }

    /// The cutoff of the peer's connections.
    pub(crate) fn cutoff(&self) -> &Arc<Cutoff> {
        &self.cutoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn draining_refuses_new_work_and_waits_for_the_rest() {
        let lifecycle = Arc::new(Lifecycle::default());
        let first = lifecycle.enter().expect("running");
        let second = lifecycle.enter().expect("running");
        assert!(lifecycle.begin_drain());
        assert!(!lifecycle.begin_drain());
        assert!(lifecycle.is_draining());
        assert!(lifecycle.enter().is_none());

        let waiter = tokio::spawn({
            let lifecycle = Arc::clone(&lifecycle);
            async move { lifecycle.drained().await }
        });
        drop(first);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(second);
        waiter.await.unwrap();
        lifecycle.until_draining().await;
    }
}
