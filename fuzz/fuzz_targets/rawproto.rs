//! Arbitrary bytes into `RawProto::decode`, frame after frame. A decoded message must encode
//! and decode back to itself.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use telerpc_socket::{Proto, RawProto};

const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let proto = RawProto::default();
    let mut src = BytesMut::from(data);
    while let Ok(Some(msg)) = proto.decode(&mut src, LIMIT) {
        let mut wire = BytesMut::new();
        if proto.encode(&msg, LIMIT, &mut wire).is_ok() {
            let again = proto.decode(&mut wire, LIMIT).expect("our own frame decodes");
            assert_eq!(again.as_ref(), Some(&msg));
        }
    }
});
