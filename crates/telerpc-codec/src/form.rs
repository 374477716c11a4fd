//! [`Form`]: `application/x-www-form-urlencoded` bodies.

use bytes::BytesMut;

use crate::{id, Codec, CodecError, DeserializeSink};

/// `application/x-www-form-urlencoded` through serde_urlencoded, id `f`, eRPC's form codec.
///
/// Speaks flat structs and maps whose values are scalars (strings, numbers, bools, chars, unit
/// enum variants, `Option`s of these). A struct encodes as `name=value` pairs joined by `&`, in
/// field order, with names and values percent-encoded (a space becomes `+`); a `None` field is
/// left out. A value that is not a map or struct at the top, or a nested value (a sequence, a
/// map or a struct as a field), is [`CodecError::Encode`].
///
/// Decoding splits the body on `&` and `=` and percent-decodes each name and value (bytes that are
/// not UTF-8 after decoding become U+FFFD), then reads the pairs as a map: a missing field is an
/// error unless it is an `Option` or has a serde default, a repeated field is an error for a
/// struct, and a value that does not parse as its field's type is [`CodecError::Decode`]. An
/// empty body is the empty map.
#[derive(Debug, Clone, Copy, Default)]
pub struct Form;

impl Codec for Form {
    fn id(&self) -> u8 {
        id::FORM
    }

    fn name(&self) -> &'static str {
        "form"
    }

    fn encode_serde(
        &self,
        value: &dyn erased_serde::Serialize,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        let text =
            serde_urlencoded::to_string(value).map_err(|e| CodecError::encode(self.name(), e))?;
        out.extend_from_slice(text.as_bytes());
        Ok(())
    }

    fn decode_serde(&self, body: &[u8], sink: &mut dyn DeserializeSink) -> Result<(), CodecError> {
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(body));
        sink.deserialize(&mut <dyn erased_serde::Deserializer<'_>>::erase(de))
            .map_err(|e| CodecError::decode(self.name(), e))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::Bytes;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{Body, DecodeBody};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Login {
        user: String,
        age: u8,
        admin: bool,
        note: Option<String>,
    }

    fn encode<T: Serialize>(value: &T) -> Result<BytesMut, CodecError> {
        let mut out = BytesMut::new();
        Form.encode_serde(value, &mut out)?;
        Ok(out)
    }

    fn decode<T: Body>(body: &'static [u8]) -> Result<T, CodecError> {
        T::decode_body(&Form, Bytes::from_static(body))
    }

    #[test]
    fn a_struct_encodes_as_urlencoded_pairs_in_field_order() -> Result<(), CodecError> {
        let login = Login {
            user: "ann & bob=1".into(),
            age: 30,
            admin: false,
            note: None,
        };
        assert_eq!(
            &encode(&login)?[..],
            b"user=ann+%26+bob%3D1&age=30&admin=false"
        );
        Ok(())
    }

    #[test]
    fn pairs_decode_into_a_struct() -> Result<(), CodecError> {
        let login: Login = decode(b"age=7&user=z%C3%A9&admin=true&note=hi+there")?;
        assert_eq!(
            login,
            Login {
                user: "zé".into(),
                age: 7,
                admin: true,
                note: Some("hi there".into()),
            }
        );
        Ok(())
    }

    #[test]
    fn bytes_that_are_not_utf8_after_percent_decoding_become_replacement_chars(
    ) -> Result<(), CodecError> {
        let map: BTreeMap<String, String> = decode(b"k%FF=v%C3")?;
        assert_eq!(
            map,
            BTreeMap::from([("k\u{FFFD}".into(), "v\u{FFFD}".into())])
        );
        Ok(())
    }

    #[test]
    fn a_map_round_trips_and_an_empty_body_is_an_empty_map() -> Result<(), CodecError> {
        let map = BTreeMap::from([("a".to_string(), 1i64), ("b c".to_string(), -2)]);
        let body = encode(&map)?;
        assert_eq!(&body[..], b"a=1&b+c=-2");
        assert_eq!(
            BTreeMap::<String, i64>::decode_body(&Form, body.freeze())?,
            map
        );
        assert!(decode::<BTreeMap<String, String>>(b"")?.is_empty());
        Ok(())
    }

    #[test]
    fn nested_and_top_level_scalar_values_are_encode_errors() {
        #[derive(Serialize)]
        struct Nested {
            tags: Vec<String>,
        }
        let nested = encode(&Nested {
            tags: vec!["x".into()],
        })
        .unwrap_err();
        assert!(
            matches!(nested, CodecError::Encode { codec: "form", .. }),
            "{nested}"
        );
        let scalar = encode(&5i32).unwrap_err();
        assert!(
            matches!(scalar, CodecError::Encode { codec: "form", .. }),
            "{scalar}"
        );
    }

    #[test]
    fn bad_fields_are_decode_errors() {
        for body in [
            &b"user=a&age=300&admin=true"[..],
            b"user=a&age=1",
            b"user=a&admin=yes&age=1",
            b"user=a&user=b&age=1&admin=true",
        ] {
            let error = Login::decode_body(&Form, Bytes::from_static(body)).unwrap_err();
            assert!(
                matches!(error, CodecError::Decode { codec: "form", .. }),
                "{error}"
            );
        }
    }
}
