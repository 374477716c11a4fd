//! [`SocketReader`]: the read half of a socket, turning received bytes into messages.

use std::fmt;
use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::{Message, Proto, SocketConfig, SocketError, SocketInfo};

/// The read buffer's high-water mark: 64 KiB.
///
/// When a message is cut from a read buffer holding more than this many bytes, the buffer is
/// replaced, as soon as it is empty, by a new one of the configured initial capacity, so a large
/// frame does not pin memory on a connection that goes idle. (The message's body keeps only its
/// own bytes alive, for as long as the message lives.)
pub const READ_BUFFER_HIGH_WATER: usize = 64 * 1024;

/// The read half of a [`Socket`](crate::Socket): a stream's read side, a read buffer and the
/// protocol that cuts frames out of it.
///
/// [`recv`](Self::recv) returns every complete frame already buffered before it reads from the
/// stream again, so one read that brought several frames serves several calls. The buffer starts
/// at [`SocketConfig::read_buffer_capacity`] and grows only as far as the frames need; the
/// protocol judges a frame's size from its prefix before any room is reserved for it, so a peer
/// announcing a frame over the limit costs no allocation. A buffer that grew for a large frame is
/// released once emptied; see [`READ_BUFFER_HIGH_WATER`].
pub struct SocketReader<R> {
    io: R,
    buffer: BytesMut,
    proto: Arc<dyn Proto>,
    frame_limit: usize,
    refill: usize,
    release_when_empty: bool,
    bytes_read: u64,
    info: Arc<SocketInfo>,
}

impl<R> SocketReader<R> {
    /// A reader of `io` with the protocol, frame limit and read buffer capacity of `config`,
    /// describing itself with `info`.
    pub fn new(io: R, info: Arc<SocketInfo>, config: &SocketConfig) -> Self {
        Self {
            io,
            buffer: BytesMut::with_capacity(config.read_buffer_capacity()),
            proto: Arc::clone(config.proto()),
            frame_limit: config.frame_limit(),
            refill: config.read_buffer_capacity(),
            release_when_empty: false,
            bytes_read: 0,
            info,
        }
    }

    /// The connection's info, shared with the writer half.
    pub fn info(&self) -> &Arc<SocketInfo> {
        &self.info
    }

    /// The bytes received but not yet read as a message; its capacity is the memory the reader
    /// holds.
    pub fn read_buffer(&self) -> &BytesMut {
        &self.buffer
    }

    /// The bytes read from the stream so far, whole frames or not: what the connection
    /// received, for statistics.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// The stream's read side.
    pub fn get_ref(&self) -> &R {
        &self.io
    }
}

impl<R: AsyncRead + Unpin> SocketReader<R> {
    /// Receives the next message.
    ///
    /// - `Ok(Some(message))`: the next frame, decoded.
    /// - `Ok(None)`: the peer closed the stream cleanly, between frames.
    /// - [`SocketError::UnexpectedEof`]: the peer closed the stream inside a frame.
    /// - [`SocketError::Proto`]: the frame is malformed or larger than the frame limit. The
    ///   stream's position is lost: close the connection.
    /// - [`SocketError::Io`]: the stream failed.
    ///
    /// Cancel safe: if the future is dropped before it completes, the bytes read so far stay
    /// buffered and the next call goes on from them.
    pub async fn recv(&mut self) -> Result<Option<Message>, SocketError> {
        loop {
            let buffered = self.buffer.len();
            if let Some(message) = self.proto.decode(&mut self.buffer, self.frame_limit)? {
                self.release_when_empty |= buffered > READ_BUFFER_HIGH_WATER;
                if self.release_when_empty && self.buffer.is_empty() {
                    self.buffer = BytesMut::with_capacity(self.refill);
                    self.release_when_empty = false;
                }
                return Ok(Some(message));
            }
            if self.buffer.len() == self.buffer.capacity() {
                self.buffer.reserve(self.refill);
            }
            let read = self.io.read_buf(&mut self.buffer).await?;
            if read == 0 {
                return self.end_of_stream();
            }
            self.bytes_read += read as u64;
        }
    }

    fn end_of_stream(&self) -> Result<Option<Message>, SocketError> {
        if self.buffer.is_empty() {
            tracing::debug!(id = %self.info.id(), "socket closed by the peer");
            Ok(None)
        } else {
            tracing::debug!(
                id = %self.info.id(),
                buffered = self.buffer.len(),
                "socket closed by the peer mid-frame"
            );
            Err(SocketError::UnexpectedEof {
                buffered: self.buffer.len(),
            })
        }
    }
}

impl<R> fmt::Debug for SocketReader<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketReader")
            .field("id", &self.info.id())
            .field("proto", &self.proto.name())
            .field("frame_limit", &self.frame_limit)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}
