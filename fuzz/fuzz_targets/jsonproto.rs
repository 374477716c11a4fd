//! Arbitrary bytes into `JsonProto::decode`, frame after frame. A decoded message must encode
//! and decode back to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;
use telerpc_fuzz::{check_proto_decode, Reencoding};
use telerpc_socket::JsonProto;

fuzz_target!(|data: &[u8]| {
    check_proto_decode(&JsonProto::default(), Reencoding::Required, data);
});
