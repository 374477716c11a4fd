//! [`SocketReader`]: the read half of a socket, turning received bytes into messages.

use std::fmt;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::BytesMut;
use tokio::io::AsyncRead;
use tokio_util::io::poll_read_buf;

use crate::{Message, Proto, SocketConfig, SocketError, SocketInfo};

/// The most room a reader reserves at once while reads keep filling its buffer: 64 KiB.
pub const MAX_READ_RESERVE: usize = 64 * 1024;

/// The read half of a [`Socket`](crate::Socket): a stream's read side, a read buffer and the
/// protocol that cuts frames out of it.
///
/// [`recv`](Self::recv) returns every complete frame already buffered before it reads from the
/// stream again, so one read that brought several frames serves several calls. The protocol
/// judges a frame's size from its prefix before any room is reserved for it, so a peer
/// announcing a frame over the limit costs no allocation.
///
/// An idle reader holds no buffer: when a read finds nothing to read and nothing is buffered,
/// the buffer is released, and the next read reserves [`SocketConfig::read_buffer_capacity`]
/// again (or what the frame in progress needs). A connection that waits between bursts keeps
/// only its task, and a buffer grown for one large frame does not outlive the burst.
pub struct SocketReader<R> {
    io: R,
    buffer: BytesMut,
    proto: Arc<dyn Proto>,
    frame_limit: usize,
    /// The room reserved when the buffer is full: [`SocketConfig::read_buffer_capacity`],
    /// doubled after each read that filled the buffer, up to [`MAX_READ_RESERVE`], and back
    /// to the configured capacity when the reader goes idle.
    refill: usize,
    capacity: usize,
    bytes_read: u64,
    info: Arc<SocketInfo>,
}

impl<R> SocketReader<R> {
    /// A reader of `io` with the protocol, frame limit and read buffer capacity of `config`,
    /// describing itself with `info`.
    pub fn new(io: R, info: Arc<SocketInfo>, config: &SocketConfig) -> Self {
        Self {
            io,
            buffer: BytesMut::new(),
            proto: Arc::clone(config.proto()),
            frame_limit: config.frame_limit(),
            refill: config.read_buffer_capacity(),
            capacity: config.read_buffer_capacity(),
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
            if let Some(message) = self.proto.decode(&mut self.buffer, self.frame_limit)? {
                return Ok(Some(message));
            }
            let read = std::future::poll_fn(|cx| self.poll_fill(cx)).await?;
            if read == 0 {
                return self.end_of_stream();
            }
            self.bytes_read += read as u64;
        }
    }

    /// Receives the next message only if its whole frame is already buffered; never reads
    /// the stream.
    ///
    /// - `Ok(Some(message))`: the next buffered frame, decoded.
    /// - `Ok(None)`: no whole frame is buffered; [`recv`](Self::recv) would read.
    /// - [`SocketError::Proto`]: as for [`recv`](Self::recv): close the connection.
    ///
    /// A reader that answers requests uses it to learn where a burst of frames that arrived
    /// together ends, so that it can send all the answers to the burst at once before it waits
    /// for more.
    pub fn recv_buffered(&mut self) -> Result<Option<Message>, SocketError> {
        Ok(self.proto.decode(&mut self.buffer, self.frame_limit)?)
    }

    /// Reads what the stream has into the buffer; while nothing arrives and nothing is
    /// buffered, holds no buffer at all. A read that fills the buffer doubles the room the
    /// next one reserves (a burst is read in few calls), up to [`MAX_READ_RESERVE`].
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        if self.buffer.len() == self.buffer.capacity() {
            self.buffer.reserve(self.refill);
        }
        let room = self.buffer.capacity() - self.buffer.len();
        let polled = poll_read_buf(Pin::new(&mut self.io), cx, &mut self.buffer);
        match &polled {
            Poll::Ready(Ok(read)) if *read == room => {
                self.refill = (self.refill * 2).min(MAX_READ_RESERVE.max(self.capacity));
            }
            Poll::Pending if self.buffer.is_empty() => {
                self.buffer = BytesMut::new();
                self.refill = self.capacity;
            }
            _ => {}
        }
        polled
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
