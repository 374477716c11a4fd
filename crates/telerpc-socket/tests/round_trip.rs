//! Property: every protocol × every built-in codec × any filter pipe carries a message intact,
//! whatever the chunks the byte stream arrives in (down to 1-byte reads).

mod support;

use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use support::{mtype, pipe};
use telerpc_codec::{id, Body, CodecRegistry, Proto as ProtoBody};
use telerpc_socket::{
    JsonProto, Message, Meta, PbProto, Proto, RawProto, Status, DEFAULT_FRAME_LIMIT,
};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Order {
    id: u64,
    item: String,
    quantity: i32,
    urgent: bool,
    note: Option<String>,
    tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Query {
    name: String,
    page: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbOrder {
    #[prost(uint64, tag = "1")]
    id: u64,
    #[prost(string, tag = "2")]
    item: String,
    #[prost(bytes = "vec", tag = "3")]
    blob: Vec<u8>,
}

/// A body value under one codec: how it encodes, and a check that it decodes back the same.
#[derive(Debug, Clone)]
enum Value {
    Serde(u8, Order),
    Form(Query),
    Plain(String),
    Protobuf(PbOrder),
}

fn encode<T: Body>(codec_id: u8, value: &T) -> (u8, Bytes) {
    let codec = CodecRegistry::standard().require(codec_id).unwrap();
    let mut out = BytesMut::new();
    value.encode_body(codec.as_ref(), &mut out).unwrap();
    (codec_id, out.freeze())
}

fn decode<T: Body>(msg: &Message) -> T {
    msg.body_as(CodecRegistry::standard()).unwrap()
}

impl Value {
    fn encode(&self) -> (u8, Bytes) {
        match self {
            Value::Serde(codec_id, order) => encode(*codec_id, order),
            Value::Form(query) => encode(id::FORM, query),
            Value::Plain(text) => encode(id::PLAIN, text),
            Value::Protobuf(order) => encode(id::PROTOBUF, &ProtoBody(order.clone())),
        }
    }

    fn assert_decodes_from(&self, msg: &Message) {
        match self {
            Value::Serde(_, order) => assert_eq!(&decode::<Order>(msg), order),
            Value::Form(query) => assert_eq!(&decode::<Query>(msg), query),
            Value::Plain(text) => assert_eq!(&decode::<String>(msg), text),
            Value::Protobuf(order) => assert_eq!(&decode::<ProtoBody<PbOrder>>(msg).0, order),
        }
    }
}

fn order() -> impl Strategy<Value = Order> {
    (
        any::<u64>(),
        ".*",
        any::<i32>(),
        any::<bool>(),
        proptest::option::of(".*"),
        proptest::collection::vec("[a-z]{0,8}", 0..4),
    )
        .prop_map(|(id, item, quantity, urgent, note, tags)| Order {
            id,
            item,
            quantity,
            urgent,
            note,
            tags,
        })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        order().prop_map(|o| Value::Serde(id::JSON, o)),
        order().prop_map(|o| Value::Serde(id::BINCODE, o)),
        (".*", any::<u32>()).prop_map(|(name, page)| Value::Form(Query { name, page })),
        ".*".prop_map(Value::Plain),
        (
            any::<u64>(),
            ".*",
            proptest::collection::vec(any::<u8>(), 0..64)
        )
            .prop_map(|(id, item, blob)| Value::Protobuf(PbOrder { id, item, blob })),
    ]
}

fn protocol() -> impl Strategy<Value = Arc<dyn Proto>> {
    prop_oneof![
        Just(Arc::new(RawProto::default()) as Arc<dyn Proto>),
        Just(Arc::new(JsonProto::default()) as Arc<dyn Proto>),
        Just(Arc::new(PbProto::default()) as Arc<dyn Proto>),
    ]
}

fn status() -> impl Strategy<Value = Option<Status>> {
    proptest::option::of(
        (
            any::<i32>().prop_filter("OK is None", |c| *c != 0),
            ".*",
            proptest::option::of(".*"),
        )
            .prop_map(|(code, msg, cause)| support::status_of(code, msg, cause)),
    )
}

fn meta() -> impl Strategy<Value = Meta> {
    proptest::collection::vec(("[^&=]{1,8}", ".{0,12}"), 0..4).prop_map(Meta::from_iter)
}

/// The ends of the chunks that `cuts` (taken modulo `len + 1`) cut a stream of `len` bytes
/// into, ascending; the last is `len`.
fn chunk_ends_at(cuts: &[usize], len: usize) -> Vec<usize> {
    let mut ends: Vec<usize> = cuts.iter().map(|c| c % (len + 1)).collect();
    ends.push(len);
    ends.sort_unstable();
    ends
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_protocol_codec_and_pipe_carries_messages_intact(
        proto in protocol(),
        value in value(),
        pipe in pipe(0..4),
        seq in any::<i32>(),
        mtype in mtype(),
        service_method in "[a-zA-Z0-9/._é]{0,40}",
        status in status(),
        meta in meta(),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
        one_byte_reads in any::<bool>(),
    ) {
        let (body_codec, body) = value.encode();
        let msg = Message {
            status,
            meta,
            body_codec,
            body,
            xfer_pipe: pipe,
            ..Message::new(mtype, seq, service_method)
        };
        let mut wire = BytesMut::new();
        proto.encode(&msg, DEFAULT_FRAME_LIMIT, &mut wire).unwrap();
        let cuts: Vec<usize> = if one_byte_reads { (0..wire.len()).collect() } else { cuts };
        let read = support::decode_in_chunks(proto.as_ref(), &wire, chunk_ends_at(&cuts, wire.len()));
        prop_assert_eq!(&read, &msg);
        value.assert_decodes_from(&read);
    }
}
