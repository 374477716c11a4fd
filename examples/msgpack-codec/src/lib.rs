//! MessagePack bodies for telerpc: a codec that lives outside `telerpc-codec`.
//!
//! This crate shows how a third party adds a body codec without touching telerpc: implement
//! [`telerpc_codec::Codec`] on a type, give it an id byte that no eRPC codec uses (see
//! [`telerpc_codec::id::ERPC_RESERVED`]) and that no other codec in the registry holds, and
//! register it:
//!
//! ```
//! use telerpc_codec::{CodecRegistry, DecodeBody, EncodeBody};
//! use telerpc_codec_msgpack::{MsgPack, MSGPACK};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Add { a: i64, b: i64 }
//!
//! let codecs = CodecRegistry::default().with(MsgPack)?;
//! let codec = codecs.require(MSGPACK)?;
//! let mut body = bytes::BytesMut::new();
//! Add { a: 1, b: 2 }.encode_body(codec.as_ref(), &mut body)?;
//! assert_eq!(&body[..], b"\x82\xa1a\x01\xa1b\x02");
//! assert_eq!(Add::decode_body(codec.as_ref(), body.freeze())?, Add { a: 1, b: 2 });
//! # Ok::<(), telerpc_codec::CodecError>(())
//! ```
//!
//! A peer whose registry lacks this codec gets [`CodecError::UnknownCodec`] from
//! [`CodecRegistry::require`](telerpc_codec::CodecRegistry::require) for a message marked `m`,
//! and answers it with status 400. Go eRPC peers do not know this codec.
#![forbid(unsafe_code)]

use bytes::{BufMut, BytesMut};
use serde::Deserialize as _;
use telerpc_codec::{Codec, CodecError, DeserializeSink};

/// The id byte of [`MsgPack`] bodies: `m`.
pub const MSGPACK: u8 = b'm';

const _: () = assert!(
    !is_erpc_reserved(MSGPACK),
    "the msgpack id must not be an eRPC codec's"
);

const fn is_erpc_reserved(id: u8) -> bool {
    let mut i = 0;
    while i < telerpc_codec::id::ERPC_RESERVED.len() {
        if telerpc_codec::id::ERPC_RESERVED[i] == id {
            return true;
        }
        i += 1;
    }
    false
}

/// How deep arrays and maps may nest in a body, as in serde_json. rmp-serde's own default of 1024
/// lets a self-describing target (an untagged enum) overflow a 2 MiB thread stack.
const MAX_DEPTH: usize = 128;

/// MessagePack through rmp-serde, id `m` ([`MSGPACK`]), named `msgpack`.
///
/// Structs are written as maps from field name to value (rmp-serde's `with_struct_map`), so
/// fields may be added, removed or reordered between versions as with JSON; enums are written as
/// rmp-serde writes them (a unit variant as its name, a variant with data as a one-entry map).
/// Decoding also accepts structs written as arrays of field values. The body must hold exactly
/// one value: bytes after it are [`CodecError::Decode`], and so is anything that does not decode
/// to the requested type, or arrays and maps nested deeper than 128 levels. A length prefix
/// larger than the body fails without allocating for it, since strings and bytes are read
/// straight from the body.
#[derive(Debug, Clone, Copy, Default)]
pub struct MsgPack;

impl Codec for MsgPack {
    fn id(&self) -> u8 {
        MSGPACK
    }

    fn name(&self) -> &'static str {
        "msgpack"
    }

    fn encode_serde(
        &self,
        value: &dyn erased_serde::Serialize,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        let mut serializer = rmp_serde::Serializer::new(out.writer()).with_struct_map();
        serde::Serialize::serialize(value, &mut serializer)
            .map_err(|e| CodecError::encode(self.name(), e))
    }

    fn decode_serde(&self, body: &[u8], sink: &mut dyn DeserializeSink) -> Result<(), CodecError> {
        let mut de = rmp_serde::Deserializer::from_read_ref(body);
        de.set_max_depth(MAX_DEPTH);
        sink.deserialize(&mut <dyn erased_serde::Deserializer<'_>>::erase(&mut de))
            .map_err(|e| CodecError::decode(self.name(), e))?;
        // The deserializer does not expose its position, so read on: only the end of the body
        // may follow the value.
        match serde::de::IgnoredAny::deserialize(&mut de) {
            Err(rmp_serde::decode::Error::InvalidMarkerRead(e))
                if e.kind() == std::io::ErrorKind::UnexpectedEof =>
            {
                Ok(())
            }
            _ => Err(CodecError::decode(
                self.name(),
                "bytes left after the value",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use bytes::Bytes;
    use proptest::prelude::*;
    use serde::{Deserialize, Serialize};
    use telerpc_codec::{id, CodecRegistry, DecodeBody, EncodeBody};

    use super::*;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Reading {
        sensor: String,
        values: Vec<f64>,
        ok: bool,
        labels: BTreeMap<String, u32>,
        parent: Option<Box<Reading>>,
    }

    fn reading() -> Reading {
        Reading {
            sensor: "t1".into(),
            values: vec![1.5, -0.25],
            ok: true,
            labels: BTreeMap::from([("room".into(), 4)]),
            parent: Some(Box::new(Reading {
                sensor: "hub".into(),
                values: vec![],
                ok: false,
                labels: BTreeMap::new(),
                parent: None,
            })),
        }
    }

    fn registry() -> CodecRegistry {
        CodecRegistry::default().with(MsgPack).unwrap()
    }

    #[test]
    fn the_id_is_free_in_erpc_and_in_the_standard_registry() {
        assert!(!id::ERPC_RESERVED.contains(&MSGPACK));
        assert!(CodecRegistry::standard().get(MSGPACK).is_none());
    }

    #[test]
    fn a_struct_round_trips_through_a_registry_that_has_the_codec() -> Result<(), CodecError> {
        let codecs = registry();
        let codec = codecs.require(MSGPACK)?;
        assert_eq!(codecs.by_name("msgpack").unwrap().id(), MSGPACK);
        let mut body = BytesMut::new();
        reading().encode_body(codec.as_ref(), &mut body)?;
        assert_eq!(
            Reading::decode_body(codec.as_ref(), body.freeze())?,
            reading()
        );
        Ok(())
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Pair {
        a: u8,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Dot,
        Square(u8),
    }

    fn encode(value: &impl Serialize) -> Result<BytesMut, CodecError> {
        let mut body = BytesMut::new();
        MsgPack.encode_serde(value, &mut body)?;
        Ok(body)
    }

    #[test]
    fn structs_travel_as_maps_and_arrays_are_accepted() -> Result<(), CodecError> {
        assert_eq!(&encode(&Pair { a: 1 })?[..], [0x81, 0xa1, b'a', 0x01]);
        let from_array = Pair::decode_body(&MsgPack, Bytes::from_static(&[0x91, 0x07]))?;
        assert_eq!(from_array, Pair { a: 7 });
        Ok(())
    }

    #[test]
    fn enums_travel_by_variant_name() -> Result<(), CodecError> {
        assert_eq!(&encode(&Shape::Dot)?[..], [0xa3, b'D', b'o', b't']);
        let square = encode(&Shape::Square(2))?;
        assert_eq!(&square[..], b"\x81\xa6Square\x02");
        assert_eq!(
            Shape::decode_body(&MsgPack, square.freeze())?,
            Shape::Square(2)
        );
        Ok(())
    }

    #[test]
    fn the_codec_is_unknown_until_registered() {
        let error = CodecRegistry::default().require(MSGPACK).unwrap_err();
        assert!(matches!(error, CodecError::UnknownCodec(MSGPACK)));
    }

    #[test]
    fn registering_twice_gives_id_taken() {
        let error = registry().with(MsgPack).unwrap_err();
        assert!(matches!(
            error,
            CodecError::IdTaken {
                id: MSGPACK,
                existing: "msgpack"
            }
        ));
    }

    #[test]
    fn trailing_bytes_are_rejected() {
        for body in [&[0x01, 0x02][..], &[0x01, 0xc1]] {
            let error = u8::decode_body(&MsgPack, Bytes::copy_from_slice(body)).unwrap_err();
            assert!(
                matches!(
                    error,
                    CodecError::Decode {
                        codec: "msgpack",
                        ..
                    }
                ),
                "{error}"
            );
        }
    }

    #[test]
    fn a_huge_length_prefix_fails_fast() {
        let str32 = Bytes::from_static(&[0xdb, 0xff, 0xff, 0xff, 0xff, b'x']);
        assert!(String::decode_body(&MsgPack, str32).is_err());
        let array32 = Bytes::from_static(&[0xdd, 0xff, 0xff, 0xff, 0xff, 0x01]);
        assert!(Vec::<u64>::decode_body(&MsgPack, array32).is_err());
    }

    /// A self-describing target: decoding follows nesting as deep as the body goes.
    #[derive(Debug, Serialize, Deserialize)]
    #[serde(untagged)]
    enum Tree {
        Leaf(u8),
        Node(Vec<Tree>),
    }

    #[test]
    fn nesting_deeper_than_the_limit_is_a_decode_error() -> Result<(), CodecError> {
        let shallow = [vec![0x91; MAX_DEPTH - 1], vec![0x07]].concat();
        assert!(matches!(
            Tree::decode_body(&MsgPack, shallow.into())?,
            Tree::Node(_)
        ));
        let deep = Bytes::from(vec![0x91; 100_000]);
        let error = Tree::decode_body(&MsgPack, deep).unwrap_err();
        assert!(
            matches!(
                error,
                CodecError::Decode {
                    codec: "msgpack",
                    ..
                }
            ),
            "{error}"
        );
        Ok(())
    }

    proptest! {
        #[test]
        fn garbage_gives_a_value_or_a_decode_error(
            body in prop::collection::vec(any::<u8>(), 0..256),
        ) {
            let body = Bytes::from(body);
            for outcome in [
                Reading::decode_body(&MsgPack, body.clone()).map(drop),
                String::decode_body(&MsgPack, body.clone()).map(drop),
                Vec::<i64>::decode_body(&MsgPack, body.clone()).map(drop),
                Option::<f64>::decode_body(&MsgPack, body.clone()).map(drop),
                BTreeMap::<String, String>::decode_body(&MsgPack, body.clone()).map(drop),
            ] {
                prop_assert!(
                    matches!(outcome, Ok(()) | Err(CodecError::Decode { codec: "msgpack", .. })),
                    "{:?}", outcome
                );
            }
        }
    }
}
