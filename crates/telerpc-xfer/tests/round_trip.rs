//! `unpack(pack(x)) == x` for random payloads through random pipes of built-ins.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use telerpc_xfer::{FilterRegistry, XferError, XferPipe};

/// Room the packed forms of the filters in a pipe of up to 4 ids may add:
/// every intermediate stage of unpacking must fit the limit too.
const OVERHEAD_ALLOWANCE: usize = 4 * 64;

/// Random bytes (incompressible) or a repeated snippet (compressible).
fn payload() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..4096),
        (prop::collection::vec(any::<u8>(), 1..16), 1..1000_usize)
            .prop_map(|(snippet, times)| snippet.repeat(times)),
    ]
}

/// 1 to 4 built-in ids, repeats allowed.
fn pipe() -> impl Strategy<Value = XferPipe> {
    prop::collection::vec(prop::sample::select(b"gmzc".to_vec()), 1..=4)
        .prop_map(|ids| XferPipe::from_ids(ids).unwrap())
}

fn built_in() -> impl Strategy<Value = u8> {
    prop::sample::select(b"gmzc".to_vec())
}

proptest! {
    #[test]
    fn unpack_undoes_pack_through_any_pipe(payload in payload(), pipe in pipe()) {
        let registry = FilterRegistry::default();
        let packed = registry.pack(pipe.ids(), BytesMut::from(&payload[..]))?;
        let limit = payload.len() + OVERHEAD_ALLOWANCE;
        let unpacked = registry.unpack(pipe.ids(), packed.freeze(), limit)?;
        prop_assert_eq!(&unpacked[..], &payload[..]);
    }

    #[test]
    fn each_filter_round_trips_at_an_exact_limit(payload in payload(), id in built_in()) {
        let registry = FilterRegistry::default();
        let filter = registry.get(id).unwrap();
        let mut packed = BytesMut::new();
        filter.pack(&payload, &mut packed)?;

        let mut out = BytesMut::from(&b"prefix:"[..]);
        filter.unpack(&packed, payload.len(), &mut out)?;
        prop_assert_eq!(&out[..7], b"prefix:");
        prop_assert_eq!(&out[7..], &payload[..]);

        if let Some(too_small) = payload.len().checked_sub(1) {
            let mut out = BytesMut::new();
            let error = filter.unpack(&packed, too_small, &mut out).unwrap_err();
            let is_limit = matches!(error, XferError::LimitExceeded { limit, .. } if limit == too_small);
            prop_assert!(is_limit, "{error:?}");
            prop_assert!(out.is_empty());
        }
    }
}

#[test]
fn empty_payload_survives_every_built_in() {
    let registry = FilterRegistry::default();
    let packed = registry.pack(b"gmzc", BytesMut::new()).unwrap();
    assert!(!packed.is_empty());
    let unpacked = registry.unpack(b"gmzc", packed.freeze(), 64).unwrap();
    assert_eq!(unpacked, Bytes::new());
}
