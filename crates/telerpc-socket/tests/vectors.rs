//! The golden frames captured from real Go eRPC v6 peers (`tests/data/vectors`): each decodes to
//! the message its `.txt` describes and encodes back to the same bytes (for gzip frames: to the
//! same decompressed payload, since another deflate implementation emits other, equivalent bytes).

use bytes::{Bytes, BytesMut};
use telerpc_socket::{
    JsonProto, Message, MessageType, Meta, Proto, RawProto, Status, DEFAULT_FRAME_LIMIT,
};

fn vector(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/data/vectors/{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// What a vector's `.txt` says the frame holds.
struct Expected {
    seq: i32,
    mtype: MessageType,
    service_method: &'static str,
    status: Option<Status>,
    meta: &'static [(&'static str, &'static str)],
    body_codec: u8,
    body: &'static [u8],
    xfer: &'static [u8],
}

impl Expected {
    fn message(&self) -> Message {
        Message {
            seq: self.seq,
            mtype: self.mtype,
            service_method: self.service_method.into(),
            status: self.status.clone(),
            meta: self.meta.iter().copied().collect::<Meta>(),
            body_codec: self.body_codec,
            body: Bytes::from_static(self.body),
            xfer_pipe: telerpc_xfer::XferPipe::from_ids(Bytes::from_static(self.xfer)).unwrap(),
        }
    }
}

fn call(
    service_method: &'static str,
    meta: &'static [(&'static str, &'static str)],
    body_codec: u8,
    body: &'static [u8],
) -> Expected {
    Expected {
        seq: 1,
        mtype: MessageType::Call,
        service_method,
        status: None,
        meta,
        body_codec,
        body,
        xfer: b"",
    }
}

fn reply(status: Option<Status>, body_codec: u8, body: &'static [u8]) -> Expected {
    Expected {
        seq: 1,
        mtype: MessageType::Reply,
        service_method: "",
        status,
        meta: &[],
        body_codec,
        body,
        xfer: b"",
    }
}

const AUTHOR: &[(&str, &str)] = &[("author", "henrylee2cn")];

fn decode_one(proto: &dyn Proto, wire: &[u8]) -> Message {
    let mut src = BytesMut::from(wire);
    let msg = proto
        .decode(&mut src, DEFAULT_FRAME_LIMIT)
        .expect("decodes")
        .expect("a whole frame");
    assert!(src.is_empty(), "the frame is consumed exactly");
    msg
}

fn encode_one(proto: &dyn Proto, msg: &Message) -> BytesMut {
    let mut dst = BytesMut::new();
    proto
        .encode(msg, DEFAULT_FRAME_LIMIT, &mut dst)
        .expect("encodes");
    dst
}

fn check_identical(proto: &dyn Proto, name: &str, expected: Expected) {
    let wire = vector(name);
    let msg = decode_one(proto, &wire);
    assert_eq!(msg, expected.message(), "{name} decodes as described");
    assert_eq!(
        &encode_one(proto, &msg)[..],
        &wire[..],
        "{name} re-encodes byte for byte"
    );
}

#[test]
fn rawproto_vectors_round_trip_byte_for_byte() {
    let raw = RawProto::default();
    let not_found = Status::from_code(404);
    let custom = Status::new(1234, "custom failure").with_cause("cause text");
    check_identical(
        &raw,
        "a_call_math_add_json",
        call("/math/add", AUTHOR, b'j', b"[1,2,3]"),
    );
    check_identical(&raw, "b_reply_math_add_json", reply(None, b'j', b"6"));
    check_identical(
        &raw,
        "c_push_hello",
        Expected {
            mtype: MessageType::Push,
            ..call("/push/hello", &[], b'j', b"\"hi\"")
        },
    );
    check_identical(
        &raw,
        "d_call_err_always",
        call("/err/always", &[], b'j', b""),
    );
    check_identical(&raw, "d_reply_error_status", reply(Some(custom), 0, b""));
    check_identical(
        &raw,
        "f_call_pb_add_protobuf",
        call("/pb/add", &[], b'p', &[0x08, 0x0a, 0x10, 0x02]),
    );
    check_identical(
        &raw,
        "f_reply_pb_add_protobuf",
        reply(None, b'p', &[0x08, 0x0c, 0x10, 0x08]),
    );
    check_identical(
        &raw,
        "g_call_echo_bytes",
        call("/echo/bytes", &[], b'j', b"\x00\x01\x02\xfe\xfferpc"),
    );
    check_identical(
        &raw,
        "g_reply_echo_bytes",
        reply(None, b'j', b"\x00\x01\x02\xfe\xfferpc"),
    );
    check_identical(
        &raw,
        "h_call_echo_meta",
        call("/echo/meta", &[("x", "hello meta & more=1")], b'j', b""),
    );
    check_identical(
        &raw,
        "h_reply_echo_meta",
        reply(None, b'j', b"\"hello meta \\u0026 more=1\""),
    );
    check_identical(&raw, "i_reply_not_found", reply(Some(not_found), 0, b""));
}

#[test]
fn rawproto_benchmark_vectors_round_trip_byte_for_byte() {
    let raw = RawProto::default();
    for (name, mtype, service_method, body_len) in [
        (
            "f2_call_hello_say_bench_protobuf",
            MessageType::Call,
            "Hello.Say",
            581,
        ),
        (
            "f2_reply_hello_say_bench_protobuf",
            MessageType::Reply,
            "",
            527,
        ),
    ] {
        let wire = vector(name);
        let msg = decode_one(&raw, &wire);
        assert_eq!(
            (msg.seq, msg.mtype, &*msg.service_method),
            (1, mtype, service_method)
        );
        assert_eq!(
            (msg.body_codec, msg.body.len(), msg.is_ok()),
            (b'p', body_len, true)
        );
        assert_eq!(&msg.body[..], &wire[wire.len() - body_len..]);
        assert_eq!(&encode_one(&raw, &msg)[..], &wire[..], "{name}");
    }
}

#[test]
fn rawproto_gzip_vectors_decode_and_re_encode_to_the_same_payload() {
    let raw = RawProto::default();
    for (name, expected) in [
        (
            "e_call_math_add_gzip",
            call("/math/add", AUTHOR, b'j', b"[1,2,3]"),
        ),
        ("e_reply_math_add_gzip", reply(None, b'j', b"6")),
    ] {
        let expected = Expected {
            xfer: b"g",
            ..expected
        };
        let wire = vector(name);
        let msg = decode_one(&raw, &wire);
        assert_eq!(msg, expected.message(), "{name} decodes as described");
        let ours = encode_one(&raw, &msg);
        assert_eq!(&ours[4..6], &wire[4..6], "{name}: same xfer prefix");
        assert_eq!(
            decode_one(&raw, &ours),
            msg,
            "{name}: our gzip frame reads back the same"
        );
        let plain = Message {
            xfer_pipe: Default::default(),
            ..msg
        };
        let mut unpacked = Vec::new();
        std::io::Read::read_to_end(&mut flate2_reader(&wire[6..]), &mut unpacked).unwrap();
        assert_eq!(
            unpacked,
            encode_one(&raw, &plain)[5..],
            "{name}: same payload once inflated"
        );
    }
}

fn flate2_reader(gz: &[u8]) -> impl std::io::Read + '_ {
    flate2::read::MultiGzDecoder::new(gz)
}

#[test]
fn jsonproto_vectors_round_trip_byte_for_byte() {
    let json = JsonProto::default();
    check_identical(
        &json,
        "j_call_math_add_jsonproto",
        call("/math/add", AUTHOR, b'j', b"[1,2,3]"),
    );
    check_identical(&json, "j_reply_math_add_jsonproto", reply(None, b'j', b"6"));
    check_identical(
        &json,
        "j_push_hello_jsonproto",
        Expected {
            mtype: MessageType::Push,
            ..call("/push/hello", &[], b'j', b"\"hi\"")
        },
    );
}
