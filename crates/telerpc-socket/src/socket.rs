//! [`Socket`]: a framed connection over any byte stream.

use std::fmt;
use std::io;
use std::sync::Arc;

use bytes::BytesMut;
use tokio::io::{AsyncRead, AsyncWrite, ReadHalf, WriteHalf};
use tokio::net::{tcp, TcpStream};

use crate::{
    Address, Attributes, Message, ProtoError, SocketConfig, SocketError, SocketInfo, SocketReader,
    SocketWriter,
};

/// A [`Socket`] over a TCP connection, its halves split without a lock between them.
pub type TcpSocket = Socket<tcp::OwnedReadHalf, tcp::OwnedWriteHalf>;

/// A [`Socket`] over a Unix domain socket, its halves split without a lock between them.
#[cfg(unix)]
pub type UnixSocket = Socket<tokio::net::unix::OwnedReadHalf, tokio::net::unix::OwnedWriteHalf>;

/// A framed connection: [`Message`]s in and out of a byte stream in a [`Proto`](crate::Proto)'s
/// framing, the transport tier usable alone.
///
/// A socket is a [`SocketReader`] and a [`SocketWriter`] sharing one [`SocketInfo`] (id,
/// attributes, addresses). Use it whole when one task both reads and writes, or
/// [`split`](Self::split) it so that one task reads while others write.
///
/// | constructor | stream | addresses | id |
/// |---|---|---|---|
/// | [`new`](Self::new), [`with_config`](Self::with_config) | any `AsyncRead + AsyncWrite`, split with [`tokio::io::split`] | unknown | `socket-<n>` |
/// | [`tcp`](Self::tcp) | [`TcpStream`], split without a lock, [`TcpOptions`](crate::TcpOptions) applied | inet | the peer's `ip:port` |
/// | `unix` (Unix only) | [`UnixStream`](tokio::net::UnixStream), split without a lock | Unix paths | the peer's path, else `socket-<n>` |
///
/// Writing is buffered: [`feed`](Self::feed) queues a frame, [`flush`](Self::flush) writes
/// every queued frame in one write, [`send`](Self::send) does both. Nothing is written until a
/// flush.
///
/// ```
/// use telerpc_socket::{Message, MessageType, Socket};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), telerpc_socket::SocketError> {
/// let (a, b) = tokio::io::duplex(4096);
/// let (mut left, mut right) = (Socket::new(a), Socket::new(b));
/// left.feed(&Message::new(MessageType::Push, 1, "/chat/say"))?;
/// left.feed(&Message::new(MessageType::Push, 2, "/chat/say"))?;
/// left.flush().await?;
/// assert_eq!(right.recv().await?.map(|m| m.seq), Some(1));
/// assert_eq!(right.recv().await?.map(|m| m.seq), Some(2));
///
/// right.set_id("bob");
/// right.attributes().insert("room", 7_u32);
/// let (reader, _writer) = right.split();
/// assert_eq!(&*reader.info().id(), "bob");
/// assert_eq!(reader.info().attributes().get::<u32>("room").as_deref(), Some(&7));
/// # Ok(())
/// # }
/// ```
pub struct Socket<R, W> {
    reader: SocketReader<R>,
    writer: SocketWriter<W>,
}

impl<S: AsyncRead + AsyncWrite> Socket<ReadHalf<S>, WriteHalf<S>> {
    /// A socket over `io` with the default [`SocketConfig`]: rawproto and a 64 MiB frame limit.
    pub fn new(io: S) -> Self {
        Self::with_config(io, SocketConfig::default())
    }

    /// A socket over `io` with `config`. The addresses are unknown and the id is `socket-<n>`.
    pub fn with_config(io: S, config: SocketConfig) -> Self {
        let (read, write) = tokio::io::split(io);
        Self::open(
            read,
            write,
            SocketInfo::new(Address::Unknown, Address::Unknown),
            &config,
        )
    }
}

impl TcpSocket {
    /// A socket over a TCP connection with `config`, after applying
    /// [`config.tcp()`](SocketConfig::tcp) to it. The id is the peer's `ip:port`.
    ///
    /// Fails if an option cannot be applied or an address cannot be read.
    pub fn tcp(stream: TcpStream, config: SocketConfig) -> io::Result<Self> {
        config.tcp().apply(&stream)?;
        let info = SocketInfo::new(stream.local_addr()?.into(), stream.peer_addr()?.into());
        let (read, write) = stream.into_split();
        Ok(Self::open(read, write, info, &config))
    }
}

#[cfg(unix)]
impl UnixSocket {
    /// A socket over a Unix domain socket connection with `config`. The id is the peer's path,
    /// or `socket-<n>` when the peer is unnamed (as a dialing client usually is).
    ///
    /// Fails if an address cannot be read.
    pub fn unix(stream: tokio::net::UnixStream, config: SocketConfig) -> io::Result<Self> {
        let info = SocketInfo::new(stream.local_addr()?.into(), stream.peer_addr()?.into());
        let (read, write) = stream.into_split();
        Ok(Self::open(read, write, info, &config))
    }
}

impl<R, W> Socket<R, W> {
    fn open(read: R, write: W, info: SocketInfo, config: &SocketConfig) -> Self {
        let info = Arc::new(info);
        tracing::debug!(
            id = %info.id(),
            local = %info.local_addr(),
            peer = %info.peer_addr(),
            proto = config.proto().name(),
            "socket opened"
        );
        Self {
            reader: SocketReader::new(read, Arc::clone(&info), config),
            writer: SocketWriter::new(write, info, config),
        }
    }

    /// Joins two halves into a socket. The socket's info is the reader's; a writer that holds
    /// another info (it did not come from the same [`split`](Self::split)) is given the
    /// reader's.
    pub fn from_parts(reader: SocketReader<R>, mut writer: SocketWriter<W>) -> Self {
        writer.share_info(Arc::clone(reader.info()));
        Self { reader, writer }
    }

    /// Splits the socket into its halves, both holding the same [`SocketInfo`].
    pub fn split(self) -> (SocketReader<R>, SocketWriter<W>) {
        (self.reader, self.writer)
    }

    /// Queues the frame of `message` for the next [`flush`](Self::flush); see
    /// [`SocketWriter::feed`]. A refused message leaves the queue as it was.
    pub fn feed(&mut self, message: &Message) -> Result<(), ProtoError> {
        self.writer.feed(message)
    }

    /// The connection's id: the peer's address as text, `socket-<n>`, or what
    /// [`set_id`](Self::set_id) set.
    pub fn id(&self) -> Arc<str> {
        self.info().id()
    }

    /// Replaces the connection's id, for every holder of its [`SocketInfo`].
    pub fn set_id(&self, id: impl Into<Arc<str>>) {
        self.info().set_id(id);
    }

    /// The connection's attributes.
    pub fn attributes(&self) -> &Attributes {
        self.info().attributes()
    }

    /// This end's address.
    pub fn local_addr(&self) -> &Address {
        self.info().local_addr()
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> &Address {
        self.info().peer_addr()
    }

    /// The connection's info, shared by both halves.
    pub fn info(&self) -> &Arc<SocketInfo> {
        self.reader.info()
    }

    /// The bytes received but not yet read as a message.
    pub fn read_buffer(&self) -> &BytesMut {
        self.reader.read_buffer()
    }

    /// The frames fed and not yet flushed.
    pub fn write_buffer(&self) -> &BytesMut {
        self.writer.write_buffer()
    }

    /// The stream's read and write sides.
    pub fn get_ref(&self) -> (&R, &W) {
        (self.reader.get_ref(), self.writer.get_ref())
    }
}

impl<R: AsyncRead + Unpin, W: AsyncWrite + Unpin> Socket<R, W> {
    /// Receives the next message; `Ok(None)` when the peer closed the stream between frames.
    /// See [`SocketReader::recv`].
    ///
    /// A frame that cannot be read ([`SocketError::Proto`]: malformed, or over the frame limit)
    /// loses the stream's position, so the socket closes the connection as eRPC does: it
    /// [aborts](SocketWriter::abort) its write side, and the peer sees the end of the stream.
    pub async fn recv(&mut self) -> Result<Option<Message>, SocketError> {
        let received = self.reader.recv().await;
        if let Err(SocketError::Proto(error)) = &received {
            tracing::debug!(id = %self.id(), %error, "closing after an unreadable frame");
            if let Err(abort_error) = self.writer.abort().await {
                tracing::debug!(id = %self.id(), %abort_error, "abort failed");
            }
        }
        received
    }
}

impl<R, W: AsyncWrite + Unpin> Socket<R, W> {
    /// Writes every queued frame in one write and flushes the stream. See
    /// [`SocketWriter::flush`].
    pub async fn flush(&mut self) -> Result<(), SocketError> {
        self.writer.flush().await
    }

    /// Queues `message` and flushes it with whatever was queued before it.
    pub async fn send(&mut self, message: &Message) -> Result<(), SocketError> {
        self.writer.send(message).await
    }

    /// Flushes, then shuts the write side down; the peer then reads a clean end of stream.
    pub async fn shutdown(&mut self) -> Result<(), SocketError> {
        self.writer.shutdown().await
    }
}

impl<R, W> fmt::Debug for Socket<R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("info", self.info())
            .field("reader", &self.reader)
            .field("writer", &self.writer)
            .finish()
    }
}
