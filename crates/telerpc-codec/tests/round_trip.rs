//! Every built-in codec gives back what it was given, over the types it speaks.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;

use bytes::BytesMut;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use telerpc_codec::EncodeBody;
use telerpc_codec::{Bincode, Body, Codec, CodecError, Form, Json, Plain, Proto, Protobuf};

/// Encodes `value` under `codec` and decodes the body back.
fn round_trip<T: Body>(codec: &dyn Codec, value: &T) -> Result<T, CodecError> {
    let mut out = BytesMut::new();
    value.encode_body(codec, &mut out)?;
    T::decode_body(codec, out.freeze())
}

fn assert_round_trips<T: Body + PartialEq + Debug>(
    codec: &dyn Codec,
    value: &T,
) -> Result<(), TestCaseError> {
    let back = round_trip(codec, value).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&back, value, "through {}", codec.name());
    Ok(())
}

/// Any finite `f64`, zeros and subnormals included.
fn finite_f64() -> impl Strategy<Value = f64> {
    prop::num::f64::NORMAL | prop::num::f64::SUBNORMAL | prop::num::f64::ZERO
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    label: String,
    weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Record {
    title: String,
    count: i64,
    total: u64,
    small: i8,
    ratio: f64,
    active: bool,
    letter: char,
    tags: Vec<String>,
    scores: Vec<i32>,
    maybe: Option<u16>,
    inner: Inner,
    maybe_inner: Option<Inner>,
    by_name: HashMap<String, i64>,
    by_number: BTreeMap<u32, Vec<bool>>,
}

fn inner() -> impl Strategy<Value = Inner> {
    (any::<String>(), finite_f64()).prop_map(|(label, weight)| Inner { label, weight })
}

prop_compose! {
    fn record()(
        (title, count, total, small, ratio, active, letter) in (
            any::<String>(), any::<i64>(), any::<u64>(), any::<i8>(), finite_f64(), any::<bool>(),
            any::<char>(),
        ),
        tags in prop::collection::vec(any::<String>(), 0..4),
        scores in prop::collection::vec(any::<i32>(), 0..8),
        maybe in any::<Option<u16>>(),
        inner in inner(),
        maybe_inner in prop::option::of(inner()),
        by_name in prop::collection::hash_map(any::<String>(), any::<i64>(), 0..4),
        by_number in prop::collection::btree_map(
            any::<u32>(), prop::collection::vec(any::<bool>(), 0..4), 0..4,
        ),
    ) -> Record {
        Record {
            title, count, total, small, ratio, active, letter, tags, scores, maybe, inner,
            maybe_inner, by_name, by_number,
        }
    }
}

/// A flat struct, the shape a form carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    name: String,
    age: u32,
    balance: i64,
    ratio: f64,
    verified: bool,
    initial: char,
    nickname: Option<String>,
}

prop_compose! {
    fn profile()(
        name in any::<String>(),
        age in any::<u32>(),
        balance in any::<i64>(),
        ratio in finite_f64(),
        verified in any::<bool>(),
        initial in any::<char>(),
        nickname in any::<Option<String>>(),
    ) -> Profile {
        Profile { name, age, balance, ratio, verified, initial, nickname }
    }
}

#[derive(Clone, PartialEq, prost::Message)]
struct Leaf {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(sint64, tag = "2")]
    delta: i64,
}

#[derive(Clone, PartialEq, prost::Message)]
struct Envelope {
    #[prost(int32, tag = "1")]
    a: i32,
    #[prost(uint64, tag = "2")]
    b: u64,
    #[prost(string, tag = "3")]
    text: String,
    #[prost(bytes = "vec", tag = "4")]
    data: Vec<u8>,
    #[prost(bool, tag = "5")]
    flag: bool,
    #[prost(double, tag = "6")]
    ratio: f64,
    #[prost(int32, repeated, tag = "7")]
    values: Vec<i32>,
    #[prost(message, optional, tag = "8")]
    leaf: Option<Leaf>,
    #[prost(map = "string, int64", tag = "9")]
    counts: HashMap<String, i64>,
}

prop_compose! {
    fn envelope()(
        (a, b, text, data, flag, ratio) in (
            any::<i32>(), any::<u64>(), any::<String>(),
            prop::collection::vec(any::<u8>(), 0..32), any::<bool>(), finite_f64(),
        ),
        values in prop::collection::vec(any::<i32>(), 0..8),
        leaf in prop::option::of((any::<String>(), any::<i64>())
            .prop_map(|(name, delta)| Leaf { name, delta })),
        counts in prop::collection::hash_map(any::<String>(), any::<i64>(), 0..4),
    ) -> Envelope {
        Envelope { a, b, text, data, flag, ratio, values, leaf, counts }
    }
}

proptest! {
    #[test]
    fn json_round_trips_records(value in record()) {
        assert_round_trips(&Json, &value)?;
    }

    #[test]
    fn bincode_round_trips_records(value in record()) {
        assert_round_trips(&Bincode, &value)?;
    }

    #[test]
    fn form_round_trips_flat_structs(value in profile()) {
        assert_round_trips(&Form, &value)?;
    }

    #[test]
    fn form_round_trips_maps_of_strings(
        value in prop::collection::btree_map(any::<String>(), any::<String>(), 0..6),
    ) {
        assert_round_trips(&Form, &value)?;
    }

    #[test]
    fn plain_round_trips_scalars(
        text in any::<String>(),
        signed in any::<i64>(),
        unsigned in any::<u64>(),
        wide in any::<i128>(),
        float in finite_f64(),
        single in prop::num::f32::NORMAL | prop::num::f32::SUBNORMAL | prop::num::f32::ZERO,
        flag in any::<bool>(),
        letter in any::<char>(),
        maybe in any::<Option<i64>>(),
    ) {
        assert_round_trips(&Plain, &text)?;
        assert_round_trips(&Plain, &signed)?;
        assert_round_trips(&Plain, &unsigned)?;
        assert_round_trips(&Plain, &wide)?;
        assert_round_trips(&Plain, &float)?;
        assert_round_trips(&Plain, &single)?;
        assert_round_trips(&Plain, &flag)?;
        assert_round_trips(&Plain, &letter)?;
        assert_round_trips(&Plain, &maybe)?;
    }

    #[test]
    fn protobuf_round_trips_messages_as_prost_encodes_them(value in envelope()) {
        let mut out = BytesMut::new();
        Proto(value.clone()).encode_body(&Protobuf, &mut out)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&out[..], &prost::Message::encode_to_vec(&value)[..]);
        assert_round_trips(&Protobuf, &Proto(value))?;
    }
}

#[test]
fn the_serde_codecs_round_trip_the_edges_of_their_types() -> Result<(), CodecError> {
    let extremes = [f64::MIN_POSITIVE, f64::MAX, f64::MIN, -0.0, 5e-324];
    for codec in [&Json as &dyn Codec, &Bincode, &Plain] {
        for value in extremes {
            assert_eq!(
                round_trip(codec, &value)?.to_bits(),
                value.to_bits(),
                "{codec:?}"
            );
        }
        assert_eq!(round_trip(codec, &i64::MIN)?, i64::MIN);
        assert_eq!(round_trip(codec, &u64::MAX)?, u64::MAX);
        assert_eq!(round_trip(codec, &String::new())?, "");
    }
    Ok(())
}
