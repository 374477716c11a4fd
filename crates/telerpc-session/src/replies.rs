//! [`Replies`]: the REPLYs a reader task answered one burst of CALLs with, sent together.

use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::AsyncWrite;
use tokio::time::Instant;

use crate::in_flight::Working;
use crate::job::Answer;
use crate::link::Link;
use crate::queue::Outbound;
use crate::respond::encode_reply;
use crate::shared::Shared;
use crate::writer::{SharedWriter, BATCH_BUDGET};
use crate::{QueuePolicy, SessionError};

/// REPLY frames encoded on the reader task, waiting to be queued as one [`Outbound`].
///
/// The reader adds the answers of the handlers that finished on their first poll while it
/// goes through the frames of one read, and queues them all once no whole frame is left
/// buffered (or once they reach [`BATCH_BUDGET`]): they leave in one write, made by the
/// reader itself when the connection's writer is free, else by the writer task. While replies wait here, they count as in-flight work, so
/// a graceful close waits for them. An empty batch holds no buffer.
#[derive(Debug, Default)]
pub(crate) struct Replies {
    frames: BytesMut,
    count: u32,
    working: Option<Working>,
}

impl Replies {
    /// Encodes the REPLY of `answer` into the batch.
    pub(crate) fn add(&mut self, shared: &Arc<Shared>, answer: Answer) {
        let Answer {
            seq,
            xfer_pipe,
            reply,
            working,
        } = answer;
        if encode_reply(shared, seq, xfer_pipe, reply, &mut self.frames) {
            self.count += 1;
            self.working.get_or_insert(working);
        }
    }

    /// Whether the batch should be queued before more is added.
    pub(crate) fn is_full(&self) -> bool {
        self.frames.len() >= BATCH_BUDGET
    }

    /// Sends the batch and empties it: written at once on the calling task when `link` is up
    /// and its writer is free (no task hop, no copy), else queued for `link`'s writer task,
    /// waiting for room (a reply is never dropped while its connection lives).
    pub(crate) async fn send<W: AsyncWrite + Unpin>(
        &mut self,
        shared: &Arc<Shared>,
        link: &Link,
        writer: &SharedWriter<W>,
    ) {
        if self.count == 0 {
            return;
        }
        if link.is_up() {
            if let Ok(mut writer) = writer.try_lock() {
                let count = std::mem::take(&mut self.count);
                // Taken whole, so that an idle reader keeps no part of the allocation.
                let mut frames = std::mem::take(&mut self.frames);
                let bytes = frames.len() as u64;
                match writer.write_frames(&mut frames).await {
                    Ok(()) => shared.counters.sent(bytes, count.into(), Instant::now()),
                    Err(error) => shared.link_lost(link, Some(SessionError::Write(error))),
                }
                self.working = None;
                return;
            }
        }
        // Boxed: the path taken only while the writer task is busy, kept out of the state of
        // the reader task, which lives as long as its connection.
        Box::pin(self.queue(shared, link)).await;
    }

    /// Queues the batch for `link`'s writer task and empties it, waiting for room: a reply is
    /// never dropped while its connection lives (after, the caller's side has failed the
    /// call already).
    pub(crate) async fn queue(&mut self, shared: &Shared, link: &Link) {
        if self.count == 0 {
            return;
        }
        let outbound = Outbound {
            frames: std::mem::take(&mut self.frames).freeze(),
            count: std::mem::take(&mut self.count),
            link: Some(link.tag()),
        };
        let sent = shared
            .queue
            .send(outbound, QueuePolicy::Wait, None, || link.aborted())
            .await;
        if let Err(status) = sent {
            tracing::debug!(%status, "replies dropped: their connection ended");
        }
        self.working = None;
    }
}
