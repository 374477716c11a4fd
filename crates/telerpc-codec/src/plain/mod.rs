//! [`Plain`]: eRPC's plain-text codec, one scalar written as text.

mod de;
mod ser;

use std::fmt::Display;

use bytes::BytesMut;
use serde::Serialize;

use self::de::TextDeserializer;
use self::ser::TextSerializer;
use crate::{id, BoxError, Codec, CodecError, DeserializeSink};

/// Plain text, id `s`: one scalar per body, written as text, as eRPC's plain codec does.
///
/// The body is the value and nothing else: no quotes, no length, no trailing newline.
///
/// | value | body |
/// |---|---|
/// | `str`, `String` | its UTF-8 bytes |
/// | bytes (`serialize_bytes`, for example `serde_bytes`) | the bytes as they are |
/// | integers | decimal, `-` before a negative (`-42`) |
/// | `f32`, `f64` | Rust's shortest round-trip `Display`, never an exponent (`0.1`, `-0`, `NaN`, `inf`) |
/// | `bool` | `true` or `false` |
/// | `char` | its UTF-8 bytes |
/// | `()`, unit structs, `None` | an empty body |
/// | `Some(x)`, newtype structs | the body of `x` |
/// | unit enum variants | the variant's name |
///
/// Anything compound (sequences, `Vec<u8>` included, maps, structs, tuples, variants with data)
/// is [`CodecError::Encode`]; send raw bytes as [`Raw`](crate::Raw).
///
/// Decoding parses the body as the type asked for, without trimming white space: integers and
/// floats by their `FromStr` (so `+7` and `inf` are accepted, and so is Go's `+Inf`), `bool` only
/// from `true` or `false`, `char` from exactly one character, strings from UTF-8, bytes from any
/// body. An empty body is `None` for an `Option` (so `Some("")` reads back as `None`) and the only
/// body `()` accepts. A self-describing target (`deserialize_any`) gets a string if the body is
/// UTF-8 and bytes otherwise. Text that does not parse, overflows, or is not UTF-8 where text is
/// needed is [`CodecError::Decode`].
///
/// A Go peer writes a `float32` widened to `float64` (`0.10000000149011612`); parsing that as
/// `f32` gives back the same `f32`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Plain;

impl Codec for Plain {
    fn id(&self) -> u8 {
        id::PLAIN
    }

    fn name(&self) -> &'static str {
        "plain"
    }

    fn encode_serde(
        &self,
        value: &dyn erased_serde::Serialize,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        value
            .serialize(TextSerializer { out })
            .map_err(|e| CodecError::encode(self.name(), e))
    }

    fn decode_serde(&self, body: &[u8], sink: &mut dyn DeserializeSink) -> Result<(), CodecError> {
        let de = TextDeserializer { body };
        sink.deserialize(&mut <dyn erased_serde::Deserializer<'_>>::erase(de))
            .map_err(|e| CodecError::decode(self.name(), e))
    }
}

/// Why a value could not be written as, or read from, plain text.
#[derive(Debug, thiserror::Error)]
enum PlainError {
    #[error("a plain body carries one scalar, not {0} (send raw bytes as `Raw`)")]
    Compound(&'static str),
    #[error("the body is not UTF-8 text: {0}")]
    NotUtf8(std::str::Utf8Error),
    #[error("the body is not a valid {expected}: {reason}")]
    Unparsable {
        expected: &'static str,
        reason: BoxError,
    },
    #[error("expected an empty body for a unit value, found {0} bytes")]
    NotEmpty(usize),
    #[error("{0}")]
    Custom(String),
}

impl serde::ser::Error for PlainError {
    fn custom<T: Display>(msg: T) -> Self {
        Self::Custom(msg.to_string())
    }
}

impl serde::de::Error for PlainError {
    fn custom<T: Display>(msg: T) -> Self {
        Self::Custom(msg.to_string())
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{Body, EncodeBody};

    fn encode<T: Serialize>(value: &T) -> Result<BytesMut, CodecError> {
        let mut out = BytesMut::new();
        Plain.encode_serde(value, &mut out)?;
        Ok(out)
    }

    fn decode<T: Body>(body: &'static [u8]) -> Result<T, CodecError> {
        T::decode_body(&Plain, Bytes::from_static(body))
    }

    fn decode_error<T: Body + std::fmt::Debug>(body: &'static [u8]) -> String {
        match decode::<T>(body) {
            Err(e @ CodecError::Decode { .. }) => e.to_string(),
            other => panic!("expected a decode error for {body:?}, got {other:?}"),
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct UserId(u32);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Colour {
        Red,
        Green,
    }

    #[test]
    fn scalars_encode_as_text() -> Result<(), CodecError> {
        assert_eq!(&encode(&"héllo")?[..], "héllo".as_bytes());
        assert_eq!(&encode(&String::from("a b"))?[..], b"a b");
        assert_eq!(&encode(&-42i64)?[..], b"-42");
        assert_eq!(&encode(&u64::MAX)?[..], b"18446744073709551615");
        assert_eq!(&encode(&i128::MIN)?[..], i128::MIN.to_string().as_bytes());
        assert_eq!(&encode(&0.1f64)?[..], b"0.1");
        assert_eq!(&encode(&0.1f32)?[..], b"0.1");
        assert_eq!(&encode(&-0.0f64)?[..], b"-0");
        assert_eq!(&encode(&1e21f64)?[..], b"1000000000000000000000");
        assert_eq!(&encode(&f64::NAN)?[..], b"NaN");
        assert_eq!(&encode(&true)?[..], b"true");
        assert_eq!(&encode(&'ß')?[..], "ß".as_bytes());
        assert_eq!(&encode(&UserId(7))?[..], b"7");
        assert_eq!(&encode(&Colour::Green)?[..], b"Green");
        Ok(())
    }

    #[test]
    fn unit_and_none_encode_empty_and_some_encodes_its_value() -> Result<(), CodecError> {
        assert!(encode(&())?.is_empty());
        assert!(encode(&None::<i32>)?.is_empty());
        assert_eq!(&encode(&Some(5u8))?[..], b"5");
        Ok(())
    }

    #[test]
    fn bytes_pass_as_they_are() {
        let mut out = BytesMut::new();
        Plain
            .encode_serde(&serde_bytes_like::Bytes(&[0xff, 0x00, b'a']), &mut out)
            .unwrap();
        assert_eq!(&out[..], [0xff, 0x00, b'a']);
    }

    /// A value that serializes through `serialize_bytes`, as `serde_bytes` does.
    mod serde_bytes_like {
        pub(super) struct Bytes<'a>(pub(super) &'a [u8]);

        impl serde::Serialize for Bytes<'_> {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_bytes(self.0)
            }
        }
    }

    #[test]
    fn compound_values_are_encode_errors() {
        let failures = [
            encode(&vec![1u8, 2]).unwrap_err(),
            encode(&(1, 2)).unwrap_err(),
            encode(&std::collections::BTreeMap::from([(1, 2)])).unwrap_err(),
            encode(&Some(vec!["x"])).unwrap_err(),
        ];
        for error in failures {
            assert!(
                matches!(error, CodecError::Encode { codec: "plain", .. }),
                "{error}"
            );
            assert!(error.to_string().contains("one scalar"), "{error}");
        }
    }

    #[test]
    fn a_failed_encode_leaves_the_buffer_as_it_was() {
        let mut out = BytesMut::from(&b"kept"[..]);
        assert!(vec![1, 2].encode_body(&Plain, &mut out).is_err());
        assert_eq!(&out[..], b"kept");
    }

    #[test]
    fn numbers_parse_from_text() -> Result<(), CodecError> {
        assert_eq!(decode::<i64>(b"-42")?, -42);
        assert_eq!(decode::<i64>(b"+7")?, 7);
        assert_eq!(decode::<u64>(b"18446744073709551615")?, u64::MAX);
        assert_eq!(
            decode::<u128>(b"340282366920938463463374607431768211455")?,
            u128::MAX
        );
        assert_eq!(decode::<f64>(b"0.1")?, 0.1);
        assert_eq!(decode::<f64>(b"1e3")?, 1000.0);
        assert_eq!(decode::<f64>(b"+Inf")?, f64::INFINITY);
        assert_eq!(decode::<f32>(b"0.10000000149011612")?, 0.1f32);
        assert_eq!(decode::<UserId>(b"9")?, UserId(9));
        Ok(())
    }

    #[test]
    fn bad_numbers_are_typed_decode_errors() {
        assert!(decode_error::<u8>(b"256").contains("too large"));
        assert!(decode_error::<i8>(b"-129").contains("too small"));
        assert!(decode_error::<i64>(b"12a").contains("invalid digit"));
        assert!(decode_error::<i64>(b" 1").contains("invalid digit"));
        assert!(decode_error::<i64>(b"").contains("empty"));
        assert!(decode_error::<u32>(b"-1").contains("invalid digit"));
        assert!(decode_error::<f64>(b"1.2.3").contains("not a valid f64"));
        assert!(decode_error::<i64>(b"\xff1").contains("UTF-8"));
    }

    #[test]
    fn bools_and_chars_parse_strictly() -> Result<(), CodecError> {
        assert!(decode::<bool>(b"true")?);
        assert!(!decode::<bool>(b"false")?);
        assert!(decode_error::<bool>(b"1").contains("bool"));
        assert!(decode_error::<bool>(b"True").contains("bool"));
        assert_eq!(decode::<char>("ß".as_bytes())?, 'ß');
        assert!(decode_error::<char>(b"ab").contains("char"));
        Ok(())
    }

    #[test]
    fn strings_need_utf8_and_bytes_do_not() -> Result<(), CodecError> {
        assert_eq!(decode::<String>("héllo".as_bytes())?, "héllo");
        assert_eq!(decode::<String>(b"")?, "");
        assert!(decode_error::<String>(b"\xc3\x28").contains("UTF-8"));
        Ok(())
    }

    #[test]
    fn options_units_and_enums() -> Result<(), CodecError> {
        assert_eq!(decode::<Option<i32>>(b"")?, None);
        assert_eq!(decode::<Option<i32>>(b"3")?, Some(3));
        decode::<()>(b"")?;
        assert!(decode_error::<()>(b"x").contains("empty body"));
        assert_eq!(decode::<Colour>(b"Red")?, Colour::Red);
        assert!(decode_error::<Colour>(b"Blue").contains("unknown variant"));
        Ok(())
    }

    #[test]
    fn self_describing_targets_get_a_string_or_bytes() -> Result<(), CodecError> {
        let text: serde_json::Value = decode(b"12")?;
        assert_eq!(text, serde_json::Value::String("12".into()));
        let mut slot = BytesSlot(None);
        Plain.decode_serde(&[0xff, 0x01], &mut slot)?;
        assert_eq!(slot.0, Some(vec![0xff, 0x01]));
        Ok(())
    }

    /// Records the bytes `deserialize_any` hands to its visitor.
    struct BytesSlot(Option<Vec<u8>>);

    impl DeserializeSink for BytesSlot {
        fn deserialize(
            &mut self,
            deserializer: &mut dyn erased_serde::Deserializer<'_>,
        ) -> Result<(), erased_serde::Error> {
            struct AnyBytes;
            impl serde::de::Visitor<'_> for AnyBytes {
                type Value = Vec<u8>;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("bytes")
                }
                fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Vec<u8>, E> {
                    Ok(bytes.to_vec())
                }
            }
            self.0 = Some(serde::Deserializer::deserialize_any(
                deserializer,
                AnyBytes,
            )?);
            Ok(())
        }
    }

    #[test]
    fn compound_targets_are_decode_errors() {
        assert!(decode_error::<Vec<u8>>(b"abc").contains("one scalar"));
        assert!(decode_error::<std::collections::HashMap<String, i32>>(b"a=1").contains("a map"));
        assert!(decode_error::<(i32, i32)>(b"1,2").contains("a tuple"));
    }
}
