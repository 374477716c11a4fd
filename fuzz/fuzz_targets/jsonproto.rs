//! Arbitrary bytes into `JsonProto::decode`, frame after frame. A decoded message must encode
//! and decode back to itself.
#![no_main]

use bytes::BytesMut;
use libfuzzer_sys::fuzz_target;
use telerpc_socket::{JsonProto, Message, Proto};

const LIMIT: usize = 1 << 20;

/// The limit of the round trip: none, as escaping may make a message's document up to six
/// times longer than the one it was read from.
const ROUND_TRIP_LIMIT: usize = usize::MAX;

fuzz_target!(|data: &[u8]| {
    let proto = JsonProto::default();
    let mut src = BytesMut::from(data);
    while let Ok(Some(msg)) = proto.decode(&mut src, LIMIT) {
        let mut wire = BytesMut::new();
        proto
            .encode(&msg, ROUND_TRIP_LIMIT, &mut wire)
            .expect("a decoded message encodes");
        let again = proto
            .decode(&mut wire, ROUND_TRIP_LIMIT)
            .expect("our own frame decodes")
            .expect("our own frame is whole");
        assert!(wire.is_empty(), "one frame, no trailing bytes");
        assert_eq!(again, writable(&msg));
    }
});

/// `msg` as the wire can carry it: a meta pair with an empty key and an empty value has no
/// query-string form, so it does not survive a round trip.
fn writable(msg: &Message) -> Message {
    Message {
        meta: msg
            .meta
            .iter()
            .filter(|(key, value)| !(key.is_empty() && value.is_empty()))
            .collect(),
        ..msg.clone()
    }
}
