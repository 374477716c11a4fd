//! Hostile or damaged input gives a typed error, never a panic.

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use telerpc_xfer::{Crc32, Filter, FilterRegistry, Md5, XferError, XferPipe};

const LIMIT: usize = 64 * 1024;

fn built_ins() -> Vec<Arc<dyn Filter>> {
    FilterRegistry::default().iter().cloned().collect()
}

fn any_built_in() -> impl Strategy<Value = Arc<dyn Filter>> {
    prop::sample::select(built_ins())
}

/// Garbage, or garbage behind a gzip or zstd magic so decoders get past it.
fn garbage() -> impl Strategy<Value = Vec<u8>> {
    let tail = prop::collection::vec(any::<u8>(), 0..2048);
    prop_oneof![
        tail.clone(),
        tail.clone()
            .prop_map(|t| [&b"\x1f\x8b\x08"[..], &t].concat()),
        tail.prop_map(|t| [&b"\x28\xb5\x2f\xfd"[..], &t].concat()),
    ]
}

/// Unpacks `input`; when that works, packing the output and unpacking that
/// again must give the same output.
fn unpack_and_check_stability(filter: &dyn Filter, input: &[u8]) -> Result<(), TestCaseError> {
    let mut out = BytesMut::new();
    if filter.unpack(input, LIMIT, &mut out).is_ok() {
        prop_assert!(out.len() <= LIMIT);
        let mut repacked = BytesMut::new();
        filter.pack(&out, &mut repacked)?;
        let mut again = BytesMut::new();
        filter.unpack(&repacked, LIMIT, &mut again)?;
        prop_assert_eq!(again, out);
    }
    Ok(())
}

proptest! {
    #[test]
    fn garbage_never_panics(filter in any_built_in(), input in garbage()) {
        unpack_and_check_stability(filter.as_ref(), &input)?;
    }

    #[test]
    fn garbage_never_panics_through_a_pipe(
        ids in prop::collection::vec(prop::sample::select(b"gmzc".to_vec()), 0..4),
        input in garbage(),
    ) {
        let _ = FilterRegistry::default().unpack(&ids, Bytes::from(input), LIMIT);
    }

    #[test]
    fn a_flipped_bit_is_caught_or_harmless(
        filter in any_built_in(),
        payload in prop::collection::vec(any::<u8>(), 0..1024),
        bit in any::<prop::sample::Index>(),
    ) {
        let mut packed = BytesMut::new();
        filter.pack(&payload, &mut packed)?;
        let bit = bit.index(packed.len() * 8);
        packed[bit / 8] ^= 1 << (bit % 8);

        let mut out = BytesMut::new();
        match filter.unpack(&packed, LIMIT, &mut out) {
            // Gzip ignores a few header bits (the modification time, the OS byte).
            Ok(()) => prop_assert_eq!(&out[..], &payload[..]),
            Err(error) => {
                prop_assert!(out.is_empty());
                if matches!(filter.name(), "md5" | "crc32") {
                    let is_mismatch = matches!(error, XferError::ChecksumMismatch { .. });
                    prop_assert!(is_mismatch, "{error:?}");
                }
            }
        }
    }
}

#[test]
fn unknown_id_in_a_pipe() {
    let registry = FilterRegistry::default();
    let error = registry
        .pack(b"gqm", BytesMut::from(&b"x"[..]))
        .unwrap_err();
    assert!(matches!(error, XferError::UnknownFilter(b'q')));
    let error = registry
        .unpack(b"g\x00", Bytes::from_static(b"x"), LIMIT)
        .unwrap_err();
    assert!(matches!(error, XferError::UnknownFilter(0)));
    let error = FilterRegistry::new()
        .unpack(b"g", Bytes::from_static(b"x"), LIMIT)
        .unwrap_err();
    assert!(matches!(error, XferError::UnknownFilter(b'g')));
}

#[test]
fn truncated_checksums() {
    for (filter, trailer_len) in [
        (&Md5::default() as &dyn Filter, Md5::DIGEST_LEN),
        (&Crc32::default(), Crc32::CHECKSUM_LEN),
    ] {
        for len in 0..trailer_len {
            let mut out = BytesMut::new();
            let error = filter.unpack(&vec![0; len], LIMIT, &mut out).unwrap_err();
            assert!(matches!(error, XferError::Truncated { .. }), "{error:?}");
        }
    }
    let registry = FilterRegistry::default();
    let mut packed = registry
        .pack(b"m", BytesMut::from(&b"payload"[..]))
        .unwrap();
    packed.truncate(packed.len() - 1);
    let error = registry.unpack(b"m", packed.freeze(), LIMIT).unwrap_err();
    assert!(matches!(
        error,
        XferError::ChecksumMismatch { filter: "md5" }
    ));
}

#[test]
fn empty_input_to_a_compressor_is_corrupt() {
    for id in [b'g', b'z'] {
        let error = FilterRegistry::default()
            .unpack(&[id], Bytes::new(), LIMIT)
            .unwrap_err();
        assert!(matches!(error, XferError::Corrupt { .. }), "{error:?}");
    }
}

#[test]
fn pipe_of_256_ids() {
    let ids = vec![b'c'; 256];
    assert!(matches!(
        XferPipe::from_ids(ids.clone()),
        Err(XferError::PipeTooLong(256))
    ));
    let registry = FilterRegistry::default();
    assert!(matches!(
        registry.check(&ids),
        Err(XferError::PipeTooLong(256))
    ));
    assert!(matches!(
        registry.pack(&ids, BytesMut::new()),
        Err(XferError::PipeTooLong(256))
    ));
    assert!(matches!(
        registry.unpack(&ids, Bytes::new(), LIMIT),
        Err(XferError::PipeTooLong(256))
    ));
    let packed = registry.pack(&ids[..255], BytesMut::new()).unwrap();
    assert_eq!(packed.len(), 255 * 4);
}
