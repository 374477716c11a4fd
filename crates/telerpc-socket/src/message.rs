//! [`Message`]: one frame's content, and [`MessageType`].

use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use telerpc_codec::{id, CodecError, CodecRegistry, DecodeBody, EncodeBody};
use telerpc_xfer::XferPipe;

use crate::{Meta, Status};

/// The kind of a message (spec §1, field 7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum MessageType {
    /// A request that expects a REPLY with the same seq.
    Call = 1,
    /// The answer to a CALL.
    Reply = 2,
    /// A one-way message.
    Push = 3,
    /// The dialer's credentials, once, right after connect.
    AuthCall = 4,
    /// The acceptor's answer to AUTH_CALL.
    AuthReply = 5,
}

/// A message type byte outside 1..=5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown message type {0}")]
pub struct UnknownMessageType(pub u8);

impl TryFrom<u8> for MessageType {
    type Error = UnknownMessageType;

    fn try_from(byte: u8) -> Result<Self, Self::Error> {
        Ok(match byte {
            1 => Self::Call,
            2 => Self::Reply,
            3 => Self::Push,
            4 => Self::AuthCall,
            5 => Self::AuthReply,
            other => return Err(UnknownMessageType(other)),
        })
    }
}

/// One message: what a frame carries once the protocol has read it (spec §1–§2).
///
/// The body is already encoded: [`set_body`](Self::set_body) encodes a value with a codec and
/// [`body_as`](Self::body_as) decodes it with the codec the message names, so the tier above
/// decides types while this tier moves bytes. Cloning is cheap for the body, which is shared.
///
/// ```
/// use telerpc_codec::{id, CodecRegistry};
/// use telerpc_socket::{Message, MessageType};
///
/// let codecs = CodecRegistry::standard();
/// let mut call = Message::new(MessageType::Call, 1, "/math/add");
/// call.meta.append("author", "henrylee2cn");
/// call.set_body(codecs, id::JSON, &vec![1, 2, 3])?;
/// assert_eq!(&call.body[..], b"[1,2,3]");
/// assert_eq!(call.body_as::<Vec<i64>>(codecs)?, [1, 2, 3]);
/// # Ok::<(), telerpc_codec::CodecError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The sequence number: a per-connection, per-side counter; a REPLY echoes its CALL's.
    pub seq: i32,
    /// The kind of message.
    pub mtype: MessageType,
    /// The service method, such as `/math/add`; empty in REPLY and AUTH_* messages. At most
    /// 255 bytes on the wire.
    pub service_method: ByteString,
    /// The status: `None` is OK and is written as `code=0`. Meaningful in a REPLY.
    pub status: Option<Status>,
    /// The meta pairs.
    pub meta: Meta,
    /// The id of the codec that encoded the body ([`id::NONE`] for none).
    pub body_codec: u8,
    /// The encoded body.
    pub body: Bytes,
    /// The transfer filters to apply to the payload, outer-most first.
    pub xfer_pipe: XferPipe,
}

impl Message {
    /// A message with an empty body, OK status, no meta and no filters.
    pub fn new(mtype: MessageType, seq: i32, service_method: impl Into<ByteString>) -> Self {
        Self {
            seq,
            mtype,
            service_method: service_method.into(),
            status: None,
            meta: Meta::new(),
            body_codec: id::NONE,
            body: Bytes::new(),
            xfer_pipe: XferPipe::new(),
        }
    }

    /// An empty REPLY to `call`: same seq and filters, no service method, the call's codec.
    pub fn reply_to(call: &Message) -> Self {
        Self {
            body_codec: call.body_codec,
            xfer_pipe: call.xfer_pipe.clone(),
            ..Self::new(MessageType::Reply, call.seq, ByteString::new())
        }
    }

    /// Whether the status is OK.
    pub fn is_ok(&self) -> bool {
        self.status.as_ref().is_none_or(Status::is_ok)
    }

    /// Encodes `value` with the codec `codec_id` of `codecs` as the body, and records the id.
    pub fn set_body<T: EncodeBody + ?Sized>(
        &mut self,
        codecs: &CodecRegistry,
        codec_id: u8,
        value: &T,
    ) -> Result<(), CodecError> {
        let codec = codecs.require(codec_id)?;
        let mut body = BytesMut::new();
        value.encode_body(codec.as_ref(), &mut body)?;
        self.body = body.freeze();
        self.body_codec = codec_id;
        Ok(())
    }

    /// Decodes the body as `T` with the codec the message names.
    pub fn body_as<T: DecodeBody>(&self, codecs: &CodecRegistry) -> Result<T, CodecError> {
        let codec = codecs.require(self.body_codec)?;
        T::decode_body(codec.as_ref(), self.body.clone())
    }
}
