//! [`Execution`] and [`Pool`]: where a session's handlers run, and how many at once.

use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore, TryAcquireError};

use crate::job::{Job, Started};
use crate::replies::Replies;
use crate::shared::Shared;

/// How many handlers of one session run at once by default.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 1024;

/// Where a session runs its handlers, chosen per session config (an endpoint passes the same
/// config, and so the same [`Pool`], to all its sessions).
///
/// Every mode is bounded: when handlers are saturated (no permit left, the queue full), the
/// session stops reading its connection until one finishes, so memory never grows without
/// bound; the peer feels it as TCP backpressure. Limits below 1 are taken as 1.
///
/// | mode | where | at most in flight | order |
/// |---|---|---|---|
/// | [`Inline`](Self::Inline) | awaited on the reader task | 1 per session | arrival |
/// | [`Spawn`](Self::Spawn) | a task per message that waits | `max_in_flight` per session | none |
/// | [`Pool`](Self::Pool) | a task per message that waits | the pool's size across every session sharing it | none |
/// | [`Ordered`](Self::Ordered) | one worker task per session | 1 running, `queue` waiting | arrival |
///
/// Except in the ordered mode, every handler is first polled once on the reader task, under a
/// permit: one that finishes on that poll (it decodes, computes and encodes without waiting
/// for anything, as most do) is answered there, its reply written with the others of the same
/// read, and costs no task, no timer and no hop. Only a handler that waits moves to a task of
/// its own (or, inline, is awaited), with the caller's deadline. A handler that computes for
/// long without awaiting holds up its connection's reading meanwhile, as it would hold up a
/// worker thread anywhere: hand such work to `spawn_blocking`.
///
/// With [`Inline`](Self::Inline), nothing more is read while a handler runs, replies
/// included: an inline handler that calls back to its own peer waits for a reply that cannot
/// be read until its deadline. The same holds in every mode once handlers are saturated, so
/// handlers that call back need room to spare.
#[derive(Debug, Clone)]
pub enum Execution {
    /// Each handler is awaited on the task that reads the connection.
    Inline,
    /// Each message whose handler waits gets its own task, at most `max_in_flight` at once per
    /// session.
    Spawn {
        /// The most handlers of this session running at once.
        max_in_flight: usize,
    },
    /// Each message whose handler waits gets its own task, within a pool's limit shared by
    /// every session that holds a clone of it.
    Pool(Pool),
    /// One worker task per session handles its messages one after the other in arrival
    /// order, through a queue of `queue` messages.
    Ordered {
        /// How many messages wait for the worker before reading pauses.
        queue: usize,
    },
}

impl Default for Execution {
    /// [`Spawn`](Self::Spawn) with [`DEFAULT_MAX_IN_FLIGHT`].
    fn default() -> Self {
        Self::Spawn {
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
        }
    }
}

/// A bound on handlers in flight shared across sessions: at most [`size`](Self::size)
/// handlers run at once among every session whose [`Execution`] holds a clone.
///
/// ```
/// use telerpc_session::{Execution, Pool, SessionConfig};
///
/// let pool = Pool::new(64);
/// let config = SessionConfig::default().with_execution(Execution::Pool(pool.clone()));
/// assert_eq!(pool.size(), 64);
/// assert_eq!(pool.available(), 64);
/// # drop(config);
/// ```
#[derive(Debug, Clone)]
pub struct Pool {
    permits: Arc<Semaphore>,
    size: usize,
}

impl Pool {
    /// A pool of `size` handlers at once; at least 1.
    pub fn new(size: usize) -> Self {
        let size = size.max(1);
        Self {
            permits: Arc::new(Semaphore::new(size)),
            size,
        }
    }

    /// The most handlers running at once across the pool's sessions.
    pub fn size(&self) -> usize {
        self.size
    }

    /// How many more handlers could start now.
    pub fn available(&self) -> usize {
        self.permits.available_permits()
    }

    pub(crate) fn permits(&self) -> &Arc<Semaphore> {
        &self.permits
    }
}

/// How one connection's reader hands jobs over, built from the session's [`Execution`].
#[derive(Debug)]
pub(crate) enum Executor {
    /// Await the job on the reader task.
    Inline,
    /// Spawn the job once a permit is free ([`Execution::Spawn`] and [`Execution::Pool`]).
    Limited(Arc<Semaphore>),
    /// Queue the job for the connection's worker ([`Execution::Ordered`]).
    Ordered(mpsc::Sender<Job>),
}

impl Executor {
    /// Runs `job` as the mode says. Resolves once the job is handed over (or done): while no
    /// permit or queue slot is free, it waits, and so the reader stops reading.
    ///
    /// Except in the ordered mode, the handler is first polled here, on the reader task (once
    /// a permit is free); if it finishes at once, its reply joins `replies` and the permit is
    /// free again. Only a handler that waits is awaited (inline, boxed, so that the reader
    /// task, which lives as long as its connection, does not carry a handler's state while
    /// idle) or spawned with its permit.
    pub(crate) async fn run(&self, shared: &Arc<Shared>, job: Job, replies: &mut Replies) {
        let permits = match self {
            Self::Ordered(worker) => {
                // Boxed: a sending future holds the job, and would otherwise size the state
                // of every reader task, ordered or not, for its whole life.
                if Box::pin(worker.send(job)).await.is_err() {
                    tracing::debug!("a message was dropped: its connection's worker has ended");
                }
                return;
            }
            Self::Inline => None,
            Self::Limited(permits) => Some(permits),
        };
        let permit = match permits {
            Some(permits) => match permits.try_acquire() {
                Ok(permit) => Some(permit),
                Err(TryAcquireError::NoPermits) => {
                    // Boxed, as the ordered send above: waiting for a permit is rare.
                    match Box::pin(permits.acquire()).await {
                        Ok(permit) => Some(permit),
                        Err(_) => return,
                    }
                }
                Err(TryAcquireError::Closed) => return,
            },
            None => None,
        };
        let waiting = match job.start() {
            Started::Done(Some(answer)) => return replies.add(shared, answer),
            Started::Done(None) => return,
            Started::Waiting(waiting) => waiting,
        };
        match (permits, permit) {
            (Some(permits), Some(permit)) => {
                permit.forget();
                let permit = Permit(Arc::clone(permits));
                tokio::spawn(async move {
                    waiting.finish().await;
                    drop(permit);
                });
            }
            _ => Box::pin(waiting.finish()).await,
        }
    }
}

/// A permit of a spawned handler, given back to its semaphore when dropped (the handler done,
/// or its task dropped).
struct Permit(Arc<Semaphore>);

impl Drop for Permit {
    fn drop(&mut self) {
        self.0.add_permits(1);
    }
}

/// The worker of [`Execution::Ordered`]: runs one connection's jobs one after the other, in
/// the order they were queued, until the connection ends.
pub(crate) async fn ordered_worker(mut jobs: mpsc::Receiver<Job>) {
    while let Some(job) = jobs.recv().await {
        job.run().await;
    }
}
