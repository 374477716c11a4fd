//! Unpacks arbitrary bytes with the Zstd filter; whatever unpacks must
//! survive packing and unpacking again unchanged.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use telerpc_xfer::{Filter, Zstd};

const LIMIT: usize = 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    let filter = Zstd::default();
    let mut unpacked = BytesMut::new();
    if filter.unpack(data, LIMIT, &mut unpacked).is_err() {
        return;
    }
    assert!(unpacked.len() <= LIMIT);
    let mut packed = BytesMut::new();
    filter
        .pack(&unpacked, &mut packed)
        .expect("packing what was just unpacked");
    let mut again = BytesMut::new();
    filter
        .unpack(&packed, LIMIT, &mut again)
        .expect("unpacking what was just packed");
    assert_eq!(again, unpacked);
});
