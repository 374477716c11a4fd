//! A pipe lists ids outer-most first: pack applies them last-to-first,
//! unpack first-to-last, as eRPC does.

use bytes::{Bytes, BytesMut};
use telerpc_xfer::{Crc32, Filter, FilterRegistry, Gzip, Md5, XferError};

const PAYLOAD: &[u8] = b"the payload the payload the payload";

fn packed_by(filter: &dyn Filter, input: &[u8]) -> BytesMut {
    let mut out = BytesMut::new();
    filter.pack(input, &mut out).unwrap();
    out
}

#[test]
fn pack_applies_the_last_id_first() {
    let registry = FilterRegistry::default();
    let packed = registry.pack(b"cm", BytesMut::from(PAYLOAD)).unwrap();

    let inner = packed_by(&Md5::default(), PAYLOAD);
    let (body, crc) = packed.split_at(packed.len() - 4);
    assert_eq!(body, &inner[..], "md5 was applied first, inside");
    assert_eq!(
        crc,
        crc32fast::hash(&inner).to_be_bytes(),
        "crc32 is the outer layer"
    );
    assert_eq!(&packed[..], &packed_by(&Crc32::default(), &inner)[..]);
}

#[test]
fn outer_compression_wraps_the_inner_checksum() {
    let registry = FilterRegistry::default();
    let packed = registry.pack(b"gm", BytesMut::from(PAYLOAD)).unwrap();
    assert_eq!(&packed[..2], b"\x1f\x8b", "gzip is the outer layer");

    let mut md5_packed = BytesMut::new();
    Gzip::default()
        .unpack(&packed, 1 << 10, &mut md5_packed)
        .unwrap();
    assert_eq!(&md5_packed[..], &packed_by(&Md5::default(), PAYLOAD)[..]);
}

#[test]
fn unpack_applies_the_first_id_first() {
    let registry = FilterRegistry::default();
    let packed = registry
        .pack(b"cm", BytesMut::from(PAYLOAD))
        .unwrap()
        .freeze();
    assert_eq!(
        &registry.unpack(b"cm", packed.clone(), 1 << 10).unwrap()[..],
        PAYLOAD
    );

    let error = registry.unpack(b"mc", packed, 1 << 10).unwrap_err();
    assert!(
        matches!(error, XferError::ChecksumMismatch { filter: "md5" }),
        "{error:?}"
    );
}

#[test]
fn repeated_ids_apply_repeatedly() {
    let registry = FilterRegistry::default();
    let packed = registry.pack(b"mm", BytesMut::from(PAYLOAD)).unwrap();
    assert_eq!(packed.len(), PAYLOAD.len() + 32);
    let once = registry
        .unpack(b"m", packed.clone().freeze(), 1 << 10)
        .unwrap();
    assert_eq!(once.len(), PAYLOAD.len() + 16);
    let twice = registry.unpack(b"mm", packed.freeze(), 1 << 10).unwrap();
    assert_eq!(twice, Bytes::from_static(PAYLOAD));
}
