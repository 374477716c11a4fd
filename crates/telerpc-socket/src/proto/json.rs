//! [`JsonProto`]: eRPC's jsonproto, with correct escaping; and the size-prefixed frame and
//! status text that jsonproto and pbproto share (spec §7).

use std::sync::Arc;

use bytes::{BufMut, Bytes, BytesMut};
use bytestring::ByteString;
use telerpc_codec::id;
use telerpc_xfer::{FilterRegistry, XferPipe};

use self::reader::{Cursor, Text};
use super::Proto;
use crate::{Message, MessageType, Meta, ProtoError, Status};

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
/// 64 deep), every JSON escape including `\uXXXX` surrogate
/// pairs, and raw bytes inside strings kept as they are (Go peers send raw control bytes and
/// invalid UTF-8). `seq` and `mtype` are required; the other keys default to empty or 0, and
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
        Self::new(Arc::new(FilterRegistry::default()))
    }
}

impl Proto for JsonProto {
    fn name(&self) -> &'static str {
        NAME
    }

    fn encode(&self, msg: &Message, limit: usize, dst: &mut BytesMut) -> Result<(), ProtoError> {
        frame::write(
            &self.filters,
            &msg.xfer_pipe,
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
        let Some((xfer_pipe, document)) = frame::read(&self.filters, src, limit)? else {
            return Ok(None);
        };
        let mut msg = read_document(document)?;
        msg.xfer_pipe = xfer_pipe;
        Ok(Some(msg))
    }
}

/// The outer frame of jsonproto and pbproto (spec §7).
///
/// ```text
/// +----------+------+------------+--------------------------------------+
/// | size u32 | n u8 | n xfer ids | payload, after the filters of the ids|
/// +----------+------+------------+--------------------------------------+
///  size = 1 + n + len(filtered payload): it excludes its own 4 bytes, and the limit bounds it.
/// ```
pub(super) mod frame {
    use bytes::{Buf, BufMut, Bytes, BytesMut};
    use telerpc_xfer::{FilterRegistry, XferPipe};

    use crate::ProtoError;

    /// The bytes of the size field.
    const SIZE_LEN: usize = 4;

    /// The most a decode reserves beyond the bytes received while a frame is incomplete.
    const RESERVE_STEP: usize = 64 * 1024;

    /// Appends the frame of a payload of `payload_len` bytes, which `write_payload` writes.
    ///
    /// On error `dst` is left exactly as it was. With an empty pipe a frame over the limit is
    /// refused before its payload is written.
    pub(in crate::proto) fn write(
        filters: &FilterRegistry,
        pipe: &XferPipe,
        payload_len: usize,
        limit: usize,
        dst: &mut BytesMut,
        write_payload: impl FnOnce(&mut BytesMut) -> Result<(), ProtoError>,
    ) -> Result<(), ProtoError> {
        let start = dst.len();
        let result = write_unchecked(filters, pipe.ids(), payload_len, limit, dst, write_payload);
        if result.is_err() {
            dst.truncate(start);
        }
        result
    }

    /// [`write`], leaving a partial frame behind on error.
    fn write_unchecked(
        filters: &FilterRegistry,
        ids: &[u8],
        payload_len: usize,
        limit: usize,
        dst: &mut BytesMut,
        write_payload: impl FnOnce(&mut BytesMut) -> Result<(), ProtoError>,
    ) -> Result<(), ProtoError> {
        filters.check(ids)?;
        let unfiltered_size = 1 + ids.len() + payload_len;
        if ids.is_empty() {
            checked_size(unfiltered_size, limit)?;
        }
        let start = dst.len();
        dst.reserve(SIZE_LEN + unfiltered_size);
        dst.put_u32(0);
        dst.put_u8(ids.len() as u8);
        dst.put_slice(ids);
        if ids.is_empty() {
            write_payload(dst)?;
        } else {
            let mut payload = BytesMut::with_capacity(payload_len);
            write_payload(&mut payload)?;
            dst.put(filters.pack(ids, payload)?);
        }
        let size = checked_size(dst.len() - start - SIZE_LEN, limit)?;
        dst[start..start + SIZE_LEN].copy_from_slice(&size.to_be_bytes());
        Ok(())
    }

    /// `size` as the size field, when the limit and the field's width allow it.
    fn checked_size(size: usize, limit: usize) -> Result<u32, ProtoError> {
        let too_large = || ProtoError::FrameTooLarge {
            size: size as u64,
            limit,
        };
        if size > limit {
            return Err(too_large());
        }
        u32::try_from(size).map_err(|_| too_large())
    }

    /// Cuts the first complete frame out of `src`: its pipe and its unpacked payload.
    ///
    /// `Ok(None)` until the frame is complete; meanwhile at most [`RESERVE_STEP`] bytes are
    /// reserved beyond those received.
    pub(in crate::proto) fn read(
        filters: &FilterRegistry,
        src: &mut BytesMut,
        limit: usize,
    ) -> Result<Option<(XferPipe, Bytes)>, ProtoError> {
        let Some(prefix) = src.get(..SIZE_LEN) else {
            return Ok(None);
        };
        let size = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
        if size == 0 {
            return Err(ProtoError::FrameTooSmall(size));
        }
        let too_large = ProtoError::FrameTooLarge {
            size: size.into(),
            limit,
        };
        if size as usize > limit {
            return Err(too_large);
        }
        let frame_len = (size as usize).checked_add(SIZE_LEN).ok_or(too_large)?;
        if src.len() < frame_len {
            src.reserve((frame_len - src.len()).min(RESERVE_STEP));
            return Ok(None);
        }
        let mut frame = src.split_to(frame_len).freeze();
        frame.advance(SIZE_LEN);
        let count = usize::from(frame.get_u8());
        if frame.len() < count {
            return Err(ProtoError::Truncated { field: "xfer pipe" });
        }
        let ids = frame.split_to(count);
        filters.check(&ids)?;
        let payload = filters.unpack(&ids, frame, limit)?;
        Ok(Some((XferPipe::from_ids(ids)?, payload)))
    }
}

/// The status text of an OK status: what `None` is written as.
const OK_STATUS: &[u8] = b"code=0";

/// The length of [`write_status`]'s output.
pub(super) fn status_len(status: Option<&Status>) -> usize {
    status.map_or(OK_STATUS.len(), Status::query_len)
}

/// Appends the query-string form of a status; `None` is `code=0`.
pub(super) fn write_status(status: Option<&Status>, out: &mut BytesMut) {
    match status {
        Some(status) => status.encode_query(out),
        None => out.put_slice(OK_STATUS),
    }
}

/// Reads a status query string; one that reads as plain OK (code 0, no message, no cause),
/// the empty string included, is `None`.
pub(super) fn read_status(query: &[u8]) -> Result<Option<Status>, ProtoError> {
    let status = Status::parse_query(query)?;
    let plain_ok = status.is_ok() && status.message().is_empty() && status.cause().is_none();
    Ok((!plain_ok).then_some(status))
}

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

/// A JSON reader over bytes, for the one object a jsonproto document is.
///
/// Unlike a general JSON parser it keeps raw bytes inside strings as they are (raw control
/// bytes and invalid UTF-8 included), and it allocates only to unescape a string, never more
/// than the string's bytes.
mod reader {
    use std::ops::Range;

    use bytes::Bytes;

    use super::malformed;
    use crate::ProtoError;

    /// The deepest nesting of arrays and objects a skipped value may have.
    const MAX_DEPTH: usize = 64;

    /// The content of a JSON string.
    pub(super) enum Text {
        /// The string held no escape: its content is this range of the document.
        Verbatim(Range<usize>),
        /// The string held escapes: its content, unescaped.
        Unescaped(Vec<u8>),
    }

    impl Text {
        /// The content, given the document it was read from.
        pub(super) fn bytes<'a>(&'a self, document: &'a [u8]) -> &'a [u8] {
            match self {
                Self::Verbatim(range) => &document[range.clone()],
                Self::Unescaped(bytes) => bytes,
            }
        }

        /// The content as shared bytes: a slice of the document when it held no escape.
        pub(super) fn into_bytes(self, document: &Bytes) -> Bytes {
            match self {
                Self::Verbatim(range) => document.slice(range),
                Self::Unescaped(bytes) => bytes.into(),
            }
        }
    }

    /// A position in a JSON document.
    pub(super) struct Cursor<'a> {
        bytes: &'a [u8],
        pos: usize,
    }

    impl<'a> Cursor<'a> {
        /// A cursor at the start of `bytes`.
        pub(super) fn new(bytes: &'a [u8]) -> Self {
            Self { bytes, pos: 0 }
        }

        /// Reads the whole document as one object: calls `member` with each key (unescaped)
        /// and the cursor at its value, which `member` must read or skip; only white space
        /// may follow the object.
        pub(super) fn object(
            mut self,
            mut member: impl FnMut(&[u8], &mut Self) -> Result<(), ProtoError>,
        ) -> Result<(), ProtoError> {
            let document = self.bytes;
            self.skip_white_space();
            self.expect(b'{')?;
            self.skip_white_space();
            if !self.eat(b'}') {
                loop {
                    let key = self.key()?;
                    member(key.bytes(document), &mut self)?;
                    self.skip_white_space();
                    if self.eat(b'}') {
                        break;
                    }
                    self.expect(b',')?;
                    self.skip_white_space();
                }
            }
            self.skip_white_space();
            if self.pos < self.bytes.len() {
                return Err(self.error("bytes after the document"));
            }
            Ok(())
        }

        /// Reads a number that must be an integer within `i64`, the value of `key`.
        pub(super) fn integer(&mut self, key: &str) -> Result<i64, ProtoError> {
            let start = self.pos;
            if !matches!(self.number(), Ok(true)) {
                return Err(malformed(format!(
                    "{key} at byte {start} is not an integer"
                )));
            }
            std::str::from_utf8(&self.bytes[start..self.pos])
                .ok()
                .and_then(|digits| digits.parse().ok())
                .ok_or_else(|| malformed(format!("{key} is out of range")))
        }

        /// Reads a string and returns its content.
        pub(super) fn string(&mut self) -> Result<Text, ProtoError> {
            let open = self.pos;
            self.expect(b'"')?;
            let start = self.pos;
            let run = self.plain_run(open)?;
            if self.bytes[start + run] == b'"' {
                self.pos = start + run + 1;
                return Ok(Text::Verbatim(start..start + run));
            }
            let mut content = self.bytes[start..start + run].to_vec();
            self.pos = start + run;
            loop {
                self.pos += 1;
                self.unescape(&mut content)?;
                let run = self.plain_run(open)?;
                content.extend_from_slice(&self.bytes[self.pos..self.pos + run]);
                self.pos += run;
                if self.bytes[self.pos] == b'"' {
                    self.pos += 1;
                    return Ok(Text::Unescaped(content));
                }
            }
        }

        /// Skips one value of any kind, checking its syntax.
        pub(super) fn skip_value(&mut self) -> Result<(), ProtoError> {
            let mut depth = 0;
            let mut objects = 0u64;
            let mut expect_value = true;
            loop {
                if expect_value {
                    match self.peek() {
                        Some(open @ (b'{' | b'[')) => {
                            if depth == MAX_DEPTH {
                                return Err(self.error("arrays and objects nested deeper than 64"));
                            }
                            let is_object = open == b'{';
                            objects = (objects & !(1 << depth)) | (u64::from(is_object) << depth);
                            depth += 1;
                            self.pos += 1;
                            self.skip_white_space();
                            if self.eat(if is_object { b'}' } else { b']' }) {
                                depth -= 1;
                                expect_value = false;
                            } else if is_object {
                                self.key()?;
                            }
                        }
                        Some(b'"') => {
                            self.string()?;
                            expect_value = false;
                        }
                        Some(b'-' | b'0'..=b'9') => {
                            self.number()?;
                            expect_value = false;
                        }
                        Some(b't') => {
                            self.literal(b"true")?;
                            expect_value = false;
                        }
                        Some(b'f') => {
                            self.literal(b"false")?;
                            expect_value = false;
                        }
                        Some(b'n') => {
                            self.literal(b"null")?;
                            expect_value = false;
                        }
                        _ => return Err(self.error("expected a value")),
                    }
                } else {
                    if depth == 0 {
                        return Ok(());
                    }
                    self.skip_white_space();
                    let in_object = (objects >> (depth - 1)) & 1 == 1;
                    if self.eat(b',') {
                        self.skip_white_space();
                        if in_object {
                            self.key()?;
                        }
                        expect_value = true;
                    } else {
                        self.expect(if in_object { b'}' } else { b']' })?;
                        depth -= 1;
                    }
                }
            }
        }

        /// Reads an object's key and its `:`, leaving the cursor at the value.
        fn key(&mut self) -> Result<Text, ProtoError> {
            let key = self.string()?;
            self.skip_white_space();
            self.expect(b':')?;
            self.skip_white_space();
            Ok(key)
        }

        /// Reads a JSON number; returns whether it is written as an integer (no fraction, no
        /// exponent).
        fn number(&mut self) -> Result<bool, ProtoError> {
            self.eat(b'-');
            match self.peek() {
                Some(b'0') => self.pos += 1,
                Some(b'1'..=b'9') => self.digits(),
                _ => return Err(self.error("invalid number")),
            }
            let mut integer = true;
            if self.eat(b'.') {
                integer = false;
                self.required_digits()?;
            }
            if self.eat(b'e') || self.eat(b'E') {
                integer = false;
                if !self.eat(b'+') {
                    self.eat(b'-');
                }
                self.required_digits()?;
            }
            Ok(integer)
        }

        fn digits(&mut self) {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }

        fn required_digits(&mut self) -> Result<(), ProtoError> {
            let start = self.pos;
            self.digits();
            if self.pos == start {
                return Err(self.error("invalid number"));
            }
            Ok(())
        }

        fn literal(&mut self, word: &[u8]) -> Result<(), ProtoError> {
            if !self.bytes[self.pos..].starts_with(word) {
                return Err(self.error("invalid literal"));
            }
            self.pos += word.len();
            Ok(())
        }

        /// The number of bytes before the next `"` or `\` of the string opened at `open`.
        fn plain_run(&self, open: usize) -> Result<usize, ProtoError> {
            self.bytes[self.pos..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .ok_or_else(|| malformed(format!("unterminated string at byte {open}")))
        }

        /// Reads the escape after a `\` and appends what it stands for.
        fn unescape(&mut self, out: &mut Vec<u8>) -> Result<(), ProtoError> {
            let backslash = self.pos - 1;
            let Some(&letter) = self.bytes.get(self.pos) else {
                return Err(malformed(format!(
                    "unterminated escape at byte {backslash}"
                )));
            };
            self.pos += 1;
            let byte = match letter {
                b'"' | b'\\' | b'/' => letter,
                b'b' => 0x08,
                b'f' => 0x0C,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'u' => {
                    let char = self.unicode_escape(backslash)?;
                    out.extend_from_slice(char.encode_utf8(&mut [0; 4]).as_bytes());
                    return Ok(());
                }
                _ => return Err(malformed(format!("invalid escape at byte {backslash}"))),
            };
            out.push(byte);
            Ok(())
        }

        /// Reads the hex digits of a `\u` escape, and the second half of a surrogate pair.
        fn unicode_escape(&mut self, backslash: usize) -> Result<char, ProtoError> {
            let lone = || {
                malformed(format!(
                    "lone surrogate in the \\u escape at byte {backslash}"
                ))
            };
            let first = self.hex4(backslash)?;
            let code = match first {
                0xD800..=0xDBFF => {
                    if !self.bytes[self.pos..].starts_with(br"\u") {
                        return Err(lone());
                    }
                    self.pos += 2;
                    let second = self.hex4(backslash)?;
                    if !(0xDC00..=0xDFFF).contains(&second) {
                        return Err(lone());
                    }
                    0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                }
                0xDC00..=0xDFFF => return Err(lone()),
                other => other,
            };
            char::from_u32(code).ok_or_else(lone)
        }

        fn hex4(&mut self, backslash: usize) -> Result<u32, ProtoError> {
            let invalid = || malformed(format!("invalid \\u escape at byte {backslash}"));
            let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(invalid)?;
            let mut value = 0;
            for &digit in digits {
                value = (value << 4) | char::from(digit).to_digit(16).ok_or_else(invalid)?;
            }
            self.pos += 4;
            Ok(value)
        }

        fn skip_white_space(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
        }

        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.pos).copied()
        }

        /// Consumes `byte` when it is next.
        fn eat(&mut self, byte: u8) -> bool {
            let next = self.peek() == Some(byte);
            self.pos += usize::from(next);
            next
        }

        fn expect(&mut self, byte: u8) -> Result<(), ProtoError> {
            if !self.eat(byte) {
                return Err(self.error(&format!("expected {:?}", char::from(byte))));
            }
            Ok(())
        }

        /// A document error at the cursor.
        fn error(&self, what: &str) -> ProtoError {
            match self.peek() {
                Some(found) => {
                    malformed(format!("{what} at byte {}, found {found:#04x}", self.pos))
                }
                None => malformed(format!("{what} at byte {}, found the end", self.pos)),
            }
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Skips one value at the start of `json` and returns where the cursor stopped.
        fn skip(json: &[u8]) -> Result<usize, ProtoError> {
            let mut cursor = Cursor::new(json);
            cursor.skip_value()?;
            Ok(cursor.pos)
        }

        #[test]
        fn skips_exactly_one_value_of_each_kind() {
            for value in [
                &br#"{"a":[1,-2.5e+3,true,false,null,"x\"y"],"b":{}}"#[..],
                b"[[],[{}],{\"k\":[]}]",
                b"\"s\"",
                b"-0",
                b"null",
            ] {
                let mut input = value.to_vec();
                input.extend_from_slice(br#""tail""#);
                assert_eq!(
                    skip(&input).unwrap(),
                    value.len(),
                    "{}",
                    String::from_utf8_lossy(value)
                );
            }
        }

        #[test]
        fn skipping_refuses_nesting_beyond_64() {
            let nested = |depth: usize| [b"[".repeat(depth), b"]".repeat(depth)].concat();
            assert!(skip(&nested(64)).is_ok());
            let err = skip(&nested(65)).unwrap_err();
            assert!(err.to_string().contains("nested deeper than 64"), "{err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
