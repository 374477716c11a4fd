//! The checks the fuzz targets share: each target hands libFuzzer's input to one of them, with
//! the filter or protocol it fuzzes.

use bytes::BytesMut;
use telerpc_socket::Proto;
use telerpc_xfer::Filter;

/// The most a filter may unpack, or a protocol may read, from one fuzz input: 1 MiB.
const INPUT_LIMIT: usize = 1 << 20;

/// The limit when a protocol writes and reads back a message it decoded: none, as escaping may
/// make a message's frame several times longer than the one it was read from (a jsonproto
/// document up to six times, a query-string status or meta up to three).
const ROUND_TRIP_LIMIT: usize = usize::MAX;

/// Unpacks `data` with `filter` under a 1 MiB limit. Whatever unpacks must fit the limit, pack,
/// and unpack again to the same bytes.
pub fn check_filter_unpack(filter: &impl Filter, data: &[u8]) {
    let mut unpacked = BytesMut::new();
    if filter.unpack(data, INPUT_LIMIT, &mut unpacked).is_err() {
        return;
    }
    assert!(unpacked.len() <= INPUT_LIMIT);
    let mut packed = BytesMut::new();
    filter
        .pack(&unpacked, &mut packed)
        .expect("packing what was just unpacked");
    let mut again = BytesMut::new();
    filter
        .unpack(&packed, INPUT_LIMIT, &mut again)
        .expect("unpacking what was just packed");
    assert_eq!(again, unpacked);
}

/// Whether a protocol may refuse to encode a message it decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reencoding {
    /// Every decoded message must encode: no field of the protocol has a length limit.
    Required,
    /// A decoded message may be refused: escaping may lengthen its status or meta past the
    /// length field (rawproto's u16 lengths).
    MayBeRefused,
}

/// Decodes `data` with `proto` frame after frame under a 1 MiB limit. Every decoded message
/// must encode (unless `reencoding` lets it be refused) to exactly one frame that decodes back
/// to the same message.
pub fn check_proto_decode(proto: &impl Proto, reencoding: Reencoding, data: &[u8]) {
    let mut src = BytesMut::from(data);
    while let Ok(Some(msg)) = proto.decode(&mut src, INPUT_LIMIT) {
        let mut wire = BytesMut::new();
        match proto.encode(&msg, ROUND_TRIP_LIMIT, &mut wire) {
            Ok(()) => {}
            Err(_) if reencoding == Reencoding::MayBeRefused => continue,
            Err(err) => panic!("a decoded message encodes: {err}"),
        }
        let again = proto
            .decode(&mut wire, ROUND_TRIP_LIMIT)
            .expect("our own frame decodes")
            .expect("our own frame is whole");
        assert!(wire.is_empty(), "one frame, no trailing bytes");
        assert_eq!(again, msg);
    }
}
