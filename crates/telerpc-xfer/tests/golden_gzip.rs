//! The gzip filter against a frame written by Go eRPC v6 (`gzip.Reg('g', "gzip-5", 5)`).

use bytes::{Bytes, BytesMut};
use telerpc_xfer::{Filter, FilterRegistry, Gzip, XferError};

/// A rawproto CALL `/math/add` `[1,2,3]`, seq 1, JSON, meta `author=henrylee2cn`,
/// xfer pipe `['g']`, as eRPC v6 (Go 1.19.8) wrote it.
const FRAME: &[u8] = include_bytes!("data/e_call_math_add_gzip.bin");

/// Where the gzip member starts: after size (4), xfer count (1) and the id (1).
const MEMBER_AT: usize = 6;

/// The payload inside the gzip member, field by field.
const PAYLOAD: &[u8] =
    b"\x01\x31\x01\x09/math/add\x00\x06code=0\x00\x12author=henrylee2cn\x6a[1,2,3]";

#[test]
fn fixture_is_the_expected_frame() {
    assert_eq!(FRAME.len(), 79);
    assert_eq!(&FRAME[..MEMBER_AT], b"\x00\x00\x00\x4f\x01g");
    assert_eq!(PAYLOAD.len(), 49);
}

#[test]
fn unpacks_gos_gzip_member() {
    let mut out = BytesMut::new();
    Gzip::default()
        .unpack(&FRAME[MEMBER_AT..], PAYLOAD.len(), &mut out)
        .unwrap();
    assert_eq!(&out[..], PAYLOAD);
}

#[test]
fn registry_unpacks_the_frames_pipe() {
    let registry = FilterRegistry::default();
    let pipe = &FRAME[5..MEMBER_AT];
    let payload = Bytes::from_static(&FRAME[MEMBER_AT..]);
    assert_eq!(
        &registry.unpack(pipe, payload, 1 << 20).unwrap()[..],
        PAYLOAD
    );
}

#[test]
fn limit_one_below_the_payload_is_exceeded() {
    let mut out = BytesMut::new();
    let error = Gzip::default()
        .unpack(&FRAME[MEMBER_AT..], PAYLOAD.len() - 1, &mut out)
        .unwrap_err();
    assert!(matches!(
        error,
        XferError::LimitExceeded {
            filter: "gzip-5",
            limit: 48
        }
    ));
}

#[test]
fn packs_the_same_header_and_trailer_as_go() {
    let member = &FRAME[MEMBER_AT..];
    let packed = FilterRegistry::default()
        .pack(b"g", BytesMut::from(PAYLOAD))
        .unwrap();
    assert_eq!(&packed[..10], &member[..10], "header");
    assert_eq!(
        &packed[packed.len() - 8..],
        &member[member.len() - 8..],
        "CRC-32 and size"
    );
    let mut out = BytesMut::new();
    Gzip::default()
        .unpack(&packed, PAYLOAD.len(), &mut out)
        .unwrap();
    assert_eq!(&out[..], PAYLOAD);
}
