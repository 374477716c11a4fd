//! jsonproto (spec §7): the Go captures byte for byte, correct escaping, a tolerant reader, and
//! every malformed frame a typed error, never a panic or an allocation sized by the peer.

mod support;

use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use support::{filter_ids, frame, frame_with_pipe};
use telerpc_socket::{
    JsonProto, Message, MessageType, Proto, ProtoError, Status, DEFAULT_FRAME_LIMIT,
};
use telerpc_xfer::XferPipe;

fn vector(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The JSON document a vector's `.txt` quotes on its `JSON:` line.
fn described_document(name: &str) -> Vec<u8> {
    let text = String::from_utf8(vector(&format!("{name}.txt"))).unwrap();
    let line = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("JSON: "))
        .unwrap_or_else(|| panic!("{name}.txt has no JSON line"));
    line.as_bytes().to_vec()
}

fn decode(src: &mut BytesMut) -> Result<Option<Message>, ProtoError> {
    JsonProto::default().decode(src, DEFAULT_FRAME_LIMIT)
}

/// Decodes one whole frame holding `document`.
fn read(document: &[u8]) -> Result<Message, ProtoError> {
    support::read_whole_frame(&JsonProto::default(), frame(document))
}

fn message(
    seq: i32,
    mtype: MessageType,
    service_method: &str,
    meta: &[(&str, &str)],
    body: &'static [u8],
) -> Message {
    let mut msg = Message::new(mtype, seq, service_method);
    msg.meta = meta.iter().copied().collect();
    msg.body_codec = b'j';
    msg.body = Bytes::from_static(body);
    msg
}

fn encode(msg: &Message) -> BytesMut {
    support::encode_frame(&JsonProto::default(), msg)
}

/// The document `msg` encodes to, as text.
fn document_of(msg: &Message) -> Vec<u8> {
    let wire = encode(msg);
    assert_eq!(wire[4], 0, "no filters");
    wire[5..].to_vec()
}

#[test]
fn go_captures_decode_as_described_and_encode_back_byte_for_byte() {
    let cases = [
        (
            "j_call_math_add_jsonproto",
            message(
                1,
                MessageType::Call,
                "/math/add",
                &[("author", "henrylee2cn")],
                b"[1,2,3]",
            ),
        ),
        (
            "j_reply_math_add_jsonproto",
            message(1, MessageType::Reply, "", &[], b"6"),
        ),
        (
            "j_push_hello_jsonproto",
            message(1, MessageType::Push, "/push/hello", &[], b"\"hi\""),
        ),
    ];
    for (name, expected) in cases {
        let wire = vector(&format!("{name}.bin"));
        assert_eq!(
            &wire[5..],
            described_document(name),
            "{name}: .bin and .txt agree"
        );
        let mut src = BytesMut::from(&wire[..]);
        let msg = decode(&mut src).unwrap().expect(name);
        assert!(src.is_empty(), "{name}: one frame");
        assert_eq!(msg, expected, "{name}");
        assert_eq!(msg.body_codec, 106, "{name}: body codec j");
        assert_eq!(msg.status, None, "{name}: status code=0");
        assert_eq!(
            &encode(&msg)[..],
            &wire[..],
            "{name}: re-encodes identically"
        );
    }
}

#[test]
fn a_body_with_quotes_backslashes_controls_and_invalid_utf8_is_escaped_exactly() {
    let mut msg = message(
        7,
        MessageType::Call,
        "/a",
        &[],
        b"q\"b\\n\nz\0\xff\xfe\x1f\t\r\x7f",
    );
    msg.body_codec = 0;
    assert_eq!(
        document_of(&msg),
        b"{\"seq\":7,\"mtype\":1,\"serviceMethod\":\"/a\",\"status\":\"code=0\",\"meta\":\"\",\
          \"bodyCodec\":0,\"body\":\"q\\\"b\\\\n\\nz\\u0000\xff\xfe\\u001f\\t\\r\x7f\"}"
    );
    assert_eq!(decode(&mut encode(&msg)).unwrap(), Some(msg));
}

#[test]
fn every_byte_value_in_a_body_round_trips() {
    let mut msg = Message::new(MessageType::Reply, -5, "");
    msg.body = (0..=255u8)
        .chain((0..=255u8).rev())
        .collect::<Vec<_>>()
        .into();
    assert_eq!(decode(&mut encode(&msg)).unwrap(), Some(msg));
}

#[test]
fn service_methods_status_and_meta_are_written_as_erpc_does() {
    let mut msg = Message::new(MessageType::Reply, -1, "/é/\"q\"");
    msg.status = Some(Status::new(1234, "custom failure").with_cause("cause text"));
    msg.meta.append("x", "hello meta & more=1");
    assert_eq!(
        document_of(&msg),
        r#"{"seq":-1,"mtype":2,"serviceMethod":"/é/\"q\"","status":"code=1234&msg=custom%20failure&cause=cause%20text","meta":"x=hello%20meta%20%26%20more%3D1","bodyCodec":0,"body":""}"#.as_bytes()
    );
    assert_eq!(decode(&mut encode(&msg)).unwrap(), Some(msg));
}

#[test]
fn keys_in_any_order_white_space_and_unknown_keys_are_read() {
    let msg = read(
        b" \r\n\t{ \"body\" : \"[1]\" ,\n\t\"extra\": {\"a\": [1, 2.5e-3, {\"b\": null}], \"c\": \"}\"},\
          \"bodyCodec\" :106, \"meta\":\"a=1&a=2\", \"flag\": true, \"none\": null, \"n\": -0.5E+2,\
          \"serviceMethod\": \"/math/add\", \"status\": \"code=0\", \"list\": [], \"obj\": {},\
          \"mtype\": 1, \"seq\": 42 } \n",
    )
    .unwrap();
    let expected = message(
        42,
        MessageType::Call,
        "/math/add",
        &[("a", "1"), ("a", "2")],
        b"[1]",
    );
    assert_eq!(msg, expected);
}

#[test]
fn escapes_and_surrogate_pairs_in_the_service_method_are_decoded() {
    let msg = read(
        br#"{"seq":1,"mtype":1,"serviceMethod":"/caf\u00e9/\ud83d\ude00/\u4E2D\/\"\\\b\f\n\r\t\u0000"}"#,
    )
    .unwrap();
    assert_eq!(msg.service_method, "/café/😀/中/\"\\\u{8}\u{c}\n\r\t\0");
}

#[test]
fn escapes_in_every_string_are_decoded() {
    let msg = read(
        br#"{"s\u0065q":3,"mtype":3,"status":"code=\u0034\u0030\u0034","meta":"k=\u0076","body":"\u00ff\ud83d\ude00\""}"#,
    )
    .unwrap();
    assert_eq!(msg.seq, 3);
    assert_eq!(msg.status.map(|s| s.code()), Some(404));
    assert_eq!(msg.meta.get("k"), Some("v"));
    assert_eq!(&msg.body[..], "\u{ff}😀\"".as_bytes());
}

#[test]
fn raw_control_bytes_and_invalid_utf8_in_strings_are_kept_as_they_are() {
    let msg = read(
        b"{\"seq\":1,\"mtype\":3,\"serviceMethod\":\"/a\tb\",\"body\":\"\x00\x01\n\xff\xfe\xc3\"}",
    )
    .unwrap();
    assert_eq!(msg.service_method, "/a\tb");
    assert_eq!(&msg.body[..], b"\x00\x01\n\xff\xfe\xc3");
}

#[test]
fn optional_keys_default_to_empty_and_zero() {
    let msg = read(br#"{"seq":9,"mtype":5}"#).unwrap();
    assert_eq!(msg, Message::new(MessageType::AuthReply, 9, ""));
}

#[test]
fn the_first_occurrence_of_a_key_wins() {
    let msg = read(br#"{"seq":1,"mtype":2,"seq":"ignored","body":"a","body":{"x":1}}"#).unwrap();
    assert_eq!((msg.seq, &msg.body[..]), (1, &b"a"[..]));
}

#[test]
fn a_status_that_reads_as_plain_ok_is_none() {
    for status in ["", "code=0", "code=00", "code=0&x=1"] {
        let document = format!(r#"{{"seq":1,"mtype":2,"status":"{status}"}}"#);
        assert_eq!(
            read(document.as_bytes()).unwrap().status,
            None,
            "{status:?}"
        );
    }
    let with_cause = read(br#"{"seq":1,"mtype":2,"status":"code=0&cause="}"#).unwrap();
    assert_eq!(with_cause.status, Some(Status::new(0, "").with_cause("")));
}

#[test]
fn frames_with_filters_round_trip() {
    for pipe in [&b"g"[..], b"z", b"m", b"c", b"gm", b"cmzg"] {
        let mut msg = message(
            3,
            MessageType::Call,
            "/f",
            &[("k", "v")],
            b"{\"a\":\"\\\\\"}",
        );
        msg.xfer_pipe = XferPipe::from_ids(pipe.to_vec()).unwrap();
        let mut wire = encode(&msg);
        assert_eq!(
            &wire[4..5 + pipe.len()],
            [&[pipe.len() as u8][..], pipe].concat()
        );
        assert_eq!(decode(&mut wire).unwrap(), Some(msg));
    }
}

#[test]
fn frames_back_to_back_decode_one_at_a_time() {
    let first = message(1, MessageType::Call, "/a", &[], b"1");
    let second = message(2, MessageType::Push, "/b", &[], b"2");
    let mut src = encode(&first);
    src.extend_from_slice(&encode(&second));
    assert_eq!(decode(&mut src).unwrap(), Some(first));
    assert_eq!(decode(&mut src).unwrap(), Some(second));
    assert!(src.is_empty());
    assert_eq!(decode(&mut src).unwrap(), None);
}

// Bad input: each a typed error, never a panic.

/// The reason of a jsonproto document error, or a panic naming what came instead.
fn document_error(document: &[u8]) -> String {
    support::document_error(
        "jsonproto",
        String::from_utf8_lossy(document),
        read(document),
    )
}

#[test]
fn every_prefix_of_a_frame_asks_for_more_and_consumes_nothing() {
    let whole = vector("j_call_math_add_jsonproto.bin");
    support::assert_every_prefix_asks_for_more(&JsonProto::default(), &whole);
}

#[test]
fn a_document_cut_at_every_length_is_a_document_error() {
    let document = &vector("j_call_math_add_jsonproto.bin")[5..];
    for cut in 0..document.len() {
        let reason = document_error(&document[..cut]);
        assert!(!reason.is_empty(), "cut at {cut}");
    }
}

#[test]
fn a_size_of_zero_is_too_small() {
    support::assert_a_zero_size_is_too_small(&JsonProto::default());
}

#[test]
fn a_pipe_count_past_the_end_is_truncated() {
    let mut src = frame_with_pipe(b"", b"");
    src[4] = 3;
    assert!(matches!(
        decode(&mut src),
        Err(ProtoError::Truncated { field: "xfer pipe" })
    ));
}

#[test]
fn a_size_claiming_4_gib_is_refused_without_allocating() {
    support::assert_a_4_gib_claim_is_refused_without_allocating(&JsonProto::default());
}

#[test]
fn under_an_unbounded_limit_a_4_gib_claim_reserves_only_a_step() {
    let mut src = BytesMut::with_capacity(16);
    src.put_u32(u32::MAX);
    src.put_u8(0);
    assert!(JsonProto::default()
        .decode(&mut src, usize::MAX)
        .unwrap()
        .is_none());
    assert!(src.capacity() <= 256 * 1024, "capacity {}", src.capacity());
    assert_eq!(src.len(), 5);
}

#[test]
fn the_limit_bounds_the_size_field() {
    let wire = vector("j_reply_math_add_jsonproto.bin");
    let size = wire.len() - 4;
    let proto = JsonProto::default();
    let msg = proto
        .decode(&mut BytesMut::from(&wire[..]), size)
        .unwrap()
        .unwrap();
    let err = proto
        .decode(&mut BytesMut::from(&wire[..4]), size - 1)
        .unwrap_err();
    assert!(
        matches!(err, ProtoError::FrameTooLarge { size: s, limit } if s == size as u64 && limit == size - 1)
    );

    let mut dst = BytesMut::new();
    proto.encode(&msg, size, &mut dst).unwrap();
    assert_eq!(&dst[..], &wire[..]);
    let err = proto.encode(&msg, size - 1, &mut dst).unwrap_err();
    assert!(matches!(err, ProtoError::FrameTooLarge { .. }), "{err}");
    assert_eq!(
        &dst[..],
        &wire[..],
        "a refused write leaves the buffer as it was"
    );
}

#[test]
fn refused_writes_leave_the_buffer_as_it_was() {
    let proto = JsonProto::default();

    let mut unknown_filter = message(2, MessageType::Call, "/a", &[], b"");
    unknown_filter.xfer_pipe = XferPipe::from_ids(&b"gQ"[..]).unwrap();
    let err = support::assert_write_refused(&proto, &unknown_filter, DEFAULT_FRAME_LIMIT);
    support::assert_unknown_filter(&err, b'Q');

    let mut big = message(3, MessageType::Call, "/big", &[], b"");
    big.body = vec![7; 4096].into();
    big.xfer_pipe = XferPipe::from_ids(&b"m"[..]).unwrap();
    let err = support::assert_write_refused(&proto, &big, 1024);
    assert!(
        matches!(err, ProtoError::FrameTooLarge { limit: 1024, .. }),
        "{err}"
    );
}

#[test]
fn unknown_filter_ids_are_refused() {
    let err = decode(&mut frame_with_pipe(b"Q", br#"{"seq":1,"mtype":1}"#)).unwrap_err();
    support::assert_unknown_filter(&err, b'Q');
}

#[test]
fn unknown_message_types_are_refused() {
    for mtype in [0u8, 6, 9, 255] {
        let document = format!(r#"{{"seq":1,"mtype":{mtype}}}"#);
        let err = read(document.as_bytes()).unwrap_err();
        assert!(
            matches!(err, ProtoError::UnknownMessageType(t) if t.0 == mtype),
            "{err}"
        );
    }
    for mtype in ["256", "-1", "1.0", "\"1\"", "null"] {
        let document = format!(r#"{{"seq":1,"mtype":{mtype}}}"#);
        assert!(
            document_error(document.as_bytes()).contains("mtype"),
            "{mtype}"
        );
    }
}

#[test]
fn required_keys_must_be_present() {
    assert!(document_error(br#"{"mtype":1}"#).contains(r#""seq""#));
    assert!(document_error(br#"{"seq":1}"#).contains(r#""mtype""#));
    assert!(document_error(b"{}").contains("missing"));
}

#[test]
fn seqs_must_be_i32_integers() {
    for seq in ["2147483648", "-2147483649", "99999999999999999999999"] {
        let reason = document_error(format!(r#"{{"seq":{seq},"mtype":1}}"#).as_bytes());
        assert!(reason.contains("out of"), "{seq}: {reason}");
    }
    for seq in ["1.5", "1e3", "1.0"] {
        let reason = document_error(format!(r#"{{"seq":{seq},"mtype":1}}"#).as_bytes());
        assert!(reason.contains("integer"), "{seq}: {reason}");
    }
    for seq in ["\"1\"", "01", "+1", "-", "true"] {
        document_error(format!(r#"{{"seq":{seq},"mtype":1}}"#).as_bytes());
    }
    let limits = read(br#"{"seq":-2147483648,"mtype":1}"#).unwrap();
    assert_eq!(limits.seq, i32::MIN);
}

#[test]
fn body_codecs_must_fit_a_byte() {
    for codec in ["256", "-1", "1e2"] {
        let reason =
            document_error(format!(r#"{{"seq":1,"mtype":1,"bodyCodec":{codec}}}"#).as_bytes());
        assert!(reason.contains("bodyCodec"), "{codec}: {reason}");
    }
    assert_eq!(
        read(br#"{"seq":1,"mtype":1,"bodyCodec":255}"#)
            .unwrap()
            .body_codec,
        255
    );
}

#[test]
fn unterminated_strings_are_refused() {
    for document in [
        &br#"{"seq":1,"mtype":1,"serviceMethod":"/a"#[..],
        br#"{"seq":1,"mtype":1,"body":"\"#,
        br#"{"seq":1,"mtype":1,"body":"ab\n"#,
        br#"{"seq":1,"mtype":1,"other":["x"#,
        br#"{"seq":1,"mtype":1,"ke"#,
    ] {
        let reason = document_error(document);
        assert!(reason.contains("unterminated"), "{reason}");
    }
}

#[test]
fn bad_escapes_are_refused() {
    for escape in [
        r"\x41",
        r"\u12G4",
        r"\u12",
        r"\ud800",
        r"\ud800x",
        r"\ud800\u0041",
        r"\udc00",
        r"\U0041",
        r"\'",
    ] {
        let document = format!(r#"{{"seq":1,"mtype":1,"serviceMethod":"{escape}"}}"#);
        let reason = document_error(document.as_bytes());
        assert!(
            reason.contains("escape") || reason.contains("surrogate"),
            "{escape}: {reason}"
        );
    }
}

#[test]
fn nesting_beyond_64_is_refused() {
    let nested = |depth: usize| {
        let open = r#"{"k":["#.repeat(depth / 2) + &"[".repeat(depth % 2);
        let close = "]".repeat(depth % 2) + &"]}".repeat(depth / 2);
        format!(r#"{{"seq":1,"mtype":1,"deep":{open}{close}}}"#)
    };
    assert_eq!(read(nested(64).as_bytes()).unwrap().seq, 1);
    let reason = document_error(nested(65).as_bytes());
    assert!(reason.contains("nested deeper than 64"), "{reason}");
    let reason = document_error(nested(100_000).as_bytes());
    assert!(reason.contains("nested deeper than 64"), "{reason}");
}

#[test]
fn invalid_utf8_in_the_service_method_is_refused() {
    let err = read(b"{\"seq\":1,\"mtype\":1,\"serviceMethod\":\"/\xff\xfe\"}").unwrap_err();
    support::assert_service_method_not_utf8(&err);
}

#[test]
fn malformed_query_strings_are_refused() {
    support::assert_malformed_queries_refused(
        read(br#"{"seq":1,"mtype":2,"status":"code=x1"}"#),
        read(br#"{"seq":1,"mtype":1,"meta":"k=%FF"}"#),
    );
}

#[test]
fn known_keys_of_the_wrong_type_are_refused() {
    for value in [
        r#""serviceMethod":1"#,
        r#""status":null"#,
        r#""meta":[]"#,
        r#""body":{}"#,
    ] {
        let reason = document_error(format!(r#"{{"seq":1,"mtype":1,{value}}}"#).as_bytes());
        assert!(reason.contains("expected '\"'"), "{value}: {reason}");
    }
}

#[test]
fn malformed_json_is_refused() {
    for document in [
        &b""[..],
        b"   ",
        b"[]",
        b"null",
        br#"{"seq":1,"mtype":1}x"#,
        br#"{"seq":1,"mtype":1}{}"#,
        br#"{"seq" 1,"mtype":1}"#,
        br#"{"seq":1 "mtype":1}"#,
        br#"{"seq":1,"mtype":1,}"#,
        br#"{,"seq":1,"mtype":1}"#,
        br#"{seq:1,"mtype":1}"#,
        br#"{"seq":1,"mtype":1,"x":tru}"#,
        br#"{"seq":1,"mtype":1,"x":nul}"#,
        br#"{"seq":1,"mtype":1,"x":[1,]}"#,
        br#"{"seq":1,"mtype":1,"x":[1 2]}"#,
        br#"{"seq":1,"mtype":1,"x":{"a"}}"#,
        br#"{"seq":1,"mtype":1,"x":{"a":1,}}"#,
        br#"{"seq":1,"mtype":1,"x":{1:1}}"#,
        br#"{"seq":1,"mtype":1,"x":[}"#,
        br#"{"seq":1,"mtype":1,"x":{]}"#,
        br#"{"seq":1,"mtype":1,"x":1.}"#,
        br#"{"seq":1,"mtype":1,"x":.5}"#,
        br#"{"seq":1,"mtype":1,"x":1e}"#,
        br#"{"seq":1,"mtype":1,"x":-}"#,
        br#"{"seq":1,"mtype":1,"x":'a'}"#,
    ] {
        document_error(document);
    }
}

// Properties.

// `messages_round_trip_whatever_the_chunks` and `arbitrary_bytes_never_panic`, as pbproto has
// them: see `support`.
message_properties!(JsonProto::default());

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_documents_in_a_well_sized_frame_never_panic(
        pipe in filter_ids(),
        document in prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..256),
            r#"[{}\[\]",:0-9a-z\\ -]{0,64}"#.prop_map(String::into_bytes),
        ],
    ) {
        let _ = decode(&mut frame_with_pipe(&pipe, &document));
    }
}
