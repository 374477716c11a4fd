//! [`Json`]: eRPC's default codec.

use bytes::{BufMut, BytesMut};

use crate::{id, Codec, CodecError, DeserializeSink};

/// JSON through serde_json, id `j`, eRPC's default body codec.
///
/// An empty body decodes as JSON `null` (so `()` and `Option::None` accept it), which is what an
/// eRPC peer sends for a nil argument. Anything but white space after the value is an error.
/// Floats parse to the nearest `f64` (serde_json's `float_roundtrip`), so a float survives a trip
/// through a Go peer bit for bit. Nesting deeper than 128 levels is [`CodecError::Decode`].
///
/// Strings are written with only the escapes JSON requires; Go's `encoding/json` also escapes
/// `<`, `>` and `&` (as `\u003c`, `\u003e`, `\u0026`). Both decode the same, so bodies differ
/// byte-wise from a Go peer's only in those escapes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json;

impl Codec for Json {
    fn id(&self) -> u8 {
        id::JSON
    }

    fn name(&self) -> &'static str {
        "json"
    }

    fn encode_serde(
        &self,
        value: &dyn erased_serde::Serialize,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        serde_json::to_writer(out.writer(), value).map_err(|e| CodecError::encode(self.name(), e))
    }

    fn decode_serde(&self, body: &[u8], sink: &mut dyn DeserializeSink) -> Result<(), CodecError> {
        let body = if body.is_empty() { b"null" } else { body };
        let mut de = serde_json::Deserializer::from_slice(body);
        sink.deserialize(&mut <dyn erased_serde::Deserializer<'_>>::erase(&mut de))
            .map_err(|e| CodecError::decode(self.name(), e))?;
        de.end().map_err(|e| CodecError::decode(self.name(), e))
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::{DecodeBody, EncodeBody};

    #[test]
    fn an_empty_body_is_null() -> Result<(), CodecError> {
        assert_eq!(Option::<i32>::decode_body(&Json, Bytes::new())?, None);
        <()>::decode_body(&Json, Bytes::new())?;
        Ok(())
    }

    #[test]
    fn white_space_may_trail_but_nothing_else() -> Result<(), CodecError> {
        assert_eq!(i64::decode_body(&Json, Bytes::from_static(b"6 \n"))?, 6);
        let error = i64::decode_body(&Json, Bytes::from_static(b"6 7")).unwrap_err();
        assert!(
            matches!(error, CodecError::Decode { codec: "json", .. }),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn floats_parse_to_the_nearest_f64() -> Result<(), CodecError> {
        let body = Bytes::from_static(b"1.0715660391465826e-75");
        assert_eq!(f64::decode_body(&Json, body)?, 1.0715660391465826e-75);
        Ok(())
    }

    #[test]
    fn map_keys_that_are_not_strings_fail_to_encode() {
        let mut out = BytesMut::new();
        let map = std::collections::BTreeMap::from([((1, 2), 3)]);
        let error = map.encode_body(&Json, &mut out).unwrap_err();
        assert!(
            matches!(error, CodecError::Encode { codec: "json", .. }),
            "{error}"
        );
        assert!(out.is_empty());
    }
}
