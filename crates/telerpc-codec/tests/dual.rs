//! `Dual<T>`: one type serves JSON callers as JSON and protobuf callers as protobuf.

mod support;

use bytes::{Bytes, BytesMut};
use support::PbTest;
use telerpc_codec::EncodeBody;
use telerpc_codec::{id, Body, BodyKind, CodecError, CodecRegistry, Dual, Proto};

fn encode<T: Body>(codec_id: u8, value: &T) -> Result<BytesMut, CodecError> {
    let codec = CodecRegistry::standard().require(codec_id)?;
    let mut out = BytesMut::new();
    value.encode_body(codec.as_ref(), &mut out)?;
    Ok(out)
}

fn decode<T: Body>(codec_id: u8, body: impl Into<Bytes>) -> Result<T, CodecError> {
    let codec = CodecRegistry::standard().require(codec_id)?;
    T::decode_body(codec.as_ref(), body.into())
}

#[test]
fn through_json_it_is_json() -> Result<(), CodecError> {
    let body = encode(id::JSON, &Dual(PbTest { a: 10, b: 2 }))?;
    assert_eq!(&body[..], br#"{"a":10,"b":2}"#);
    let back: Dual<PbTest> = decode(id::JSON, body.freeze())?;
    assert_eq!(back.0, PbTest { a: 10, b: 2 });
    Ok(())
}

#[test]
fn through_protobuf_it_is_protobuf() -> Result<(), CodecError> {
    let body = encode(id::PROTOBUF, &Dual(PbTest { a: 10, b: 2 }))?;
    assert_eq!(&body[..], [0x08, 0x0a, 0x10, 0x02]);
    let back: Dual<PbTest> = decode(id::PROTOBUF, body.freeze())?;
    assert_eq!(back.0, PbTest { a: 10, b: 2 });
    Ok(())
}

#[test]
fn a_json_caller_and_a_protobuf_caller_get_the_same_value() -> Result<(), CodecError> {
    let from_json: Dual<PbTest> = decode(id::JSON, &br#"{"a":12,"b":8}"#[..])?;
    let from_protobuf: Dual<PbTest> = decode(id::PROTOBUF, &[0x08, 0x0c, 0x10, 0x08][..])?;
    assert_eq!(from_json, from_protobuf);
    Ok(())
}

#[test]
fn through_the_other_serde_codecs_it_is_serde() -> Result<(), CodecError> {
    let value = Dual(PbTest { a: 1, b: -1 });
    let form = encode(id::FORM, &value)?;
    assert_eq!(&form[..], b"a=1&b=-1");
    assert_eq!(decode::<Dual<PbTest>>(id::FORM, form.freeze())?, value);
    let bincode = encode(id::BINCODE, &value)?;
    assert_eq!(&bincode[..], [2, 1]);
    assert_eq!(
        decode::<Dual<PbTest>>(id::BINCODE, bincode.freeze())?,
        value
    );
    Ok(())
}

#[test]
fn proto_alone_travels_only_under_protobuf() {
    let mut out = BytesMut::from(&b"head"[..]);
    let codec = CodecRegistry::standard().require(id::JSON).unwrap();
    let error = Proto(PbTest { a: 1, b: 2 })
        .encode_body(codec.as_ref(), &mut out)
        .unwrap_err();
    assert!(matches!(
        error,
        CodecError::Unsupported {
            codec: "json",
            kind: BodyKind::Protobuf
        }
    ));
    assert_eq!(&out[..], b"head");
    assert!(matches!(
        decode::<Proto<PbTest>>(id::JSON, &b"{}"[..]),
        Err(CodecError::Unsupported { .. })
    ));
}

#[test]
fn a_bad_protobuf_body_is_a_decode_error_not_a_serde_fallback() {
    let error = decode::<Dual<PbTest>>(id::PROTOBUF, &[0x08][..]).unwrap_err();
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
