//! Bytes that are not a valid body give `Ok` or a typed error from every codec: no panic, no
//! unbounded allocation, no unbounded recursion.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use support::PbTest;
use telerpc_codec::{id, Bincode, Body, Codec, CodecError, CodecRegistry, Dual, Json, Proto};
use telerpc_codec::{DecodeBody, EncodeBody};

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Order {
    item: String,
    quantity: u32,
    price: f64,
    express: bool,
    notes: Vec<String>,
    coupon: Option<String>,
    extras: HashMap<String, i64>,
}

/// Which family of body a target type is.
#[derive(Clone, Copy)]
enum Family {
    Serde,
    Protobuf,
    Both,
}

impl Family {
    fn spoken_by(self, codec: &dyn Codec) -> bool {
        match self {
            Family::Serde => codec.id() != id::PROTOBUF,
            Family::Protobuf => codec.id() == id::PROTOBUF,
            Family::Both => true,
        }
    }
}

/// Decodes `body` as `T` under `codec` and checks the outcome is `Ok`, a `Decode` error from this
/// codec, or `Unsupported` exactly when the codec does not speak `T`'s family.
fn assert_typed_outcome<T: Body>(
    codec: &dyn Codec,
    family: Family,
    body: &[u8],
) -> Result<(), TestCaseError> {
    let outcome = T::decode_body(codec, Bytes::copy_from_slice(body));
    let target = std::any::type_name::<T>();
    if family.spoken_by(codec) {
        match outcome {
            Ok(_) => {}
            Err(CodecError::Decode { codec: name, .. }) => prop_assert_eq!(name, codec.name()),
            Err(other) => {
                return Err(TestCaseError::fail(format!(
                    "{} as {target}: not a decode error: {other}",
                    codec.name()
                )))
            }
        }
    } else {
        prop_assert!(
            matches!(outcome, Err(CodecError::Unsupported { .. })),
            "{} as {}: expected Unsupported",
            codec.name(),
            target
        );
    }
    Ok(())
}

fn assert_every_target_is_typed(codec: &dyn Codec, body: &[u8]) -> Result<(), TestCaseError> {
    assert_typed_outcome::<Order>(codec, Family::Serde, body)?;
    assert_typed_outcome::<String>(codec, Family::Serde, body)?;
    assert_typed_outcome::<i64>(codec, Family::Serde, body)?;
    assert_typed_outcome::<f64>(codec, Family::Serde, body)?;
    assert_typed_outcome::<bool>(codec, Family::Serde, body)?;
    assert_typed_outcome::<Option<String>>(codec, Family::Serde, body)?;
    assert_typed_outcome::<Vec<u64>>(codec, Family::Serde, body)?;
    assert_typed_outcome::<HashMap<String, String>>(codec, Family::Serde, body)?;
    assert_typed_outcome::<serde_json::Value>(codec, Family::Serde, body)?;
    assert_typed_outcome::<()>(codec, Family::Serde, body)?;
    assert_typed_outcome::<Proto<PbTest>>(codec, Family::Protobuf, body)?;
    assert_typed_outcome::<Dual<PbTest>>(codec, Family::Both, body)?;
    Ok(())
}

/// A valid body under `codec` for the mutation test: an `Order` where the codec can carry one,
/// else a `PbTest`, else (plain) a number.
fn valid_body(codec: &dyn Codec) -> Vec<u8> {
    let order = Order {
        item: "tea".into(),
        quantity: 300,
        price: 2.5,
        express: true,
        notes: vec!["green".into(), "hot".into()],
        coupon: Some("X1".into()),
        extras: HashMap::from([("cups".into(), 2)]),
    };
    let mut out = BytesMut::new();
    let encoded = match codec.id() {
        id::PLAIN => 12345i64.encode_body(codec, &mut out),
        id::FORM | id::PROTOBUF => Dual(PbTest { a: -5, b: 300 }).encode_body(codec, &mut out),
        _ => order.encode_body(codec, &mut out),
    };
    encoded.unwrap_or_else(|e| panic!("no valid body for {}: {e}", codec.name()));
    out.to_vec()
}

proptest! {
    #[test]
    fn arbitrary_bytes_give_a_value_or_a_typed_error(
        body in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        for codec in CodecRegistry::standard().iter() {
            assert_every_target_is_typed(codec.as_ref(), &body)?;
        }
    }

    #[test]
    fn mutated_valid_bodies_give_a_value_or_a_typed_error(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
        cut in any::<prop::sample::Index>(),
    ) {
        for codec in CodecRegistry::standard().iter() {
            let mut body = valid_body(codec.as_ref());
            for (at, byte) in &flips {
                let at = at.index(body.len());
                body[at] = *byte;
            }
            assert_every_target_is_typed(codec.as_ref(), &body)?;
            body.truncate(cut.index(body.len() + 1));
            assert_every_target_is_typed(codec.as_ref(), &body)?;
        }
    }
}

/// A bincode body that claims 2^60 elements (a `u64` varint: marker 253, then 8 bytes) and then
/// ends, or carries only a few bytes.
fn claims_two_to_the_sixty(tail: &[u8]) -> Bytes {
    let mut body = vec![253];
    body.extend_from_slice(&(1u64 << 60).to_le_bytes());
    body.extend_from_slice(tail);
    body.into()
}

fn assert_fails_fast<T: Body + std::fmt::Debug>(body: Bytes) {
    let started = Instant::now();
    let error = T::decode_body(&Bincode, body).unwrap_err();
    assert!(
        matches!(
            error,
            CodecError::Decode {
                codec: "bincode",
                ..
            }
        ),
        "{error}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{} took {:?}",
        std::any::type_name::<T>(),
        started.elapsed()
    );
}

#[test]
fn a_bincode_length_of_two_to_the_sixty_fails_fast_without_allocating() {
    for tail in [&[][..], &[1, 2, 3, 4, 5, 6, 7, 8]] {
        assert_fails_fast::<Vec<u64>>(claims_two_to_the_sixty(tail));
        assert_fails_fast::<Vec<u8>>(claims_two_to_the_sixty(tail));
        assert_fails_fast::<Vec<String>>(claims_two_to_the_sixty(tail));
        assert_fails_fast::<String>(claims_two_to_the_sixty(tail));
        assert_fails_fast::<HashMap<u32, u32>>(claims_two_to_the_sixty(tail));
        assert_fails_fast::<Order>(claims_two_to_the_sixty(tail));
    }
}

/// A self-describing target whose decoding follows nesting as deep as the body goes.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Tree {
    Leaf(u8),
    Node(Vec<Tree>),
}

#[test]
fn deeply_nested_json_is_a_decode_error_not_a_stack_overflow() {
    let body = Bytes::from("[".repeat(100_000));
    let error = serde_json::Value::decode_body(&Json, body.clone()).unwrap_err();
    assert!(
        matches!(error, CodecError::Decode { codec: "json", .. }),
        "{error}"
    );
    let error = Tree::decode_body(&Json, body).unwrap_err();
    assert!(
        matches!(error, CodecError::Decode { codec: "json", .. }),
        "{error}"
    );
}
