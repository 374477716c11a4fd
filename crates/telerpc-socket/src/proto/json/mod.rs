//! [`JsonProto`]: eRPC's jsonproto, with correct escaping (spec §7).

mod reader;

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;
use telerpc_codec::id;
use telerpc_xfer::{FilterRegistry, XferPipe};

use self::reader::{Cursor, Text};
use super::sized_frame::{self, SizeField};
use super::status_text::{read_status, status_len, write_status};
use super::Proto;
use crate::{Message, MessageType, Meta, ProtoError};

/// eRPC v6's `jsonproto` (spec §7), byte for byte for what eRPC writes correctly, and with
/// correct escaping where eRPC's is broken.
///
/// All integers are big-endian. A frame:
///
/// ```text
/// +----------+------+------------+----------------------------------------------+
/// | size u32 | n u8 | n xfer ids | JSON document, after the filters of the ids  |
/// +----------+------+------------+----------------------------------------------+
///  size counts the bytes after itself: 1 + n + the filtered document.
///
/// document: one JSON object, these keys in this order, no white space:
/// {"seq":1,"mtype":1,"serviceMethod":"/math/add","status":"code=0",
///  "meta":"author=henrylee2cn","bodyCodec":106,"body":"[1,2,3]"}
///   seq        decimal i32           status  query string (spec §3), `code=0` for OK
///   mtype      decimal 1..=5         meta    query string (spec §3)
///   bodyCodec  decimal 0..=255       body    the encoded body's bytes, escaped
/// ```
///
/// **Escaping.** In `serviceMethod` and `body`, `"` is written `\"`, `\` is written `\\`, a
/// byte below 0x20 is written `\n`, `\r`, `\t` or `\u00XX`, and every other byte, including
/// bytes ≥ 0x80 and invalid UTF-8, is copied as it is: binary bodies travel intact and a Go
/// eRPC peer, which unescapes the standard escapes, reads the same bytes. (eRPC itself escapes
/// only `"` in the body, so its bodies must not hold a backslash.) Status and meta are query
/// strings, whose bytes (`A-Z a-z 0-9 * - . _ % & =`) JSON never escapes.
///
/// **Reading** is strict about JSON and tolerant about layout: keys in any order, white space
/// between tokens, unknown keys skipped whatever their value (arrays and objects nested at most
/// 64 deep), every JSON escape including `\uXXXX` surrogate pairs, and raw bytes inside strings
/// kept as they are (Go peers send raw control bytes and invalid UTF-8). `seq` and `mtype` are required; the other keys default to empty or 0, and
/// the first occurrence of a key wins. `seq`, `mtype` and `bodyCodec` must be integers in
/// range, `serviceMethod` UTF-8. A status that reads as plain OK (code 0, no message, no
/// cause) is `None`. Nothing is allocated beyond the bytes received: the body is a slice of
/// the frame unless it holds escapes.
///
/// **Limits.** The limit bounds the size field, as eRPC's does: a larger size is refused
/// before anything is buffered, a size of 0 (no room for the id count) is
/// [`ProtoError::FrameTooSmall`], and filters never unpack more than the limit. While a frame
/// is incomplete, at most 64 KiB more than the bytes received is reserved, so a size prefix
/// alone never makes the reader allocate what it claims.
///
/// ```
/// use bytes::BytesMut;
/// use telerpc_socket::{JsonProto, Message, MessageType, Proto, DEFAULT_FRAME_LIMIT};
///
/// let proto = JsonProto::default();
/// let mut push = Message::new(MessageType::Push, 1, "/chat/say");
/// push.body = "a \"quoted\" \\ line\n".into();
/// let mut wire = BytesMut::new();
/// proto.encode(&push, DEFAULT_FRAME_LIMIT, &mut wire)?;
/// assert_eq!(
///     &wire[5..],
///     br#"{"seq":1,"mtype":3,"serviceMethod":"/chat/say","status":"code=0","meta":"","bodyCodec":0,"body":"a \"quoted\" \\ line\n"}"#
/// );
/// assert_eq!(proto.decode(&mut wire, DEFAULT_FRAME_LIMIT)?, Some(push));
/// # Ok::<(), telerpc_socket::ProtoError>(())
/// ```
#[derive(Debug, Clone)]
pub struct JsonProto {
    filters: Arc<FilterRegistry>,
}

/// The protocol's name, in errors.
const NAME: &str = "jsonproto";

impl JsonProto {
    /// jsonproto with the transfer filters of `filters`.
    pub fn new(filters: Arc<FilterRegistry>) -> Self {
        Self { filters }
    }
}

impl Default for JsonProto {
    /// jsonproto with the built-in filters.
    fn default() -> Self {
        Self::new(Arc::clone(FilterRegistry::standard()))
    }
}

impl Proto for JsonProto {
    fn name(&self) -> &'static str {
        NAME
    }

    fn encode(&self, msg: &Message, limit: usize, dst: &mut BytesMut) -> Result<(), ProtoError> {
        sized_frame::write(
            &self.filters,
            &msg.xfer_pipe,
            SizeField::Exclusive,
            document_len(msg),
            limit,
            dst,
            |out| {
                write_document(msg, out);
                Ok(())
            },
        )
    }

    fn decode(&self, src: &mut BytesMut, limit: usize) -> Result<Option<Message>, ProtoError> {
        let Some((xfer_pipe, document)) =
            sized_frame::read(&self.filters, SizeField::Exclusive, src, limit)?
        else {
            return Ok(None);
        };
        let mut msg = read_document(document)?;
        msg.xfer_pipe = xfer_pipe;
        Ok(Some(msg))
    }
}

// The document's fixed text, in eRPC's key order: each piece closes the previous value and
// opens the next one.
const SEQ_KEY: &[u8] = br#"{"seq":"#;
const MTYPE_KEY: &[u8] = br#","mtype":"#;
const SERVICE_METHOD_KEY: &[u8] = br#","serviceMethod":""#;
const STATUS_KEY: &[u8] = br#"","status":""#;
const META_KEY: &[u8] = br#"","meta":""#;
const BODY_CODEC_KEY: &[u8] = br#"","bodyCodec":"#;
const BODY_KEY: &[u8] = br#","body":""#;
const DOCUMENT_END: &[u8] = br#""}"#;

/// The bytes of the document that are the same for every message.
const DOCUMENT_FIXED_LEN: usize = SEQ_KEY.len()
    + MTYPE_KEY.len()
    + SERVICE_METHOD_KEY.len()
    + STATUS_KEY.len()
    + META_KEY.len()
    + BODY_CODEC_KEY.len()
    + BODY_KEY.len()
    + DOCUMENT_END.len();

/// The exact length of [`write_document`]'s output.
fn document_len(msg: &Message) -> usize {
    DOCUMENT_FIXED_LEN
        + Decimal::new(msg.seq).as_bytes().len()
        + Decimal::new(i32::from(msg.mtype as u8)).as_bytes().len()
        + escaped_len(msg.service_method.as_bytes())
        + status_len(msg.status.as_ref())
        + msg.meta.query_len()
        + Decimal::new(i32::from(msg.body_codec)).as_bytes().len()
        + escaped_len(&msg.body)
}

/// Writes the document as eRPC does, with correct escaping.
fn write_document(msg: &Message, out: &mut BytesMut) {
    out.put_slice(SEQ_KEY);
    out.put_slice(Decimal::new(msg.seq).as_bytes());
    out.put_slice(MTYPE_KEY);
    out.put_slice(Decimal::new(i32::from(msg.mtype as u8)).as_bytes());
    out.put_slice(SERVICE_METHOD_KEY);
    escape_into(msg.service_method.as_bytes(), out);
    out.put_slice(STATUS_KEY);
    write_status(msg.status.as_ref(), out);
    out.put_slice(META_KEY);
    msg.meta.encode_query(out);
    out.put_slice(BODY_CODEC_KEY);
    out.put_slice(Decimal::new(i32::from(msg.body_codec)).as_bytes());
    out.put_slice(BODY_KEY);
    escape_into(&msg.body, out);
    out.put_slice(DOCUMENT_END);
}

/// An `i32` in decimal, formatted on the stack.
struct Decimal {
    text: [u8; Self::MAX_LEN],
    start: usize,
}

impl Decimal {
    /// The longest text: `-2147483648`.
    const MAX_LEN: usize = 11;

    fn new(value: i32) -> Self {
        let mut text = [0; Self::MAX_LEN];
        let mut start = Self::MAX_LEN;
        let mut magnitude = value.unsigned_abs();
        loop {
            start -= 1;
            text[start] = b'0' + (magnitude % 10) as u8;
            magnitude /= 10;
            if magnitude == 0 {
                break;
            }
        }
        if value < 0 {
            start -= 1;
            text[start] = b'-';
        }
        Self { text, start }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.text[self.start..]
    }
}

/// Whether `byte` is written as an escape inside a JSON string.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The length of [`escape_into`]'s output.
fn escaped_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&byte| match byte {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' => 2,
            0..=0x1F => 6,
            _ => 1,
        })
        .sum()
}

/// Appends `bytes` as the inside of a JSON string: `"` → `\"`, `\` → `\\`, bytes below 0x20
/// → `\n`, `\r`, `\t` or `\u00XX`; every other byte as it is.
fn escape_into(bytes: &[u8], out: &mut BytesMut) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = bytes;
    while !rest.is_empty() {
        let plain = rest.iter().take_while(|&&b| !needs_escape(b)).count();
        out.put_slice(&rest[..plain]);
        rest = &rest[plain..];
        if let Some((&byte, tail)) = rest.split_first() {
            match byte {
                b'"' => out.put_slice(br#"\""#),
                b'\\' => out.put_slice(br"\\"),
                b'\n' => out.put_slice(br"\n"),
                b'\r' => out.put_slice(br"\r"),
                b'\t' => out.put_slice(br"\t"),
                _ => out.put_slice(&[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xF)],
                ]),
            }
            rest = tail;
        }
    }
}

/// A jsonproto document error.
fn malformed(reason: String) -> ProtoError {
    ProtoError::Document {
        proto: NAME,
        reason,
    }
}

/// Reads the document of a frame.
fn read_document(document: Bytes) -> Result<Message, ProtoError> {
    let mut fields = Fields::default();
    Cursor::new(&document).object(|key, value| fields.read(key, value))?;
    fields.into_message(&document)
}

/// The known keys of a document, as read so far.
#[derive(Default)]
struct Fields {
    seq: Option<i32>,
    mtype: Option<MessageType>,
    service_method: Option<Text>,
    status: Option<Text>,
    meta: Option<Text>,
    body_codec: Option<u8>,
    body: Option<Text>,
}

impl Fields {
    /// Reads the value of `key` at `value`; a key already read, or unknown, is skipped.
    fn read(&mut self, key: &[u8], value: &mut Cursor<'_>) -> Result<(), ProtoError> {
        match key {
            b"seq" if self.seq.is_none() => {
                let seq = value.integer("seq")?;
                let seq = i32::try_from(seq)
                    .map_err(|_| malformed(format!("seq {seq} is out of the i32 range")))?;
                self.seq = Some(seq);
            }
            b"mtype" if self.mtype.is_none() => {
                let mtype = value.integer("mtype")?;
                let mtype = u8::try_from(mtype)
                    .map_err(|_| malformed(format!("mtype {mtype} is out of range")))?;
                self.mtype = Some(MessageType::try_from(mtype)?);
            }
            b"bodyCodec" if self.body_codec.is_none() => {
                let codec = value.integer("bodyCodec")?;
                let codec = u8::try_from(codec)
                    .map_err(|_| malformed(format!("bodyCodec {codec} is not in 0..=255")))?;
                self.body_codec = Some(codec);
            }
            b"serviceMethod" if self.service_method.is_none() => {
                self.service_method = Some(value.string()?);
            }
            b"status" if self.status.is_none() => self.status = Some(value.string()?),
            b"meta" if self.meta.is_none() => self.meta = Some(value.string()?),
            b"body" if self.body.is_none() => self.body = Some(value.string()?),
            _ => value.skip_value()?,
        }
        Ok(())
    }

    /// The message, once every key was read; its pipe is empty.
    fn into_message(self, document: &Bytes) -> Result<Message, ProtoError> {
        let missing = |key: &str| malformed(format!("the key {key:?} is missing"));
        let service_method = match self.service_method {
            Some(text) => ByteString::try_from(text.into_bytes(document)).map_err(|_| {
                ProtoError::InvalidUtf8 {
                    field: "service method",
                }
            })?,
            None => ByteString::new(),
        };
        Ok(Message {
            seq: self.seq.ok_or_else(|| missing("seq"))?,
            mtype: self.mtype.ok_or_else(|| missing("mtype"))?,
            service_method,
            status: read_status(content(self.status.as_ref(), document))?,
            meta: Meta::parse_query(content(self.meta.as_ref(), document))
                .map_err(ProtoError::Meta)?,
            body_codec: self.body_codec.unwrap_or(id::NONE),
            body: self
                .body
                .map_or_else(Bytes::new, |text| text.into_bytes(document)),
            xfer_pipe: XferPipe::new(),
        })
    }
}

/// The content of a string that may be absent: empty when it is.
fn content<'a>(text: Option<&'a Text>, document: &'a [u8]) -> &'a [u8] {
    text.map_or(&[], |text| text.bytes(document))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Status;

    fn escaped(bytes: &[u8]) -> Vec<u8> {
        let mut out = BytesMut::new();
        escape_into(bytes, &mut out);
        assert_eq!(out.len(), escaped_len(bytes), "escaped_len of {bytes:?}");
        out.to_vec()
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_bytes_only() {
        assert_eq!(escaped(b"a\"b\\c"), br#"a\"b\\c"#);
        assert_eq!(
            escaped(b"\n\r\t\x00\x08\x0c\x1f"),
            br"\n\r\t\u0000\u0008\u000c\u001f"
        );
        assert_eq!(escaped(b" /\x7f\x80\xff\xfe"), b" /\x7f\x80\xff\xfe");
        assert_eq!(escaped("é".as_bytes()), "é".as_bytes());
    }

    #[test]
    fn escaped_len_matches_the_output_for_every_byte() {
        let every_byte: Vec<u8> = (0..=255).collect();
        // `"` and `\` gain one byte, `\n` `\r` `\t` one each, the 29 other control bytes five each.
        assert_eq!(escaped(&every_byte).len(), 256 + 2 + 3 + 29 * 5);
    }

    #[test]
    fn decimals_cover_the_i32_range() {
        for (value, text) in [(0, "0"), (7, "7"), (-1, "-1"), (106, "106")] {
            assert_eq!(Decimal::new(value).as_bytes(), text.as_bytes());
        }
        assert_eq!(Decimal::new(i32::MAX).as_bytes(), b"2147483647");
        assert_eq!(Decimal::new(i32::MIN).as_bytes(), b"-2147483648");
    }

    #[test]
    fn document_len_is_exact() {
        let mut msg = Message::new(MessageType::AuthReply, i32::MIN, "/é\"\\\n");
        msg.status = Some(Status::new(-7, "a b").with_cause("c&d"));
        msg.meta.append("k", "v w");
        msg.body_codec = 255;
        msg.body = Bytes::from_static(b"\x00\x01\"\\\xff");
        let mut out = BytesMut::new();
        write_document(&msg, &mut out);
        assert_eq!(out.len(), document_len(&msg));
    }
}
