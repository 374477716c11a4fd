//! The errors of this tier.

use telerpc_xfer::XferError;

use crate::{code, query::QueryError, seq::SeqError, Status, StatusError, UnknownMessageType};

/// A frame that cannot be written or read. Reading errors leave the stream at an unknown
/// position: the connection must be closed (spec §6). A writing error leaves the output buffer
/// as it was, so the connection can go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProtoError {
    /// The frame is larger than the limit: on reading, judged from the size prefix before
    /// anything is buffered; on writing, the message is refused.
    #[error("frame of {size} bytes exceeds the limit of {limit}")]
    FrameTooLarge {
        /// The frame's size.
        size: u64,
        /// The limit in force.
        limit: usize,
    },
    /// The size prefix is smaller than the smallest frame.
    #[error("frame size {0} is below the minimum")]
    FrameTooSmall(u32),
    /// A length inside the frame runs past its end, or a field is missing.
    #[error("truncated frame: {field} runs past the end")]
    Truncated {
        /// The field that did not fit.
        field: &'static str,
    },
    /// A field is too long for its length prefix; it is refused, never truncated.
    #[error("{field} is {len} bytes, more than the {max} its length field allows")]
    FieldTooLong {
        /// The field.
        field: &'static str,
        /// Its length.
        len: usize,
        /// The largest length the wire allows.
        max: usize,
    },
    /// The message type byte is not 1..=5.
    #[error(transparent)]
    UnknownMessageType(#[from] UnknownMessageType),
    /// The seq is not a base-36 `i32`.
    #[error(transparent)]
    InvalidSeq(#[from] SeqError),
    /// A text field is not UTF-8.
    #[error("{field} is not UTF-8")]
    InvalidUtf8 {
        /// The field.
        field: &'static str,
    },
    /// The meta query string is malformed.
    #[error("meta: {0}")]
    Meta(#[source] QueryError),
    /// The status query string is malformed.
    #[error("status: {0}")]
    Status(#[from] StatusError),
    /// A transfer filter failed or is unknown.
    #[error(transparent)]
    Xfer(#[from] XferError),
    /// The document of a jsonproto or pbproto frame is malformed.
    #[error("malformed {proto} document: {reason}")]
    Document {
        /// The protocol's name.
        proto: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl ProtoError {
    /// The status a caller sees when its message could not be written: 104 Write Failed with
    /// this error as the cause.
    pub fn write_status(&self) -> Status {
        Status::from_code(code::WRITE_FAILED).with_cause(self.to_string())
    }
}

/// An error of a [`Socket`](crate::Socket).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SocketError {
    /// The stream failed. The connection is gone.
    #[error("socket i/o: {0}")]
    Io(#[from] std::io::Error),
    /// A frame could not be read or written; see [`ProtoError`] for what follows.
    #[error(transparent)]
    Proto(#[from] ProtoError),
    /// The peer closed the stream in the middle of a frame.
    #[error("the peer closed the connection mid-frame ({buffered} bytes buffered)")]
    UnexpectedEof {
        /// Bytes of the unfinished frame.
        buffered: usize,
    },
}
