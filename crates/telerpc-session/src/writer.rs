//! The writer task: writes one connection's share of the outbound queue, in batches.

use std::sync::Arc;

use telerpc_socket::{SocketError, SocketWriter};
use tokio::io::AsyncWrite;
use tokio::sync::{watch, Mutex};
use tokio::time::Instant;

use crate::link::{Link, LinkState};
use crate::queue::{close_receiver, Outbound};
use crate::shared::Shared;
use crate::SessionError;

/// The most bytes fed into one write before it is flushed, even if more frames wait: 64 KiB.
/// It bounds the socket's write buffer (plus one frame) however long the queue is.
pub(crate) const BATCH_BUDGET: usize = 64 * 1024;

/// A connection's writer, shared by its writer task and its reader task: the reader writes
/// the replies to a burst itself when the writer is free (see [`Replies`](crate::replies::Replies)).
pub(crate) type SharedWriter<W> = Arc<Mutex<SocketWriter<W>>>;

/// Writes the outbound queue to `link`'s connection until the link ends.
///
/// Each round takes every frame queued (the first awaited, the rest taken while there are
/// any, up to [`BATCH_BUDGET`] bytes), feeds them all, and flushes once: a busy session makes
/// one write per batch, not one per frame. A REPLY for another connection is dropped. Before
/// waiting on an empty queue the socket's write buffer is released, so an idle session holds
/// none.
///
/// - [`LinkState::Finish`]: writes what is still queued, then shuts the stream down.
/// - [`LinkState::Abort`]: drops what is queued (for this round) and shuts down at once.
/// - A write error loses the link ([`Shared::link_lost`]).
///
/// The queue's receiving end is held for the task's life. When the session has ended, it is
/// closed on the way out, so that frames queued late are refused and freed. The writer itself
/// is locked for each round only.
pub(crate) async fn run<W: AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    link: Arc<Link>,
    writer: SharedWriter<W>,
) {
    let mut state = link.subscribe();
    let mut queue = tokio::select! {
        biased;
        _ = state.wait_for(|state| *state == LinkState::Abort) => return,
        queue = shared.queue.take_receiver() => queue,
    };
    let mut batch = Batch::default();
    let stop = loop {
        if queue.is_empty() {
            if let Ok(mut writer) = writer.try_lock() {
                writer.release_buffer();
            }
        }
        // The link's state is looked at before the queue, so that a frame is never taken by
        // the writer of a link that has ended; only when no frame waits does the writer
        // register to be woken by a change of state (a registration per batch would cost more
        // than the rest of the round).
        let first = tokio::select! {
            biased;
            stop = link.ended() => break stop,
            first = queue.recv() => first,
            stop = state.wait_for(|state| *state != LinkState::Up) => {
                break stop.map_or(LinkState::Abort, |state| *state);
            }
        };
        let Some(first) = first else {
            break LinkState::Abort;
        };
        let mut writer = writer.lock().await;
        batch.feed(&mut writer, &link, first);
        while batch.bytes < BATCH_BUDGET {
            let Ok(next) = queue.try_recv() else { break };
            batch.feed(&mut writer, &link, next);
        }
        match batch.flush(&mut writer, &mut state, &shared).await {
            Flushed::Done => {}
            Flushed::Aborted => break LinkState::Abort,
            Flushed::Failed(error) => {
                shared.link_lost(&link, Some(SessionError::Write(error)));
                break LinkState::Abort;
            }
        }
    };
    let mut writer = writer.lock().await;
    if stop == LinkState::Finish {
        finish(
            &shared,
            &link,
            &mut writer,
            &mut queue,
            &mut state,
            &mut batch,
        )
        .await;
    } else if let Err(error) = writer.abort().await {
        tracing::debug!(%error, "shutting the connection down failed");
    }
    if shared.is_closed() {
        close_receiver(&mut queue);
    }
}

/// Writes every frame still queued, then shuts the stream down. Stops at once if the link is
/// aborted meanwhile.
async fn finish<W: AsyncWrite + Unpin>(
    shared: &Arc<Shared>,
    link: &Link,
    writer: &mut SocketWriter<W>,
    queue: &mut tokio::sync::mpsc::Receiver<Outbound>,
    state: &mut watch::Receiver<LinkState>,
    batch: &mut Batch,
) {
    loop {
        while batch.bytes < BATCH_BUDGET {
            let Ok(next) = queue.try_recv() else { break };
            batch.feed(writer, link, next);
        }
        let more = batch.bytes >= BATCH_BUDGET;
        match batch.flush(writer, state, shared).await {
            Flushed::Done if more => {}
            Flushed::Done => break,
            Flushed::Aborted => return,
            Flushed::Failed(error) => {
                shared.link_lost(link, Some(SessionError::Write(error)));
                return;
            }
        }
    }
    let shut = tokio::select! {
        biased;
        _ = state.wait_for(|state| *state == LinkState::Abort) => return,
        shut = writer.shutdown() => shut,
    };
    if let Err(error) = shut {
        tracing::debug!(%error, "shutting the connection down failed");
    }
}

/// The frames fed since the last flush.
#[derive(Debug, Default)]
struct Batch {
    bytes: usize,
    messages: u64,
}

/// How a flush ended.
enum Flushed {
    Done,
    Aborted,
    Failed(SocketError),
}

impl Batch {
    /// Feeds `outbound` unless it holds REPLYs for another connection.
    fn feed<W>(&mut self, writer: &mut SocketWriter<W>, link: &Link, outbound: Outbound) {
        if outbound.link.is_some_and(|tag| tag != link.tag()) {
            tracing::debug!("dropped replies meant for an earlier connection");
            return;
        }
        writer.feed_frame(&outbound.frames);
        self.bytes += outbound.frames.len();
        self.messages += u64::from(outbound.count);
    }

    /// Writes what was fed, unless the link is aborted first; counts it once written.
    async fn flush<W: AsyncWrite + Unpin>(
        &mut self,
        writer: &mut SocketWriter<W>,
        state: &mut watch::Receiver<LinkState>,
        shared: &Shared,
    ) -> Flushed {
        // The flush first: one that completes at once never registers as a waiter on the
        // link's state.
        let flushed = tokio::select! {
            biased;
            flushed = writer.flush() => flushed,
            _ = state.wait_for(|state| *state == LinkState::Abort) => return Flushed::Aborted,
        };
        match flushed {
            Ok(()) => {
                if self.messages > 0 {
                    shared
                        .counters
                        .sent(self.bytes as u64, self.messages, Instant::now());
                }
                *self = Self::default();
                Flushed::Done
            }
            Err(error) => Flushed::Failed(error),
        }
    }
}
