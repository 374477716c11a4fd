//! Arbitrary bytes into `PbProto::decode`, frame after frame. A decoded message must encode
//! and decode back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telerpc_fuzz::{check_proto_decode, Reencoding};
use telerpc_socket::PbProto;

fuzz_target!(|data: &[u8]| {
    check_proto_decode(&PbProto::default(), Reencoding::Required, data);
});
