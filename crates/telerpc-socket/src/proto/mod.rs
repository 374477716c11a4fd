//! Protocols: the framing of [`Message`]s, without I/O.
//!
//! A [`Proto`] turns messages into frames appended to a buffer and cuts frames out of a buffer
//! of received bytes, in the style of tokio-util's `Encoder` and `Decoder`: no I/O and no clock
//! inside, so every protocol is tested by feeding it bytes.
//!
//! | protocol | wire |
//! |---|---|
//! | [`RawProto`] | eRPC v6's default `rawproto` (spec §1–§3), telerpc's default |
//! | [`JsonProto`] | eRPC's `jsonproto` (spec §7), with correct escaping |
//! | [`PbProto`] | eRPC's `pbproto` (spec §7) |

use bytes::BytesMut;

use crate::{Message, ProtoError};

mod json;
mod pb;
mod raw;
mod sized_frame;
mod status_text;

pub use json::JsonProto;
pub use pb::PbProto;
pub use raw::RawProto;

/// The default frame limit for reading and writing: 64 MiB.
pub const DEFAULT_FRAME_LIMIT: usize = 64 * 1024 * 1024;

/// A framing of messages.
pub trait Proto: std::fmt::Debug + Send + Sync + 'static {
    /// The protocol's name (`"rawproto"`).
    fn name(&self) -> &'static str;

    /// Appends the frame of `msg` to `dst`.
    ///
    /// A frame larger than `limit` bytes, a field too long for its length prefix or an unknown
    /// filter is an error, and `dst` is left exactly as it was.
    fn encode(&self, msg: &Message, limit: usize, dst: &mut BytesMut) -> Result<(), ProtoError>;

    /// Cuts the first complete frame out of `src` and reads it.
    ///
    /// `Ok(None)` means more bytes are needed; `src` is then untouched but may have reserved
    /// room for the rest of the frame. A size prefix over `limit` is an error before anything
    /// is buffered, and so is an unpacked payload over `limit`. After an error the stream's
    /// position is lost: close the connection.
    fn decode(&self, src: &mut BytesMut, limit: usize) -> Result<Option<Message>, ProtoError>;
}
