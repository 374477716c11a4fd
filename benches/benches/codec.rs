//! Body encode and decode through telerpc-codec's public API ([`EncodeBody`] and
//! [`DecodeBody`] with a codec of [`CodecRegistry::standard`]), one codec and one direction per
//! benchmark, named `codec/operation/body`:
//!
//! - `protobuf/*/BenchmarkMessage`: the 581-byte benchmark request as a [`Proto`] body.
//! - `json/*/GetOrders` and `bincode/*/GetOrders`: a small serde struct typical of RPC
//!   arguments (four scalars and a short string).
//!
//! Throughput is in bytes of the encoded body, so the codecs compare per byte too. Encoding
//! appends to a buffer cleared and reused every iteration; decoding takes a shared `Bytes` of
//! the encoded body, as a received message holds it, and drops the decoded value within the
//! timing.

use bytes::{Bytes, BytesMut};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use telerpc_benches::BenchmarkMessage;
use telerpc_codec::{id, Codec, CodecRegistry, DecodeBody, EncodeBody, Proto};

/// The arguments of a typical list call: a few scalars and one string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct GetOrders {
    customer_id: u64,
    status: String,
    limit: u32,
    offset: u32,
    include_archived: bool,
}

impl GetOrders {
    fn sample() -> Self {
        Self {
            customer_id: 42_000_017,
            status: "awaiting-shipment".to_owned(),
            limit: 50,
            offset: 100,
            include_archived: false,
        }
    }
}

/// Benchmarks `encode` and `decode` of `value` under `codec`, in a group named after the codec,
/// with `body` naming the value in the ids. Returns the encoded body's length.
fn encode_decode<T>(c: &mut Criterion, codec: &dyn Codec, body: &str, value: &T) -> usize
where
    T: EncodeBody + DecodeBody + PartialEq + std::fmt::Debug,
{
    let mut out = BytesMut::with_capacity(4096);
    value.encode_body(codec, &mut out).unwrap();
    let encoded: Bytes = out.split().freeze();
    assert_eq!(&T::decode_body(codec, encoded.clone()).unwrap(), value);

    let mut group = c.benchmark_group(codec.name());
    group.throughput(Throughput::Bytes(encoded.len() as u64));
    group.bench_with_input(BenchmarkId::new("encode", body), value, |b, value| {
        b.iter(|| {
            out.clear();
            black_box(value).encode_body(codec, &mut out).unwrap();
            black_box(&out);
        })
    });
    group.bench_with_input(BenchmarkId::new("decode", body), &encoded, |b, encoded| {
        b.iter(|| T::decode_body(codec, black_box(encoded.clone())).unwrap())
    });
    group.finish();
    encoded.len()
}

fn codecs(c: &mut Criterion) {
    let codecs = CodecRegistry::standard();

    let request = Proto(BenchmarkMessage::request());
    let protobuf = codecs.require(id::PROTOBUF).unwrap();
    let len = encode_decode(c, protobuf.as_ref(), "BenchmarkMessage", &request);
    assert_eq!(len, 581);

    let args = GetOrders::sample();
    for codec_id in [id::JSON, id::BINCODE] {
        let codec = codecs.require(codec_id).unwrap();
        encode_decode(c, codec.as_ref(), "GetOrders", &args);
    }
}

criterion_group!(benches, codecs);
criterion_main!(benches);
