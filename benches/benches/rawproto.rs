//! The benchmark request through rawproto and the protobuf codec: the whole round trip (encode
//! the body, frame the message, read the frame back, decode the body), then its two halves.

use bytes::BytesMut;
use criterion::{criterion_group, criterion_main, Criterion};
use telerpc_benches::BenchmarkMessage;
use telerpc_codec::{id, CodecRegistry, Proto as ProtoBody};
use telerpc_socket::{Message, MessageType, Proto, RawProto, DEFAULT_FRAME_LIMIT};

fn rawproto_round_trip(c: &mut Criterion) {
    let codecs = CodecRegistry::standard();
    let proto = RawProto::default();
    let request = ProtoBody(BenchmarkMessage::request());
    let mut wire = BytesMut::with_capacity(4096);

    c.bench_function(
        "round trip: protobuf body + rawproto frame (610 bytes)",
        |b| {
            b.iter(|| {
                let mut call = Message::new(MessageType::Call, 1, "Hello.Say");
                call.set_body(codecs, id::PROTOBUF, &request).unwrap();
                proto.encode(&call, DEFAULT_FRAME_LIMIT, &mut wire).unwrap();
                let read = proto
                    .decode(&mut wire, DEFAULT_FRAME_LIMIT)
                    .unwrap()
                    .unwrap();
                let body: ProtoBody<BenchmarkMessage> = read.body_as(codecs).unwrap();
                assert_eq!(body.0.field2, 100_000);
            })
        },
    );

    let mut call = Message::new(MessageType::Call, 1, "Hello.Say");
    call.set_body(codecs, id::PROTOBUF, &request).unwrap();
    c.bench_function("rawproto frame only: encode + decode (610 bytes)", |b| {
        b.iter(|| {
            proto.encode(&call, DEFAULT_FRAME_LIMIT, &mut wire).unwrap();
            let read = proto
                .decode(&mut wire, DEFAULT_FRAME_LIMIT)
                .unwrap()
                .unwrap();
            assert_eq!(read.body.len(), 581);
        })
    });

    c.bench_function("protobuf body only: encode + decode (581 bytes)", |b| {
        b.iter(|| {
            let mut body = Message::new(MessageType::Call, 1, "Hello.Say");
            body.set_body(codecs, id::PROTOBUF, &request).unwrap();
            let decoded: ProtoBody<BenchmarkMessage> = body.body_as(codecs).unwrap();
            assert_eq!(decoded.0.field2, 100_000);
        })
    });
}

criterion_group!(benches, rawproto_round_trip);
criterion_main!(benches);
