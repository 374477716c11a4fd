//! [`Protobuf`]: prost messages.

use bytes::BytesMut;

use crate::{id, Codec, CodecError, ProtoMessage};

/// Protocol Buffers through prost, id `p`. Speaks prost messages only (see
/// [`Proto`](crate::Proto) and [`Dual`](crate::Dual)); an empty body is the empty message.
#[derive(Debug, Clone, Copy, Default)]
pub struct Protobuf;

impl Codec for Protobuf {
    fn id(&self) -> u8 {
        id::PROTOBUF
    }

    fn name(&self) -> &'static str {
        "protobuf"
    }

    fn encode_proto(&self, msg: &dyn ProtoMessage, out: &mut BytesMut) -> Result<(), CodecError> {
        msg.encode_to(out)
            .map_err(|e| CodecError::encode(self.name(), e))
    }

    fn decode_proto(&self, body: &[u8], msg: &mut dyn ProtoMessage) -> Result<(), CodecError> {
        msg.merge_from(body)
            .map_err(|e| CodecError::decode(self.name(), e))
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;

    use super::*;
    use crate::{BodyKind, DecodeBody, EncodeBody, Proto};

    #[derive(Clone, PartialEq, prost::Message)]
    struct Pair {
        #[prost(int32, tag = "1")]
        a: i32,
        #[prost(string, tag = "2")]
        b: String,
    }

    #[test]
    fn a_message_is_its_prost_encoding() -> Result<(), CodecError> {
        let pair = Pair {
            a: 150,
            b: "hi".into(),
        };
        let mut out = BytesMut::new();
        Proto(pair.clone()).encode_body(&Protobuf, &mut out)?;
        assert_eq!(&out[..], [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i']);
        assert_eq!(Proto::<Pair>::decode_body(&Protobuf, out.freeze())?.0, pair);
        Ok(())
    }

    #[test]
    fn an_empty_body_is_the_default_message() -> Result<(), CodecError> {
        assert_eq!(
            Proto::<Pair>::decode_body(&Protobuf, Bytes::new())?.0,
            Pair::default()
        );
        Ok(())
    }

    #[test]
    fn a_truncated_body_is_a_decode_error() {
        let error = Proto::<Pair>::decode_body(&Protobuf, Bytes::from_static(&[0x12, 0x05, b'h']))
            .unwrap_err();
        assert!(
            matches!(
                error,
                CodecError::Decode {
                    codec: "protobuf",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn serde_types_are_unsupported() {
        let error = i32::decode_body(&Protobuf, Bytes::from_static(b"1")).unwrap_err();
        assert!(matches!(
            error,
            CodecError::Unsupported {
                codec: "protobuf",
                kind: BodyKind::Serde
            }
        ));
    }
}
