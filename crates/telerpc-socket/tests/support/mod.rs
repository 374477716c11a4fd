//! What the protocol tests share: strategies for messages and their parts, hand-made frames,
//! and the checks every protocol must pass the same way.

// Each test binary compiles this module for itself and uses a different subset of it.
#![allow(dead_code)]

use std::fmt::{Debug, Display};
use std::ops::Range;

use bytes::{BufMut, BytesMut};
use proptest::prelude::*;
use telerpc_socket::{Message, MessageType, Meta, Proto, ProtoError, Status, DEFAULT_FRAME_LIMIT};
use telerpc_xfer::{XferError, XferPipe};

// Frames.

/// A frame whose size prefix says `size`, around `payload` with the ids of `pipe`.
fn frame_of_size(size: usize, pipe: &[u8], payload: &[u8]) -> BytesMut {
    let mut out = BytesMut::new();
    out.put_u32(size as u32);
    out.put_u8(pipe.len() as u8);
    out.put_slice(pipe);
    out.put_slice(payload);
    out
}

/// A jsonproto or pbproto frame around `payload` with the ids of `pipe`: the size counts the
/// bytes after it.
pub(crate) fn frame_with_pipe(pipe: &[u8], payload: &[u8]) -> BytesMut {
    frame_of_size(1 + pipe.len() + payload.len(), pipe, payload)
}

/// A jsonproto or pbproto frame around `payload` with no filters.
pub(crate) fn frame(payload: &[u8]) -> BytesMut {
    frame_with_pipe(b"", payload)
}

/// A rawproto frame around `payload` with the ids of `pipe`: the size counts its own 4 bytes
/// too.
pub(crate) fn raw_frame_with_pipe(pipe: &[u8], payload: &[u8]) -> BytesMut {
    frame_of_size(4 + 1 + pipe.len() + payload.len(), pipe, payload)
}

/// A rawproto frame around `payload` with no filters.
pub(crate) fn raw_frame(payload: &[u8]) -> BytesMut {
    raw_frame_with_pipe(b"", payload)
}

/// Decodes `frame`, one whole frame, with `proto`; the frame must be consumed.
pub(crate) fn read_whole_frame(
    proto: &dyn Proto,
    mut frame: BytesMut,
) -> Result<Message, ProtoError> {
    let msg = proto
        .decode(&mut frame, DEFAULT_FRAME_LIMIT)?
        .expect("a whole frame");
    assert!(frame.is_empty(), "the frame is consumed");
    Ok(msg)
}

/// The frame `proto` encodes `msg` to.
pub(crate) fn encode_frame(proto: &dyn Proto, msg: &Message) -> BytesMut {
    let mut wire = BytesMut::new();
    proto.encode(msg, DEFAULT_FRAME_LIMIT, &mut wire).unwrap();
    wire
}

/// Feeds `wire`, one frame, to `proto` in chunks ending at `ends` (ascending), decoding after
/// each, and returns the message: it must come only once every byte arrived, and leave nothing
/// behind.
pub(crate) fn decode_in_chunks(
    proto: &dyn Proto,
    wire: &[u8],
    ends: impl IntoIterator<Item = usize>,
) -> Message {
    let mut src = BytesMut::new();
    let mut fed = 0;
    for end in ends {
        src.extend_from_slice(&wire[fed..end]);
        fed = end;
        if let Some(msg) = proto.decode(&mut src, DEFAULT_FRAME_LIMIT).unwrap() {
            assert_eq!(fed, wire.len(), "a message only once every byte arrived");
            assert!(src.is_empty());
            return msg;
        }
        assert!(fed < wire.len(), "no message after {} bytes", wire.len());
    }
    panic!(
        "the chunks end before the {} bytes of the frame",
        wire.len()
    );
}

/// `msg` written by `proto` and read back from chunks of `sizes` bytes, cycled.
pub(crate) fn round_trip_in_chunks(proto: &dyn Proto, msg: &Message, sizes: &[usize]) -> Message {
    let wire = encode_frame(proto, msg);
    decode_in_chunks(proto, &wire, cycled_chunk_ends(sizes, wire.len()))
}

/// The ends of chunks of `sizes` bytes, cycled, cutting a stream of `len` bytes; once at `len`,
/// the ends stay there.
pub(crate) fn cycled_chunk_ends(sizes: &[usize], len: usize) -> impl Iterator<Item = usize> + '_ {
    sizes.iter().cycle().scan(0, move |fed, size| {
        *fed = (*fed + size).min(len);
        Some(*fed)
    })
}

/// Decodes `bytes` with `proto` frame after frame, under a 1 MiB limit, until it errs or needs
/// more.
pub(crate) fn decode_frame_after_frame(proto: &dyn Proto, bytes: &[u8]) {
    let mut src = BytesMut::from(bytes);
    while let Ok(Some(_)) = proto.decode(&mut src, 1 << 20) {}
}

// Checks every protocol passes the same way.

/// Encodes `msg` with `proto` under `limit` into a buffer holding a good frame, and returns the
/// error: the write must be refused and leave the buffer as it was.
pub(crate) fn assert_write_refused(proto: &dyn Proto, msg: &Message, limit: usize) -> ProtoError {
    let mut dst = encode_frame(proto, &Message::new(MessageType::Push, 1, "/ok"));
    let before = dst.clone();
    let err = proto.encode(msg, limit, &mut dst).unwrap_err();
    assert_eq!(dst, before, "a refused write leaves the buffer as it was");
    err
}

/// Asserts that every prefix of `whole` asks `proto` for more and consumes nothing.
pub(crate) fn assert_every_prefix_asks_for_more(proto: &dyn Proto, whole: &[u8]) {
    for cut in 0..whole.len() {
        let mut src = BytesMut::from(&whole[..cut]);
        let decoded = proto.decode(&mut src, DEFAULT_FRAME_LIMIT).unwrap();
        assert!(decoded.is_none(), "prefix of {cut} bytes");
        assert_eq!(&src[..], &whole[..cut], "nothing is consumed");
    }
}

/// Asserts that `proto` refuses a frame of size 0 as too small.
pub(crate) fn assert_a_zero_size_is_too_small(proto: &dyn Proto) {
    let mut src = BytesMut::from(&[0u8, 0, 0, 0, 0][..]);
    assert!(matches!(
        proto.decode(&mut src, DEFAULT_FRAME_LIMIT),
        Err(ProtoError::FrameTooSmall(0))
    ));
}

/// Asserts that `proto` refuses a size prefix of 4 GiB without allocating for it.
pub(crate) fn assert_a_4_gib_claim_is_refused_without_allocating(proto: &dyn Proto) {
    let mut src = BytesMut::with_capacity(16);
    src.put_u32(u32::MAX);
    src.put_u8(0);
    let err = proto.decode(&mut src, DEFAULT_FRAME_LIMIT).unwrap_err();
    assert!(matches!(err, ProtoError::FrameTooLarge { size, .. } if size == u64::from(u32::MAX)));
    assert!(src.capacity() < 1024, "capacity {}", src.capacity());
}

/// Asserts that `err` refuses the filter id `id` as unknown.
pub(crate) fn assert_unknown_filter(err: &ProtoError, id: u8) {
    assert!(
        matches!(err, ProtoError::Xfer(XferError::UnknownFilter(found)) if *found == id),
        "{err}"
    );
}

/// Asserts that `err` refuses a service method that is not UTF-8.
pub(crate) fn assert_service_method_not_utf8(err: &ProtoError) {
    assert!(
        matches!(
            err,
            ProtoError::InvalidUtf8 {
                field: "service method"
            }
        ),
        "{err}"
    );
}

/// Asserts that reading a malformed status query and a malformed meta query were refused, each
/// as such.
pub(crate) fn assert_malformed_queries_refused<T: Debug>(
    bad_status: Result<T, ProtoError>,
    bad_meta: Result<T, ProtoError>,
) {
    let bad_code = bad_status.unwrap_err();
    assert!(matches!(bad_code, ProtoError::Status(_)), "{bad_code}");
    let bad_meta = bad_meta.unwrap_err();
    assert!(matches!(bad_meta, ProtoError::Meta(_)), "{bad_meta}");
}

/// The reason of the document error of protocol `proto` that `read` holds, or a panic naming
/// `input` and what came instead.
pub(crate) fn document_error(
    proto: &str,
    input: impl Display,
    read: Result<Message, ProtoError>,
) -> String {
    match read {
        Err(ProtoError::Document {
            proto: name,
            reason,
        }) if name == proto => reason,
        other => panic!("{input}: {other:?}"),
    }
}

// Strategies.

pub(crate) fn mtype() -> impl Strategy<Value = MessageType> {
    prop_oneof![
        Just(MessageType::Call),
        Just(MessageType::Reply),
        Just(MessageType::Push),
        Just(MessageType::AuthCall),
        Just(MessageType::AuthReply),
    ]
}

/// A status of `code` and `message`, with `cause` if there is one.
pub(crate) fn status_of(code: i32, message: String, cause: Option<String>) -> Status {
    match cause {
        Some(cause) => Status::new(code, message).with_cause(cause),
        None => Status::new(code, message),
    }
}

/// A status, or `None`; a status that reads as plain OK is generated as `None`, which is how
/// it reads back.
pub(crate) fn status() -> impl Strategy<Value = Option<Status>> {
    let code = prop_oneof![Just(0), Just(404), any::<i32>()];
    proptest::option::of(
        (code, "(?s).{0,12}", proptest::option::of("(?s).{0,12}"))
            .prop_map(|(code, message, cause)| status_of(code, message, cause)),
    )
    .prop_map(|status| {
        status.filter(|s| !(s.is_ok() && s.message().is_empty() && s.cause().is_none()))
    })
}

/// Meta pairs; a key is never empty, as a pair with an empty key and value has no query form.
pub(crate) fn meta() -> impl Strategy<Value = Meta> {
    proptest::collection::vec(("(?s).{1,8}", "(?s).{0,12}"), 0..4).prop_map(Meta::from_iter)
}

/// A pipe of built-in filters, as many as `lengths` allows.
pub(crate) fn pipe(lengths: Range<usize>) -> impl Strategy<Value = XferPipe> {
    proptest::collection::vec(
        prop_oneof![Just(b'g'), Just(b'z'), Just(b'm'), Just(b'c')],
        lengths,
    )
    .prop_map(|ids| XferPipe::from_ids(ids).unwrap())
}

/// Up to two filter ids for a hand-made frame, built-in or any byte.
pub(crate) fn filter_ids() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![Just(b'g'), Just(b'z'), Just(b'm'), Just(b'c'), any::<u8>()],
        0..3,
    )
}

prop_compose! {
    pub(crate) fn any_message()(
        seq in any::<i32>(),
        mtype in mtype(),
        service_method in "(?s).{0,24}",
        status in status(),
        meta in meta(),
        body_codec in any::<u8>(),
        body in proptest::collection::vec(any::<u8>(), 0..256),
        xfer_pipe in pipe(0..3),
    ) -> Message {
        Message {
            seq,
            mtype,
            service_method: service_method.into(),
            status,
            meta,
            body_codec,
            body: body.into(),
            xfer_pipe,
        }
    }
}

/// Chunk sizes to cut a byte stream into, cycled: sometimes 1-byte reads throughout.
pub(crate) fn chunk_sizes() -> impl Strategy<Value = Vec<usize>> {
    prop_oneof![Just(vec![1]), proptest::collection::vec(1..=40usize, 1..8)]
}

/// The property tests jsonproto and pbproto share, for `$proto`: every message round-trips
/// whatever the chunks its frame arrives in, and arbitrary bytes never panic the reader.
#[macro_export]
macro_rules! message_properties {
    ($proto:expr) => {
        proptest::proptest! {
            #![proptest_config(proptest::test_runner::Config::with_cases(512))]

            #[test]
            fn messages_round_trip_whatever_the_chunks(
                msg in $crate::support::any_message(),
                sizes in $crate::support::chunk_sizes(),
            ) {
                let decoded = $crate::support::round_trip_in_chunks(&$proto, &msg, &sizes);
                proptest::prop_assert_eq!(decoded, msg);
            }

            #[test]
            fn arbitrary_bytes_never_panic(
                bytes in proptest::collection::vec(proptest::arbitrary::any::<u8>(), 0..512),
            ) {
                $crate::support::decode_frame_after_frame(&$proto, &bytes);
            }
        }
    };
}
