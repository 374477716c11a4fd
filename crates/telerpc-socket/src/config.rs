//! [`SocketConfig`]: how a socket frames and buffers.

use std::sync::Arc;

use crate::{Proto, RawProto, TcpOptions, DEFAULT_FRAME_LIMIT};

/// The room a socket's reader reserves when a read needs it: 4 KiB.
///
/// The buffer grows only as far as the frames received need, and an idle reader releases it
/// (see [`SocketReader`](crate::SocketReader)), so an idle connection holds no read buffer.
pub const DEFAULT_READ_BUFFER_CAPACITY: usize = 4 * 1024;

/// The settings of a [`Socket`](crate::Socket). Cheap to clone: the protocol is shared.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`proto`](Self::proto) | [`RawProto::default()`] | the framing of messages |
/// | [`frame_limit`](Self::frame_limit) | [`DEFAULT_FRAME_LIMIT`] (64 MiB) | the largest frame read or written, eRPC's message size limit |
/// | [`read_buffer_capacity`](Self::read_buffer_capacity) | [`DEFAULT_READ_BUFFER_CAPACITY`] (4 KiB) | the room reserved when a read needs it |
/// | [`tcp`](Self::tcp) | [`TcpOptions::default()`] | options applied by [`Socket::tcp`](crate::Socket::tcp) |
///
/// ```
/// use std::sync::Arc;
/// use telerpc_socket::{RawProto, SocketConfig};
///
/// let config = SocketConfig::default()
///     .with_proto(Arc::new(RawProto::default()))
///     .with_frame_limit(1024 * 1024);
/// assert_eq!(config.proto().name(), "rawproto");
/// assert_eq!(config.frame_limit(), 1024 * 1024);
/// ```
#[derive(Debug, Clone)]
pub struct SocketConfig {
    proto: Arc<dyn Proto>,
    frame_limit: usize,
    read_buffer_capacity: usize,
    tcp: TcpOptions,
}

impl Default for SocketConfig {
    /// rawproto, a 64 MiB frame limit, a 4 KiB read buffer and Go's TCP options.
    fn default() -> Self {
        Self {
            proto: Arc::new(RawProto::default()),
            frame_limit: DEFAULT_FRAME_LIMIT,
            read_buffer_capacity: DEFAULT_READ_BUFFER_CAPACITY,
            tcp: TcpOptions::default(),
        }
    }
}

impl SocketConfig {
    /// Sets the protocol. One `Arc` may be shared by every socket of a peer.
    pub fn with_proto(mut self, proto: Arc<dyn Proto>) -> Self {
        self.proto = proto;
        self
    }

    /// Sets the largest frame, in bytes, read or written. A received frame whose size prefix
    /// is larger ends the connection before it is buffered; a larger message is refused when
    /// fed, and the connection goes on.
    pub fn with_frame_limit(mut self, frame_limit: usize) -> Self {
        self.frame_limit = frame_limit;
        self
    }

    /// Sets the room, in bytes, a reader reserves when a read needs it (at least 1).
    pub fn with_read_buffer_capacity(mut self, capacity: usize) -> Self {
        self.read_buffer_capacity = capacity.max(1);
        self
    }

    /// Sets the options [`Socket::tcp`](crate::Socket::tcp) applies.
    pub fn with_tcp(mut self, tcp: TcpOptions) -> Self {
        self.tcp = tcp;
        self
    }

    /// The protocol.
    pub fn proto(&self) -> &Arc<dyn Proto> {
        &self.proto
    }

    /// The largest frame read or written, in bytes.
    pub fn frame_limit(&self) -> usize {
        self.frame_limit
    }

    /// The room, in bytes, a reader reserves when a read needs it.
    pub fn read_buffer_capacity(&self) -> usize {
        self.read_buffer_capacity
    }

    /// The TCP options.
    pub fn tcp(&self) -> &TcpOptions {
        &self.tcp
    }
}
