//! [`RawProto`]: eRPC v6's default protocol.

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;
use telerpc_xfer::{FilterRegistry, XferPipe};

use super::sized_frame::{self, SizeField};
use super::status_text::{read_status, status_len, write_status};
use super::Proto;
use crate::{seq, Message, MessageType, Meta, ProtoError};

/// eRPC v6's `rawproto`, byte for byte (spec §1–§3). telerpc's default protocol.
///
/// All integers are big-endian. A frame:
///
/// ```text
/// +----------+-------+-----------+------------------------------------------------+
/// | size u32 | n u8  | n xfer ids| payload, after the filters of the ids          |
/// +----------+-------+-----------+------------------------------------------------+
///  size counts the whole frame, its own 4 bytes included.
///
/// payload:
/// +--------+-----+-------+-------+----------------+--------+--------+--------+------+-------+------+
/// | seq_len| seq | mtype | sm_len| service method | st_len | status | mt_len | meta | codec | body |
/// |  u8    |b36  |  u8   |  u8   |  ≤ 255 bytes   |  u16   | query  |  u16   | query|  u8   | rest |
/// +--------+-----+-------+-------+----------------+--------+--------+--------+------+-------+------+
/// ```
///
/// The seq is base-36 text (`1`, `a`, `zik0zj`); status and meta are query strings; the body runs
/// to the end of the payload. Filters are applied last id first when writing and first id first
/// when reading. A service method over 255 bytes, or a status or meta over 65535, is refused.
///
/// ```
/// use bytes::BytesMut;
/// use telerpc_socket::{Message, MessageType, Proto, RawProto, DEFAULT_FRAME_LIMIT};
///
/// let proto = RawProto::default();
/// let mut wire = BytesMut::new();
/// proto.encode(&Message::new(MessageType::Push, 1, "/chat/say"), DEFAULT_FRAME_LIMIT, &mut wire)?;
/// assert_eq!(&wire[..4], &[0, 0, 0, 29]);
/// let back = proto.decode(&mut wire, DEFAULT_FRAME_LIMIT)?.unwrap();
/// assert_eq!(back.service_method, "/chat/say");
/// # Ok::<(), telerpc_socket::ProtoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct RawProto {
    filters: Arc<FilterRegistry>,
}

impl RawProto {
    /// rawproto with the transfer filters of `filters`.
    pub fn new(filters: Arc<FilterRegistry>) -> Self {
        Self { filters }
    }
}

impl Default for RawProto {
    /// rawproto with the built-in filters.
    fn default() -> Self {
        Self::new(Arc::clone(FilterRegistry::standard()))
    }
}

impl Proto for RawProto {
    fn name(&self) -> &'static str {
        "rawproto"
    }

    fn encode(&self, msg: &Message, limit: usize, dst: &mut BytesMut) -> Result<(), ProtoError> {
        sized_frame::write(
            &self.filters,
            &msg.xfer_pipe,
            SizeField::Inclusive,
            payload_len(msg)?,
            limit,
            dst,
            |out| {
                write_payload(msg, out);
                Ok(())
            },
        )
    }

    fn decode(&self, src: &mut BytesMut, limit: usize) -> Result<Option<Message>, ProtoError> {
        let Some((xfer_pipe, payload)) =
            sized_frame::read(&self.filters, SizeField::Inclusive, src, limit)?
        else {
            return Ok(None);
        };
        let mut msg = read_payload(payload)?;
        msg.xfer_pipe = xfer_pipe;
        Ok(Some(msg))
    }
}

/// The largest service method, status and meta the length fields allow.
const MAX_SERVICE_METHOD: usize = u8::MAX as usize;
const MAX_QUERY: usize = u16::MAX as usize;

fn checked_len(field: &'static str, len: usize, max: usize) -> Result<usize, ProtoError> {
    if len > max {
        return Err(ProtoError::FieldTooLong { field, len, max });
    }
    Ok(len)
}

/// The payload's exact length, after checking every length field.
fn payload_len(msg: &Message) -> Result<usize, ProtoError> {
    let mut seq_text = [0; seq::MAX_SEQ_LEN];
    let seq_len = seq::encode(msg.seq, &mut seq_text).len();
    let method = checked_len(
        "service method",
        msg.service_method.len(),
        MAX_SERVICE_METHOD,
    )?;
    let status = checked_len("status", status_len(msg.status.as_ref()), MAX_QUERY)?;
    let meta = checked_len("meta", msg.meta.query_len(), MAX_QUERY)?;
    Ok(1 + seq_len + 1 + 1 + method + 2 + status + 2 + meta + 1 + msg.body.len())
}

/// Writes the payload; lengths were checked by [`payload_len`].
fn write_payload(msg: &Message, out: &mut BytesMut) {
    let mut seq_text = [0; seq::MAX_SEQ_LEN];
    let seq_text = seq::encode(msg.seq, &mut seq_text);
    out.put_u8(seq_text.len() as u8);
    out.put_slice(seq_text);
    out.put_u8(msg.mtype as u8);
    out.put_u8(msg.service_method.len() as u8);
    out.put_slice(msg.service_method.as_bytes());
    out.put_u16(status_len(msg.status.as_ref()) as u16);
    write_status(msg.status.as_ref(), out);
    out.put_u16(msg.meta.query_len() as u16);
    msg.meta.encode_query(out);
    out.put_u8(msg.body_codec);
    out.put_slice(&msg.body);
}

/// Cuts `len` bytes off the front of `buf`.
fn take(buf: &mut Bytes, len: usize, field: &'static str) -> Result<Bytes, ProtoError> {
    if buf.len() < len {
        return Err(ProtoError::Truncated { field });
    }
    Ok(buf.split_to(len))
}

fn take_u8(buf: &mut Bytes, field: &'static str) -> Result<u8, ProtoError> {
    Ok(take(buf, 1, field)?[0])
}

fn take_u16(buf: &mut Bytes, field: &'static str) -> Result<usize, ProtoError> {
    let bytes = take(buf, 2, field)?;
    Ok(usize::from(u16::from_be_bytes([bytes[0], bytes[1]])))
}

/// Reads the unpacked payload: fields 5 to 15.
fn read_payload(mut payload: Bytes) -> Result<Message, ProtoError> {
    let seq_len = usize::from(take_u8(&mut payload, "seq length")?);
    let seq = seq::decode(&take(&mut payload, seq_len, "seq")?)?;
    let mtype = MessageType::try_from(take_u8(&mut payload, "message type")?)?;
    let method_len = usize::from(take_u8(&mut payload, "service method length")?);
    let service_method = ByteString::try_from(take(&mut payload, method_len, "service method")?)
        .map_err(|_| ProtoError::InvalidUtf8 {
            field: "service method",
        })?;
    let status_len = take_u16(&mut payload, "status length")?;
    let status = read_status(&take(&mut payload, status_len, "status")?)?;
    let meta_len = take_u16(&mut payload, "meta length")?;
    let meta =
        Meta::parse_query(&take(&mut payload, meta_len, "meta")?).map_err(ProtoError::Meta)?;
    let body_codec = take_u8(&mut payload, "body codec")?;
    Ok(Message {
        seq,
        mtype,
        service_method,
        status,
        meta,
        body_codec,
        body: payload,
        xfer_pipe: XferPipe::new(),
    })
}
