//! Bodies captured from real Go eRPC v6 peers (the golden vectors) decode to the values eRPC
//! sent, and re-encode to the same bytes where the format is canonical.

mod support;

use bytes::{Bytes, BytesMut};
use support::PbTest;
use telerpc_codec::{Body, CodecError, CodecRegistry, Proto};

/// The body of a captured message: the bytes after its body-codec byte, which end the message.
struct Golden {
    vector: &'static str,
    codec: u8,
    body: &'static [u8],
}

const CALL_MATH_ADD: Golden = Golden {
    vector: "a_call_math_add_json.bin",
    codec: b'j',
    body: b"[1,2,3]",
};
const REPLY_MATH_ADD: Golden = Golden {
    vector: "b_reply_math_add_json.bin",
    codec: b'j',
    body: b"6",
};
const REPLY_ECHO_META: Golden = Golden {
    vector: "h_reply_echo_meta.bin",
    codec: b'j',
    body: b"\"hello meta \\u0026 more=1\"",
};
const CALL_PB_ADD: Golden = Golden {
    vector: "f_call_pb_add_protobuf.bin",
    codec: b'p',
    body: &[0x08, 0x0a, 0x10, 0x02],
};
const REPLY_PB_ADD: Golden = Golden {
    vector: "f_reply_pb_add_protobuf.bin",
    codec: b'p',
    body: &[0x08, 0x0c, 0x10, 0x08],
};

impl Golden {
    fn decode<T: Body>(&self) -> Result<T, CodecError> {
        let codec = CodecRegistry::standard().require(self.codec)?;
        T::decode_body(codec.as_ref(), Bytes::from_static(self.body))
    }

    fn encode<T: Body>(&self, value: &T) -> Result<BytesMut, CodecError> {
        let codec = CodecRegistry::standard().require(self.codec)?;
        let mut out = BytesMut::new();
        value.encode_body(codec.as_ref(), &mut out)?;
        Ok(out)
    }
}

#[test]
fn call_math_add_is_a_json_array_of_ints() -> Result<(), CodecError> {
    let args: Vec<i64> = CALL_MATH_ADD.decode()?;
    assert_eq!(args, [1, 2, 3]);
    assert_eq!(&CALL_MATH_ADD.encode(&args)?[..], CALL_MATH_ADD.body);
    Ok(())
}

#[test]
fn reply_math_add_is_a_json_int() -> Result<(), CodecError> {
    let sum: i64 = REPLY_MATH_ADD.decode()?;
    assert_eq!(sum, 6);
    assert_eq!(&REPLY_MATH_ADD.encode(&sum)?[..], REPLY_MATH_ADD.body);
    Ok(())
}

#[test]
fn reply_echo_meta_unescapes_go_html_escapes() -> Result<(), CodecError> {
    let text: String = REPLY_ECHO_META.decode()?;
    assert_eq!(text, "hello meta & more=1");
    let ours = REPLY_ECHO_META.encode(&text)?;
    assert_eq!(&ours[..], b"\"hello meta & more=1\"");
    Ok(())
}

#[test]
fn pb_add_call_and_reply_are_pbtest_messages_and_reencode_identically() -> Result<(), CodecError> {
    for (golden, a, b) in [(&CALL_PB_ADD, 10, 2), (&REPLY_PB_ADD, 12, 8)] {
        let Proto(message) = golden.decode::<Proto<PbTest>>()?;
        assert_eq!(message, PbTest { a, b });
        assert_eq!(&golden.encode(&Proto(message))?[..], golden.body);
    }
    Ok(())
}

/// The bodies above are copied from the captures; check them against the capture files, kept
/// with the socket tier's test data.
#[test]
fn golden_bodies_match_the_captured_messages() {
    let vectors = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../telerpc-socket/tests/data/vectors");
    for golden in [
        CALL_MATH_ADD,
        REPLY_MATH_ADD,
        REPLY_ECHO_META,
        CALL_PB_ADD,
        REPLY_PB_ADD,
    ] {
        let path = vectors.join(golden.vector);
        let capture = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("cannot read the capture {}: {e}", path.display()));
        let codec_at = capture.len() - golden.body.len() - 1;
        assert_eq!(capture[codec_at], golden.codec, "{}", golden.vector);
        assert_eq!(&capture[codec_at + 1..], golden.body, "{}", golden.vector);
    }
}
