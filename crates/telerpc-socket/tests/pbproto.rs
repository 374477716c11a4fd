//! pbproto (spec §7): hand-computed frames byte for byte (there is no Go capture), protobuf's
//! reading rules, and every malformed frame a typed error, never a panic.

mod support;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use support::{filter_ids, frame, frame_with_pipe};
use telerpc_socket::{
    Message, MessageType, Meta, PbProto, Proto, ProtoError, Status, DEFAULT_FRAME_LIMIT,
};
use telerpc_xfer::XferPipe;

fn decode(src: &mut BytesMut) -> Result<Option<Message>, ProtoError> {
    PbProto::default().decode(src, DEFAULT_FRAME_LIMIT)
}

/// Decodes one whole frame holding `payload`.
fn read(payload: &[u8]) -> Result<Message, ProtoError> {
    support::read_whole_frame(&PbProto::default(), frame(payload))
}

fn encode(msg: &Message) -> BytesMut {
    support::encode_frame(&PbProto::default(), msg)
}

/// CALL seq 1 `/a`, OK, no meta, no codec, no body: each field as tag, then value.
const CALL_A: &[u8] = b"\x08\x01\x10\x01\x1a\x02/a\x22\x06code=0";

#[test]
fn a_call_is_the_hand_computed_bytes() {
    let msg = Message::new(MessageType::Call, 1, "/a");
    let wire = encode(&msg);
    assert_eq!(&wire[..], [&b"\x00\x00\x00\x11\x00"[..], CALL_A].concat());
    assert_eq!(read(CALL_A).unwrap(), msg);
}

#[test]
fn a_reply_with_every_field_is_the_hand_computed_bytes() {
    let mut msg = Message::new(MessageType::Reply, -1, "");
    msg.status = Some(Status::from_code(404));
    msg.meta.append("x", "y");
    msg.body_codec = b'p';
    msg.body = Bytes::from_static(b"\x08\x0a");
    let payload: &[u8] = b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\
        \x10\x02\
        \x22\x1fcode=404&msg=Not%20Found&cause=\
        \x2a\x03x=y\
        \x30p\
        \x3a\x02\x08\x0a";
    assert_eq!(payload.len(), 57);
    assert_eq!(
        &encode(&msg)[..],
        [&b"\x00\x00\x00\x3a\x00"[..], payload].concat()
    );
    assert_eq!(read(payload).unwrap(), msg);
}

#[test]
fn default_values_are_not_written() {
    let msg = Message::new(MessageType::Push, 0, "");
    assert_eq!(&encode(&msg)[5..], b"\x10\x03\x22\x06code=0");
}

#[test]
fn fields_in_any_order_and_unknown_fields_are_read() {
    let payload: &[u8] = b"\x3a\x01b\
        \x48\x96\x01\
        \x52\x03xyz\
        \x30j\
        \x7d\x01\x02\x03\x04\
        \x81\x01\x01\x02\x03\x04\x05\x06\x07\x08\
        \x2a\x03k=v\
        \x1a\x02/m\
        \x10\x01\
        \x08\x07";
    let mut expected = Message::new(MessageType::Call, 7, "/m");
    expected.meta = Meta::from_iter([("k", "v")]);
    expected.body_codec = b'j';
    expected.body = Bytes::from_static(b"b");
    assert_eq!(read(payload).unwrap(), expected);
}

#[test]
fn the_last_of_a_repeated_field_wins() {
    let msg = read(b"\x08\x01\x10\x01\x08\x02\x1a\x01x\x1a\x01y").unwrap();
    assert_eq!((msg.seq, &*msg.service_method), (2, "y"));
}

#[test]
fn only_the_message_type_is_needed() {
    let msg = read(b"\x10\x05").unwrap();
    assert_eq!(msg, Message::new(MessageType::AuthReply, 0, ""));
}

#[test]
fn frames_with_filters_round_trip() {
    for pipe in [&b"g"[..], b"z", b"m", b"c", b"gm", b"cmzg"] {
        let mut msg = Message::new(MessageType::Call, 3, "/f");
        msg.body = Bytes::from_static(b"\x08\x96\x01 body");
        msg.xfer_pipe = XferPipe::from_ids(pipe.to_vec()).unwrap();
        let mut wire = encode(&msg);
        assert_eq!(wire[4] as usize, pipe.len());
        assert_eq!(&wire[5..5 + pipe.len()], pipe);
        assert_eq!(decode(&mut wire).unwrap(), Some(msg));
    }
}

// Bad input: each a typed error, never a panic.

/// The reason of a pbproto document error, or a panic naming what came instead.
fn document_error(payload: &[u8]) -> String {
    support::document_error("pbproto", format_args!("{payload:x?}"), read(payload))
}

#[test]
fn every_prefix_of_a_frame_asks_for_more_and_consumes_nothing() {
    support::assert_every_prefix_asks_for_more(&PbProto::default(), &frame(CALL_A));
}

#[test]
fn a_payload_cut_inside_a_field_is_a_document_error() {
    for cut in 0..CALL_A.len() {
        let payload = &CALL_A[..cut];
        match cut {
            0 | 2 => assert!(
                matches!(read(payload), Err(ProtoError::UnknownMessageType(t)) if t.0 == 0),
                "cut at {cut}: no mtype"
            ),
            4 | 8 => assert_eq!(
                read(payload).unwrap().mtype,
                MessageType::Call,
                "cut at {cut}"
            ),
            _ => {
                document_error(payload);
            }
        }
    }
}

#[test]
fn a_size_of_zero_is_too_small() {
    support::assert_a_zero_size_is_too_small(&PbProto::default());
}

#[test]
fn a_size_claiming_4_gib_is_refused_without_allocating() {
    support::assert_a_4_gib_claim_is_refused_without_allocating(&PbProto::default());
}

#[test]
fn unknown_filter_ids_are_refused() {
    let err = decode(&mut frame_with_pipe(b"Q", CALL_A)).unwrap_err();
    support::assert_unknown_filter(&err, b'Q');
}

#[test]
fn refused_writes_leave_the_buffer_as_it_was() {
    let proto = PbProto::default();
    let mut big = Message::new(MessageType::Call, 2, "/big");
    big.body = vec![7; 4096].into();
    let err = support::assert_write_refused(&proto, &big, 1024);
    assert!(
        matches!(err, ProtoError::FrameTooLarge { limit: 1024, .. }),
        "{err}"
    );
    big.xfer_pipe = XferPipe::from_ids(&b"Q"[..]).unwrap();
    let err = support::assert_write_refused(&proto, &big, DEFAULT_FRAME_LIMIT);
    support::assert_unknown_filter(&err, b'Q');
}

#[test]
fn garbage_is_a_document_error() {
    for garbage in [
        &b"\xff\xff\xff\xff"[..],
        b"\x08",
        b"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
        b"\x1a\x05/a",
        b"\x1a\xff\xff\xff\xff\x0f",
        b"\x0f",
        b"\x0b\x10\x01\x0c",
        b"\x00\x01",
        b"\x10\x01\x7d\x01",
    ] {
        document_error(garbage);
    }
}

#[test]
fn unknown_message_types_are_refused() {
    for (mtype, encoded) in [(0u8, &b"\x10\x00"[..]), (6, b"\x10\x06"), (9, b"\x10\x09")] {
        let err = read(encoded).unwrap_err();
        assert!(
            matches!(err, ProtoError::UnknownMessageType(t) if t.0 == mtype),
            "{err}"
        );
    }
    let reason = document_error(b"\x10\xac\x02");
    assert!(reason.contains("mtype 300"), "{reason}");
    let reason = document_error(b"\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01");
    assert!(reason.contains("mtype -1"), "{reason}");
}

#[test]
fn body_codecs_must_fit_a_byte() {
    let reason = document_error(b"\x10\x01\x30\x80\x02");
    assert!(reason.contains("bodyCodec 256"), "{reason}");
    assert_eq!(read(b"\x10\x01\x30\xff\x01").unwrap().body_codec, 255);
}

#[test]
fn invalid_utf8_in_the_service_method_is_refused() {
    let err = read(b"\x10\x01\x1a\x03/\xff\xfe").unwrap_err();
    support::assert_service_method_not_utf8(&err);
}

#[test]
fn malformed_query_strings_are_refused() {
    support::assert_malformed_queries_refused(
        read(b"\x10\x02\x22\x07code=x1"),
        read(b"\x10\x01\x2a\x05k=%FF"),
    );
}

#[test]
fn a_status_that_reads_as_plain_ok_is_none() {
    for status in [&b""[..], b"code=0", b"code=00", b"x=1"] {
        let payload = [&b"\x10\x02\x22"[..], &[status.len() as u8], status].concat();
        assert_eq!(read(&payload).unwrap().status, None, "{status:?}");
    }
}

// Properties.

// `messages_round_trip_whatever_the_chunks` and `arbitrary_bytes_never_panic`, as jsonproto has
// them: see `support`.
message_properties!(PbProto::default());

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_payloads_in_a_well_sized_frame_never_panic(
        pipe in filter_ids(),
        payload in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let _ = decode(&mut frame_with_pipe(&pipe, &payload));
    }
}
