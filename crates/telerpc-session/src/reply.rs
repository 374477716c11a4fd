//! [`Reply`]: what a [`Handler`](crate::Handler) answers a CALL with.

use bytes::{Bytes, BytesMut};
use telerpc_codec::{id, CodecError, CodecRegistry, EncodeBody};
use telerpc_socket::{Message, MessageType, Meta, Status};
use telerpc_xfer::XferPipe;

/// A handler's answer to a CALL: status, meta, body codec and encoded body.
///
/// The session turns it into the REPLY frame: seq of the CALL, type REPLY, empty service
/// method, the CALL's transfer filters. A reply whose status is not OK is sent with codec 0
/// and an empty body whatever these fields hold (spec §2). An OK reply with a body but codec 0
/// would be unreadable to the caller, so the session answers 500 instead.
///
/// ```
/// use telerpc_codec::{id, CodecRegistry};
/// use telerpc_session::Reply;
/// use telerpc_socket::Status;
///
/// let ok = Reply::encode(CodecRegistry::standard(), id::JSON, &6)?;
/// assert_eq!((ok.body_codec, &ok.body[..]), (id::JSON, &b"6"[..]));
///
/// let not_found = Reply::from(Status::from_code(404));
/// assert!(!not_found.is_ok());
/// # Ok::<(), telerpc_codec::CodecError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    /// The outcome: `None` (or an OK status) is OK.
    pub status: Option<Status>,
    /// Meta pairs for the caller.
    pub meta: Meta,
    /// The id of the codec that encoded the body; [`id::NONE`] for no body.
    pub body_codec: u8,
    /// The encoded body.
    pub body: Bytes,
}

impl Reply {
    /// An OK reply without meta or body.
    pub fn new() -> Self {
        Self::default()
    }

    /// An OK reply carrying `body`, already encoded with the codec `body_codec`.
    pub fn with_body(body_codec: u8, body: Bytes) -> Self {
        Self {
            body_codec,
            body,
            ..Self::default()
        }
    }

    /// An OK reply carrying `value` encoded with the codec `codec_id` of `codecs`.
    ///
    /// Fails if the codec is unknown or cannot encode the value.
    pub fn encode<T: EncodeBody + ?Sized>(
        codecs: &CodecRegistry,
        codec_id: u8,
        value: &T,
    ) -> Result<Self, CodecError> {
        let mut body = BytesMut::new();
        value.encode_body(codecs.require(codec_id)?.as_ref(), &mut body)?;
        Ok(Self::with_body(codec_id, body.freeze()))
    }

    /// Whether the status is OK.
    pub fn is_ok(&self) -> bool {
        self.status.as_ref().is_none_or(Status::is_ok)
    }

    /// The REPLY message answering the CALL `seq` that came through `xfer_pipe`.
    pub(crate) fn into_message(self, seq: i32, xfer_pipe: XferPipe) -> Message {
        let mut message = Message::new(MessageType::Reply, seq, "");
        message.xfer_pipe = xfer_pipe;
        message.meta = self.meta;
        if self.status.as_ref().is_none_or(Status::is_ok) {
            message.body_codec = self.body_codec;
            message.body = self.body;
        } else {
            message.status = self.status;
        }
        message
    }

    /// Whether the caller could not read this reply: OK, with a body, but no codec.
    pub(crate) fn lacks_codec(&self) -> bool {
        self.is_ok() && self.body_codec == id::NONE && !self.body.is_empty()
    }
}

impl From<Status> for Reply {
    /// An error reply; an OK status gives an OK reply without a body.
    fn from(status: Status) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }
}

impl From<Message> for Reply {
    /// The status, meta, codec and body of `message`, for a handler that built its answer
    /// with [`Message::reply_to`]; the rest is set by the session.
    fn from(message: Message) -> Self {
        Self {
            status: message.status,
            meta: message.meta,
            body_codec: message.body_codec,
            body: message.body,
        }
    }
}

#[cfg(test)]
mod tests {
    use telerpc_socket::code;

    use super::*;

    #[test]
    fn an_error_reply_carries_no_body() {
        let mut reply = Reply::with_body(id::JSON, Bytes::from_static(b"1"));
        reply.status = Some(Status::from_code(code::NOT_FOUND));
        reply.meta.append("k", "v");
        let message = reply.into_message(7, XferPipe::from_ids(&b"g"[..]).unwrap());
        assert_eq!(message.mtype, MessageType::Reply);
        assert_eq!(message.seq, 7);
        assert!(message.service_method.is_empty());
        assert_eq!(message.status.map(|s| s.code()), Some(code::NOT_FOUND));
        assert_eq!((message.body_codec, message.body.len()), (id::NONE, 0));
        assert_eq!(message.meta.get("k"), Some("v"));
        assert_eq!(message.xfer_pipe.ids(), b"g");
    }

    #[test]
    fn an_ok_status_is_sent_as_ok_with_its_body() {
        let mut reply = Reply::with_body(id::JSON, Bytes::from_static(b"1"));
        reply.status = Some(Status::new(code::OK, ""));
        let message = reply.into_message(1, XferPipe::new());
        assert!(message.status.is_none());
        assert_eq!(&message.body[..], b"1");
    }

    #[test]
    fn a_body_without_a_codec_is_flagged() {
        assert!(Reply::with_body(id::NONE, Bytes::from_static(b"x")).lacks_codec());
        assert!(!Reply::new().lacks_codec());
        assert!(!Reply::from(Status::from_code(500)).lacks_codec());
    }
}
