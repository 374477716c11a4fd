//! [`PbProto`]: eRPC's pbproto.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use bytestring::ByteString;
use prost::Message as _;
use telerpc_xfer::{FilterRegistry, XferPipe};

use super::sized_frame::{self, SizeField};
use super::status_text::{read_status, status_len, write_status};
use super::Proto;
use crate::{Message, MessageType, Meta, ProtoError};

/// eRPC v6's `pbproto` (spec §7): jsonproto's frame around a protobuf payload.
///
/// All integers of the frame are big-endian. A frame:
///
/// ```text
/// +----------+------+------------+------------------------------------------------+
/// | size u32 | n u8 | n xfer ids | protobuf payload, after the filters of the ids |
/// +----------+------+------------+------------------------------------------------+
///  size counts the bytes after itself: 1 + n + the filtered payload.
///
/// payload: proto3, fields by increasing tag; a field at its default (0, empty) is not written.
///  field          tag  key   wire type  content
///  seq             1   0x08  varint     int32 (a negative one takes 10 bytes)
///  mtype           2   0x10  varint     1..=5
///  serviceMethod   3   0x1a  len        UTF-8
///  status          4   0x22  len        query string (spec §3), `code=0` for OK
///  meta            5   0x2a  len        query string (spec §3)
///  bodyCodec       6   0x30  varint     0..=255
///  body            7   0x3a  len        the encoded body
///
/// CALL seq 1 `/a`, meta `a=b`, body codec `j`, body `{}` (32 bytes):
/// 0000001c 00 08 01 10 01 1a 02 2f61 22 06 636f64653d30 2a 03 613d62 30 6a 3a 02 7b7d
/// ```
///
/// Reading follows protobuf's rules (unknown fields are skipped, the last of a repeated field
/// wins) and then checks what protobuf cannot: `mtype` must be a message type
/// ([`ProtoError::UnknownMessageType`]), `bodyCodec` in 0..=255, `serviceMethod` UTF-8
/// ([`ProtoError::InvalidUtf8`]), status and meta valid query strings. Anything else that is
/// not protobuf is [`ProtoError::Document`]. A status that reads as plain OK (code 0, no
/// message, no cause) is `None`. The body and service method are slices of the frame.
///
/// Limits are jsonproto's: the limit bounds the size field, a size of 0 is
/// [`ProtoError::FrameTooSmall`], filters never unpack more than the limit, and an incomplete
/// frame reserves at most 64 KiB beyond the bytes received.
///
/// ```
/// use bytes::BytesMut;
/// use telerpc_socket::{Message, MessageType, PbProto, Proto, DEFAULT_FRAME_LIMIT};
///
/// let proto = PbProto::default();
/// let mut call = Message::new(MessageType::Call, 1, "/a");
/// call.meta.append("a", "b");
/// call.body_codec = b'j';
/// call.body = "{}".into();
/// let mut wire = BytesMut::new();
/// proto.encode(&call, DEFAULT_FRAME_LIMIT, &mut wire)?;
/// assert_eq!(
///     &wire[..],
///     b"\x00\x00\x00\x1c\x00\x08\x01\x10\x01\x1a\x02/a\x22\x06code=0\x2a\x03a=b\x30j\x3a\x02{}"
/// );
/// assert_eq!(proto.decode(&mut wire, DEFAULT_FRAME_LIMIT)?, Some(call));
/// # Ok::<(), telerpc_socket::ProtoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct PbProto {
    filters: Arc<FilterRegistry>,
}

/// The protocol's name, in errors.
const NAME: &str = "pbproto";

impl PbProto {
    /// pbproto with the transfer filters of `filters`.
    pub fn new(filters: Arc<FilterRegistry>) -> Self {
        Self { filters }
    }
}

impl Default for PbProto {
    /// pbproto with the built-in filters.
    fn default() -> Self {
        Self::new(Arc::clone(FilterRegistry::standard()))
    }
}

impl Proto for PbProto {
    fn name(&self) -> &'static str {
        NAME
    }

    fn encode(&self, msg: &Message, limit: usize, dst: &mut BytesMut) -> Result<(), ProtoError> {
        let payload = Payload::of(msg);
        sized_frame::write(
            &self.filters,
            &msg.xfer_pipe,
            SizeField::Exclusive,
            payload.encoded_len(),
            limit,
            dst,
            |out| {
                payload
                    .encode(out)
                    .map_err(|error| malformed(error.to_string()))
            },
        )
    }

    fn decode(&self, src: &mut BytesMut, limit: usize) -> Result<Option<Message>, ProtoError> {
        let Some((xfer_pipe, payload)) =
            sized_frame::read(&self.filters, SizeField::Exclusive, src, limit)?
        else {
            return Ok(None);
        };
        let mut msg = Payload::decode(payload)
            .map_err(|error| malformed(error.to_string()))?
            .into_message()?;
        msg.xfer_pipe = xfer_pipe;
        Ok(Some(msg))
    }
}

/// A pbproto payload error.
fn malformed(reason: String) -> ProtoError {
    ProtoError::Document {
        proto: NAME,
        reason,
    }
}

/// The payload, as eRPC's `pbproto.proto` declares it, except that `serviceMethod` is `bytes`
/// here where it is `string` there: both are the same length-delimited bytes on the wire, and
/// checking UTF-8 here makes a bad one [`ProtoError::InvalidUtf8`] and keeps it a slice.
#[derive(Clone, PartialEq, prost::Message)]
struct Payload {
    #[prost(int32, tag = "1")]
    seq: i32,
    #[prost(int32, tag = "2")]
    mtype: i32,
    #[prost(bytes = "bytes", tag = "3")]
    service_method: Bytes,
    #[prost(bytes = "bytes", tag = "4")]
    status: Bytes,
    #[prost(bytes = "bytes", tag = "5")]
    meta: Bytes,
    #[prost(int32, tag = "6")]
    body_codec: i32,
    #[prost(bytes = "bytes", tag = "7")]
    body: Bytes,
}

impl Payload {
    /// The payload of `msg`; the body and service method are shared, not copied.
    fn of(msg: &Message) -> Self {
        let mut status = BytesMut::with_capacity(status_len(msg.status.as_ref()));
        write_status(msg.status.as_ref(), &mut status);
        let mut meta = BytesMut::with_capacity(msg.meta.query_len());
        msg.meta.encode_query(&mut meta);
        Self {
            seq: msg.seq,
            mtype: i32::from(msg.mtype as u8),
            service_method: msg.service_method.as_bytes().clone(),
            status: status.freeze(),
            meta: meta.freeze(),
            body_codec: i32::from(msg.body_codec),
            body: msg.body.clone(),
        }
    }

    /// The message, once its fields are checked; its pipe is empty.
    fn into_message(self) -> Result<Message, ProtoError> {
        let mtype = u8::try_from(self.mtype)
            .map_err(|_| malformed(format!("mtype {} is out of range", self.mtype)))?;
        let body_codec = u8::try_from(self.body_codec)
            .map_err(|_| malformed(format!("bodyCodec {} is not in 0..=255", self.body_codec)))?;
        Ok(Message {
            seq: self.seq,
            mtype: MessageType::try_from(mtype)?,
            service_method: ByteString::try_from(self.service_method).map_err(|_| {
                ProtoError::InvalidUtf8 {
                    field: "service method",
                }
            })?,
            status: read_status(&self.status)?,
            meta: Meta::parse_query(&self.meta).map_err(ProtoError::Meta)?,
            body_codec,
            body: self.body,
            xfer_pipe: XferPipe::new(),
        })
    }
}
