//! [`Bincode`]: telerpc's compact binary codec.

use ::bincode::Options as _;
use bytes::{BufMut, BytesMut};

use crate::depth::DepthLimited;
use crate::{id, Codec, CodecError, DeserializeSink};

/// bincode 1.3, id `b`: telerpc's own binary codec (no eRPC codec uses `b`, so a Go peer cannot
/// read it).
///
/// The options are part of the wire format: `bincode::DefaultOptions::new()`, that is
/// little-endian, variable-length integers (a value below 251 is one byte; otherwise a marker
/// byte 251, 252, 253 or 254 is followed by a `u16`, `u32`, `u64` or `u128`; signed integers are
/// zigzag-encoded first), lengths of strings, sequences and maps encoded the same way,
/// and trailing bytes rejected. `bincode::serialize` and `bincode::deserialize` use other options
/// (fixed-width integers) and do not interoperate with this codec.
///
/// bincode is not self-describing: the receiver must decode the type the sender encoded, and
/// targets that need `deserialize_any` (`serde_json::Value`, untagged or internally tagged enums,
/// `#[serde(flatten)]`) fail with [`CodecError::Decode`]. Decoding is limited to the body's
/// length, so a length prefix larger than what is left of the body fails before anything is
/// allocated for it; bytes left after the value are [`CodecError::Decode`].
///
/// bincode has no nesting limit of its own, so this codec adds one, 128 levels like
/// [`Json`](crate::Json): each value read as a sequence, tuple, map, struct, enum, `Some` or
/// newtype struct is one level deeper than the value holding it, the outermost being level 1
/// (`Vec<Vec<u8>>` takes two levels, `Option<u8>` one when `Some` and none when `None`). A body
/// nested deeper is [`CodecError::Decode`] ("nesting deeper than 128"), found before decoding
/// goes any deeper, so a peer cannot overflow the stack even with a recursive target type
/// (`enum List { End, Next(Box<List>) }` nests a level per byte; a list of `n` `Next`s takes
/// `n + 1` levels). The limit applies to decoding only: a value nested deeper encodes, but does
/// not decode.
///
/// A sequence of zero-sized elements (`Vec<()>`) takes no bytes per element, so a body that
/// claims a huge one costs time (not memory) in proportion to the claim.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bincode;

impl Codec for Bincode {
    fn id(&self) -> u8 {
        id::BINCODE
    }

    fn name(&self) -> &'static str {
        "bincode"
    }

    fn encode_serde(
        &self,
        value: &dyn erased_serde::Serialize,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        ::bincode::DefaultOptions::new()
            .serialize_into(out.writer(), value)
            .map_err(|e| CodecError::encode(self.name(), e))
    }

    fn decode_serde(&self, body: &[u8], sink: &mut dyn DeserializeSink) -> Result<(), CodecError> {
        let options = ::bincode::DefaultOptions::new().with_limit(body.len() as u64);
        let mut rest = body;
        let mut de = ::bincode::Deserializer::with_reader(&mut rest, options);
        let limited = DepthLimited::new(&mut de);
        sink.deserialize(&mut <dyn erased_serde::Deserializer<'_>>::erase(limited))
            .map_err(|e| CodecError::decode(self.name(), e))?;
        drop(de);
        if rest.is_empty() {
            Ok(())
        } else {
            Err(CodecError::decode(
                self.name(),
                format!("{} bytes left after the value", rest.len()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::DecodeBody;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Point {
        x: i32,
        label: String,
    }

    fn encode<T: Serialize>(value: &T) -> Result<BytesMut, CodecError> {
        let mut out = BytesMut::new();
        Bincode.encode_serde(value, &mut out)?;
        Ok(out)
    }

    #[test]
    fn integers_are_varint_little_endian_and_signed_ones_zigzag() -> Result<(), CodecError> {
        assert_eq!(&encode(&250u64)?[..], [250]);
        assert_eq!(&encode(&251u64)?[..], [251, 251, 0]);
        assert_eq!(&encode(&0x1_0000u32)?[..], [252, 0, 0, 1, 0]);
        assert_eq!(&encode(&-1i32)?[..], [1]);
        assert_eq!(&encode(&1i32)?[..], [2]);
        Ok(())
    }

    #[test]
    fn a_struct_is_its_fields_in_order() -> Result<(), CodecError> {
        let point = Point {
            x: -2,
            label: "ab".into(),
        };
        let body = encode(&point)?;
        assert_eq!(&body[..], [3, 2, b'a', b'b']);
        assert_eq!(Point::decode_body(&Bincode, body.freeze())?, point);
        Ok(())
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        let error = u8::decode_body(&Bincode, Bytes::from_static(&[7, 0])).unwrap_err();
        assert!(
            matches!(
                error,
                CodecError::Decode {
                    codec: "bincode",
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("1 bytes left"), "{error}");
    }

    #[test]
    fn a_length_beyond_the_body_fails_before_allocating() {
        let mut body = vec![253];
        body.extend_from_slice(&(1u64 << 60).to_le_bytes());
        body.extend_from_slice(b"abc");
        let error = String::decode_body(&Bincode, body.into()).unwrap_err();
        assert!(
            matches!(
                error,
                CodecError::Decode {
                    codec: "bincode",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn self_describing_targets_are_decode_errors() {
        let error = serde_json::Value::decode_body(&Bincode, Bytes::from_static(&[1])).unwrap_err();
        assert!(
            matches!(
                error,
                CodecError::Decode {
                    codec: "bincode",
                    ..
                }
            ),
            "{error}"
        );
    }
}
