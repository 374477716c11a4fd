//! [`SocketWriter`]: the write half of a socket, turning messages into one buffered write.

use std::fmt;
use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use crate::{Message, Proto, ProtoError, SocketConfig, SocketError, SocketInfo};

/// The write buffer's high-water mark: 64 KiB.
///
/// After a flush the emptied write buffer keeps its capacity for the next messages, unless it had
/// grown past this mark; then it is released, so a burst of large messages does not pin memory
/// on a connection that goes idle.
pub const WRITE_BUFFER_HIGH_WATER: usize = 64 * 1024;

/// The write half of a [`Socket`](crate::Socket): a stream's write side, a write buffer and the
/// protocol that frames messages into it.
///
/// [`feed`](Self::feed) frames a message into the buffer without I/O; [`flush`](Self::flush)
/// hands the whole buffer to the stream at once, so messages fed together leave in as few
/// writes as the OS allows, usually one. [`send`](Self::send) does both. The buffer allocates
/// nothing until the first message.
pub struct SocketWriter<W> {
    io: W,
    buffer: BytesMut,
    proto: Arc<dyn Proto>,
    frame_limit: usize,
    info: Arc<SocketInfo>,
}

impl<W> SocketWriter<W> {
    /// A writer to `io` with the protocol and frame limit of `config`, describing itself with
    /// `info`.
    pub fn new(io: W, info: Arc<SocketInfo>, config: &SocketConfig) -> Self {
        Self {
            io,
            buffer: BytesMut::new(),
            proto: Arc::clone(config.proto()),
            frame_limit: config.frame_limit(),
            info,
        }
    }

    /// Frames `message` into the write buffer, to leave with the next [`flush`](Self::flush).
    ///
    /// A message whose frame would exceed the frame limit, or that the protocol cannot frame,
    /// is refused: the buffer is left exactly as it was and the connection goes on. The error's
    /// [`write_status`](ProtoError::write_status) is the status 104 the caller should see.
    pub fn feed(&mut self, message: &Message) -> Result<(), ProtoError> {
        self.proto
            .encode(message, self.frame_limit, &mut self.buffer)
    }

    /// Queues `frame`, a frame already encoded by this writer's protocol (for example by
    /// [`Proto::encode`] in another task), to leave with the next [`flush`](Self::flush).
    ///
    /// The bytes are copied into the write buffer as they are: nothing is checked, so the
    /// caller answers for `frame` being one whole frame of this protocol within the frame
    /// limit. This lets the tier above encode in the caller's task and leave only the write to
    /// the task that owns the writer.
    pub fn feed_frame(&mut self, frame: &[u8]) {
        self.buffer.extend_from_slice(frame);
    }

    /// The connection's info, shared with the reader half.
    pub fn info(&self) -> &Arc<SocketInfo> {
        &self.info
    }

    /// The frames fed and not yet flushed.
    pub fn write_buffer(&self) -> &BytesMut {
        &self.buffer
    }

    /// The stream's write side.
    pub fn get_ref(&self) -> &W {
        &self.io
    }

    /// Makes the writer describe itself with `info`, the reader's when the halves are joined.
    pub(crate) fn share_info(&mut self, info: Arc<SocketInfo>) {
        self.info = info;
    }
}

impl<W: AsyncWrite + Unpin> SocketWriter<W> {
    /// Writes the whole buffer to the stream as one contiguous write (repeated only for what
    /// the stream did not take), then flushes the stream.
    ///
    /// An error is the stream's: the connection is gone. Cancel safe: if the future is dropped,
    /// the bytes already written are removed from the buffer and the next flush writes the rest.
    pub async fn flush(&mut self) -> Result<(), SocketError> {
        let capacity = self.buffer.capacity();
        self.io.write_all_buf(&mut self.buffer).await?;
        self.io.flush().await?;
        if capacity > WRITE_BUFFER_HIGH_WATER {
            self.buffer = BytesMut::new();
        } else {
            // The buffer is empty and unshared: this takes back the written prefix without
            // allocating, so the whole allocation serves the next frames.
            self.buffer.reserve(capacity);
        }
        Ok(())
    }

    /// Writes `frames` (whole frames of this writer's protocol, encoded elsewhere) after
    /// whatever was fed, then flushes; when nothing was fed, straight from `frames`, without a
    /// copy. `frames` is left empty.
    ///
    /// Not cancel safe: dropped mid-write, what `frames` still held is lost and the stream is
    /// cut inside a frame. Drop it only when giving the connection up.
    pub async fn write_frames(&mut self, frames: &mut BytesMut) -> Result<(), SocketError> {
        if !self.buffer.is_empty() {
            self.buffer.extend_from_slice(frames);
            frames.clear();
            return self.flush().await;
        }
        self.io.write_all_buf(frames).await?;
        self.io.flush().await?;
        Ok(())
    }

    /// Releases the write buffer's memory when nothing is queued in it, for a connection about
    /// to wait for its next messages; the next [`feed`](Self::feed) allocates again.
    pub fn release_buffer(&mut self) {
        if self.buffer.is_empty() {
            self.buffer = BytesMut::new();
        }
    }

    /// [`feed`](Self::feed)s `message`, then [`flush`](Self::flush)es it with whatever was fed
    /// before it.
    pub async fn send(&mut self, message: &Message) -> Result<(), SocketError> {
        self.feed(message)?;
        self.flush().await
    }

    /// Flushes the buffer, then shuts the stream's write side down (for TCP, sends FIN): the
    /// peer's reader sees a clean end of stream once it has read everything.
    pub async fn shutdown(&mut self) -> Result<(), SocketError> {
        self.flush().await?;
        self.io.shutdown().await?;
        tracing::debug!(id = %self.info.id(), "socket shut down");
        Ok(())
    }
}

impl<W: AsyncWrite + Unpin> SocketWriter<W> {
    /// Discards every queued frame and shuts the stream's write side down at once, without
    /// waiting for the peer to read anything: for a connection that must end now, such as one
    /// whose peer sent a frame that cannot be read.
    pub async fn abort(&mut self) -> Result<(), SocketError> {
        self.buffer.clear();
        self.io.shutdown().await?;
        tracing::debug!(id = %self.info.id(), "socket aborted");
        Ok(())
    }
}

impl<W> fmt::Debug for SocketWriter<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketWriter")
            .field("id", &self.info.id())
            .field("proto", &self.proto.name())
            .field("frame_limit", &self.frame_limit)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}
