//! [`InFlight`]: counting the work a graceful close waits for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

use crate::shared::Shared;

/// The number of pieces of work in flight on a session (inbound handlers running or queued,
/// outbound calls awaiting their replies), and a signal when it drops to zero.
///
/// Each piece enters once and leaves once, through a guard that leaves on drop.
#[derive(Debug, Default)]
pub(crate) struct InFlight {
    count: AtomicUsize,
    idle: Notify,
}

impl InFlight {
    /// Counts one more piece of work.
    pub(crate) fn enter(&self) {
        self.count.fetch_add(1, Ordering::AcqRel);
    }

    /// Counts one piece of work done; wakes [`idle`](Self::idle) waiters at zero.
    pub(crate) fn leave(&self) {
        if self.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.idle.notify_waiters();
        }
    }

    /// Resolves once no work is in flight.
    pub(crate) async fn idle(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count.load(Ordering::Acquire) == 0 {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_until_every_piece_left() {
        let in_flight = Arc::new(InFlight::default());
        in_flight.idle().await;

        in_flight.enter();
        in_flight.enter();
        let waiter = tokio::spawn({
            let in_flight = Arc::clone(&in_flight);
            async move { in_flight.idle().await }
        });
        in_flight.leave();
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        in_flight.leave();
        waiter.await.unwrap();
    }
}

/// One piece of work in flight on a session: counted while this guard lives.
#[derive(Debug)]
pub(crate) struct Working(Arc<Shared>);

impl Working {
    /// Counts a piece of work on `shared` until the guard is dropped.
    pub(crate) fn new(shared: &Arc<Shared>) -> Self {
        shared.in_flight.enter();
        Self(Arc::clone(shared))
    }

    /// The session the work belongs to.
    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.0
    }
}

impl Drop for Working {
    fn drop(&mut self) {
        self.0.in_flight.leave();
    }
}
