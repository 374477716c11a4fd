//! Arbitrary bytes into the meta and status query-string readers. What reads must write and
//! read back the same.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use telerpc_socket::{Meta, Status};

fuzz_target!(|data: &[u8]| {
    if let Ok(meta) = Meta::parse_query(data) {
        let mut out = BytesMut::new();
        meta.encode_query(&mut out);
        assert_eq!(out.len(), meta.query_len());
        let again = Meta::parse_query(&out).expect("our own meta reads");
        assert_eq!(again, meta);
    }
    if let Ok(status) = Status::parse_query(data) {
        let mut out = BytesMut::new();
        status.encode_query(&mut out);
        assert_eq!(out.len(), status.query_len());
        assert_eq!(
            Status::parse_query(&out).expect("our own status reads"),
            status
        );
    }
});
