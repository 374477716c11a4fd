//! Arbitrary bytes into `RawProto::decode`, frame after frame. A decoded message must encode
//! and decode back to itself, unless escaping lengthens its status or meta past a length field.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telerpc_fuzz::{check_proto_decode, Reencoding};
use telerpc_socket::RawProto;

fuzz_target!(|data: &[u8]| {
    check_proto_decode(&RawProto::default(), Reencoding::MayBeRefused, data);
});
