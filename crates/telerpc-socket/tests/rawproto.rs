//! rawproto against bad input: every malformed frame is a typed error, never a panic, a hang or
//! an allocation sized by the peer; every refused write leaves the output buffer as it was.

mod support;

use bytes::{BufMut, Bytes, BytesMut};
use proptest::prelude::*;
use support::{filter_ids, raw_frame, raw_frame_with_pipe};
use telerpc_socket::{
    code, Message, MessageType, Meta, Proto, ProtoError, RawProto, Status, DEFAULT_FRAME_LIMIT,
};
use telerpc_xfer::{XferError, XferPipe};

/// A payload with these fields, written raw so that any of them can be wrong.
fn payload(seq: &[u8], mtype: u8, method: &[u8], status: &[u8], meta: &[u8]) -> Vec<u8> {
    let mut out = vec![seq.len() as u8];
    out.extend_from_slice(seq);
    out.push(mtype);
    out.push(method.len() as u8);
    out.extend_from_slice(method);
    out.extend_from_slice(&(status.len() as u16).to_be_bytes());
    out.extend_from_slice(status);
    out.extend_from_slice(&(meta.len() as u16).to_be_bytes());
    out.extend_from_slice(meta);
    out.push(b'j');
    out
}

fn good_payload() -> Vec<u8> {
    payload(b"1", 1, b"/a", b"code=0", b"")
}

fn decode(src: &mut BytesMut) -> Result<Option<Message>, ProtoError> {
    RawProto::default().decode(src, DEFAULT_FRAME_LIMIT)
}

#[test]
fn a_good_hand_made_frame_decodes() {
    let msg = decode(&mut raw_frame(&good_payload())).unwrap().unwrap();
    assert_eq!(
        (msg.seq, msg.mtype, &*msg.service_method),
        (1, MessageType::Call, "/a")
    );
}

#[test]
fn every_prefix_of_a_frame_asks_for_more() {
    let whole = raw_frame(&good_payload());
    for cut in 0..whole.len() {
        let mut src = BytesMut::from(&whole[..cut]);
        assert!(decode(&mut src).unwrap().is_none(), "prefix of {cut} bytes");
        assert_eq!(src.len(), cut, "nothing is consumed");
    }
}

#[test]
fn sizes_below_the_minimum_are_refused() {
    for size in 0..5u32 {
        let mut src = BytesMut::from(&size.to_be_bytes()[..]);
        src.put_slice(&[0; 8]);
        assert!(
            matches!(decode(&mut src), Err(ProtoError::FrameTooSmall(s)) if s == size),
            "size {size}"
        );
    }
}

#[test]
fn a_size_claiming_4_gib_is_refused_without_allocating() {
    support::assert_a_4_gib_claim_is_refused_without_allocating(&RawProto::default());
}

#[test]
fn a_frame_over_a_configured_limit_is_refused_before_buffering() {
    let mut src = BytesMut::new();
    src.put_u32(1025);
    let err = RawProto::default().decode(&mut src, 1024).unwrap_err();
    assert!(matches!(
        err,
        ProtoError::FrameTooLarge {
            size: 1025,
            limit: 1024
        }
    ));
}

#[test]
fn truncated_fields_inside_a_frame_are_refused() {
    let whole = good_payload();
    for cut in 0..whole.len() {
        let err = decode(&mut raw_frame(&whole[..cut])).unwrap_err();
        assert!(
            matches!(err, ProtoError::Truncated { .. }),
            "cut at {cut}: {err}"
        );
    }
}

#[test]
fn inner_lengths_that_overrun_the_frame_are_refused() {
    let mut overruns = Vec::new();
    overruns.push([&[200u8][..], b"1"].concat());
    let mut long_method = good_payload();
    long_method[3] = 255;
    overruns.push(long_method);
    let mut long_status = payload(b"1", 1, b"/a", b"code=0", b"");
    long_status[6..8].copy_from_slice(&u16::MAX.to_be_bytes());
    overruns.push(long_status);
    let mut long_meta = payload(b"1", 1, b"/a", b"code=0", b"");
    long_meta[14..16].copy_from_slice(&u16::MAX.to_be_bytes());
    overruns.push(long_meta);
    let mut long_pipe = raw_frame(b"");
    long_pipe[4] = 9;
    assert!(matches!(
        decode(&mut long_pipe),
        Err(ProtoError::Truncated { .. })
    ));
    for bad in overruns {
        let err = decode(&mut raw_frame(&bad)).unwrap_err();
        assert!(
            matches!(err, ProtoError::Truncated { .. }),
            "{bad:?}: {err}"
        );
    }
}

#[test]
fn unknown_message_types_are_refused() {
    for mtype in [0u8, 6, 9, 255] {
        let err = decode(&mut raw_frame(&payload(b"1", mtype, b"/a", b"code=0", b""))).unwrap_err();
        assert!(
            matches!(err, ProtoError::UnknownMessageType(t) if t.0 == mtype),
            "{err}"
        );
    }
}

#[test]
fn unknown_filter_ids_are_refused() {
    let err = decode(&mut raw_frame_with_pipe(b"Q", &good_payload())).unwrap_err();
    support::assert_unknown_filter(&err, b'Q');
}

#[test]
fn invalid_base36_seqs_are_refused() {
    for seq in [&b""[..], b"!", b"1.5", b"zzzzzzz", b"-"] {
        let err = decode(&mut raw_frame(&payload(seq, 1, b"/a", b"code=0", b""))).unwrap_err();
        assert!(matches!(err, ProtoError::InvalidSeq(_)), "{seq:?}: {err}");
    }
}

#[test]
fn invalid_utf8_in_the_service_method_is_refused() {
    let bad_method = payload(b"1", 1, b"/\xff\xfe", b"code=0", b"");
    let err = decode(&mut raw_frame(&bad_method)).unwrap_err();
    support::assert_service_method_not_utf8(&err);
}

#[test]
fn malformed_query_strings_are_refused() {
    let bad_code = payload(b"1", 2, b"", b"code=x1", b"");
    let bad_meta = payload(b"1", 1, b"/a", b"code=0", b"k=%FF");
    support::assert_malformed_queries_refused(
        decode(&mut raw_frame(&bad_code)),
        decode(&mut raw_frame(&bad_meta)),
    );
}

fn encode(msg: &Message, limit: usize, dst: &mut BytesMut) -> Result<(), ProtoError> {
    RawProto::default().encode(msg, limit, dst)
}

/// Encodes a refused message after a good one and checks the good one is intact.
fn assert_refused(msg: &Message, limit: usize) -> ProtoError {
    let err = support::assert_write_refused(&RawProto::default(), msg, limit);
    assert_eq!(err.write_status().code(), code::WRITE_FAILED);
    err
}

#[test]
fn fields_too_long_for_their_length_are_refused_not_truncated() {
    let long_method = Message::new(MessageType::Call, 1, "/".repeat(256));
    assert!(matches!(
        assert_refused(&long_method, DEFAULT_FRAME_LIMIT),
        ProtoError::FieldTooLong {
            field: "service method",
            len: 256,
            max: 255
        }
    ));
    let mut long_meta = Message::new(MessageType::Call, 1, "/a");
    long_meta.meta = Meta::from_iter([("k", "v".repeat(65534))]);
    assert!(matches!(
        assert_refused(&long_meta, DEFAULT_FRAME_LIMIT),
        ProtoError::FieldTooLong { field: "meta", .. }
    ));
    let mut long_status = Message::new(MessageType::Reply, 1, "");
    long_status.status = Some(Status::new(1, "%".repeat(30_000)));
    assert!(matches!(
        assert_refused(&long_status, DEFAULT_FRAME_LIMIT),
        ProtoError::FieldTooLong {
            field: "status",
            ..
        }
    ));
}

#[test]
fn fields_at_their_maximum_length_are_written() {
    let mut msg = Message::new(MessageType::Call, 1, "m".repeat(255));
    msg.meta = Meta::from_iter([("k", "v".repeat(65533))]);
    let mut dst = BytesMut::new();
    encode(&msg, DEFAULT_FRAME_LIMIT, &mut dst).unwrap();
    assert_eq!(decode(&mut dst).unwrap().unwrap(), msg);
}

#[test]
fn a_write_over_the_limit_is_refused_with_status_104() {
    let mut msg = Message::new(MessageType::Call, 1, "/big");
    msg.body = Bytes::from(vec![7; 2048]);
    assert!(matches!(
        assert_refused(&msg, 1024),
        ProtoError::FrameTooLarge { limit: 1024, .. }
    ));
}

#[test]
fn a_write_with_an_unknown_filter_is_refused() {
    let mut msg = Message::new(MessageType::Call, 1, "/a");
    msg.xfer_pipe = XferPipe::from_ids(&b"Q"[..]).unwrap();
    assert!(matches!(
        assert_refused(&msg, DEFAULT_FRAME_LIMIT),
        ProtoError::Xfer(XferError::UnknownFilter(b'Q'))
    ));
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        support::decode_frame_after_frame(&RawProto::default(), &bytes);
    }

    #[test]
    fn arbitrary_payloads_in_a_well_sized_frame_never_panic(
        pipe in filter_ids(),
        body in proptest::collection::vec(any::<u8>(), 0..256),
    ) {
        let _ = decode(&mut raw_frame_with_pipe(&pipe, &body));
    }
}
