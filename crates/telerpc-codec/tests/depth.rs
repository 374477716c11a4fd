//! [`Bincode`] refuses nesting deeper than 128 levels with a decode error, so a peer cannot
//! overflow the stack through a recursive target type.
//!
//! These tests go through [`Codec`] and a [`DeserializeSink`] of their own, the erased-serde
//! path every body takes.

use std::collections::BTreeMap;

use bytes::BytesMut;
use proptest::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use telerpc_codec::{Bincode, Codec, CodecError, DeserializeSink};

/// A recursive type: bincode spends one byte, the variant index, per level.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
enum List {
    End,
    Next(Box<List>),
}

impl List {
    /// A list of `links` `Next`s: `links + 1` levels, counting the `End`.
    fn with_links(links: usize) -> Self {
        (0..links).fold(Self::End, |list, _| Self::Next(Box::new(list)))
    }
}

/// Keeps the value decoded from the erased deserializer a codec hands over.
struct Slot<T>(Option<T>);

impl<T: DeserializeOwned> DeserializeSink for Slot<T> {
    fn deserialize(
        &mut self,
        deserializer: &mut dyn erased_serde::Deserializer<'_>,
    ) -> Result<(), erased_serde::Error> {
        self.0 = Some(erased_serde::deserialize(deserializer)?);
        Ok(())
    }
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, CodecError> {
    let mut slot = Slot(None);
    Bincode.decode_serde(body, &mut slot)?;
    Ok(slot.0.expect("a successful decode fills the slot"))
}

fn encode<T: Serialize>(value: &T) -> Result<BytesMut, CodecError> {
    let mut out = BytesMut::new();
    Bincode.encode_serde(value, &mut out)?;
    Ok(out)
}

fn assert_too_deep(error: &CodecError) {
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
        error.to_string().contains("nesting deeper than 128"),
        "{error}"
    );
}

/// 100,000 `Next` tags (variant index 1, one varint byte each) and an `End` (0): without a
/// limit, decoding recurses once per byte. The decode runs on a 1 MiB stack: the 128 levels
/// allowed take about a third of that in a debug build, 100,000 levels would take hundreds of
/// MiB, so an overflow would abort the test.
#[test]
fn a_hundred_thousand_levels_are_a_decode_error_not_a_stack_overflow() {
    let mut body = vec![1u8; 100_000];
    body.push(0);
    let outcome = std::thread::Builder::new()
        .name("small-stack".into())
        .stack_size(1024 * 1024)
        .spawn(move || decode::<List>(&body).map(drop))
        .expect("spawn a thread")
        .join()
        .expect("decoding does not panic");
    assert_too_deep(&outcome.unwrap_err());
}

#[test]
fn a_hundred_levels_round_trip() -> Result<(), CodecError> {
    let list = List::with_links(100);
    let body = encode(&list)?;
    assert_eq!(body.len(), 101);
    assert_eq!(decode::<List>(&body)?, list);
    Ok(())
}

#[test]
fn the_limit_is_128_levels() -> Result<(), CodecError> {
    let at_limit = List::with_links(127);
    assert_eq!(decode::<List>(&encode(&at_limit)?)?, at_limit);
    let beyond = encode(&List::with_links(128))?;
    assert_too_deep(&decode::<List>(&beyond).unwrap_err());
    Ok(())
}

#[test]
fn every_kind_of_nesting_counts() -> Result<(), CodecError> {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Wrapper(Vec<Option<(u8, u8)>>);

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum Shape {
        Tuple(u8, Box<Shape>),
        Struct { inner: Box<Shape> },
        Map(std::collections::BTreeMap<u8, Wrapper>),
    }

    // The leaf takes 6 levels: the enum, its map, the newtype, its vector, `Some` and the tuple.
    // Each pair of a struct and a tuple variant takes 4: the enum and its fields, twice.
    let nest = |pairs: usize| {
        let leaf = Shape::Map([(7, Wrapper(vec![None, Some((1, 2))]))].into());
        (0..pairs).fold(leaf, |shape, _| Shape::Struct {
            inner: Box::new(Shape::Tuple(3, Box::new(shape))),
        })
    };
    // 6 + 4 * 30 = 126 levels.
    let deep = nest(30);
    assert_eq!(decode::<Shape>(&encode(&deep)?)?, deep);
    // 6 + 4 * 31 = 130 levels.
    assert_too_deep(&decode::<Shape>(&encode(&nest(31))?).unwrap_err());
    Ok(())
}

/// Every shape of serde's data model that bincode carries, to show that the limit forwards each
/// of them unchanged below it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Everything {
    kinds: Vec<Kind>,
    tuple: (u8, i16, u32, i64),
    pair: Pair,
    meters: Meters,
    unit: Unit,
    nothing: (),
    maybe: Option<Option<Meters>>,
    by_key: BTreeMap<String, Vec<Option<Kind>>>,
    bytes: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kind {
    Unit,
    Newtype(i128),
    Tuple(u128, char),
    Struct { ratio: f32, flag: bool },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Pair(i8, String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Meters(u16);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Unit;

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Unit),
        any::<i128>().prop_map(Kind::Newtype),
        (any::<u128>(), any::<char>()).prop_map(|(n, c)| Kind::Tuple(n, c)),
        (-1e30f32..1e30, any::<bool>()).prop_map(|(ratio, flag)| Kind::Struct { ratio, flag }),
    ]
}

prop_compose! {
    fn everything()(
        kinds in prop::collection::vec(kind(), 0..4),
        tuple in any::<(u8, i16, u32, i64)>(),
        pair in (any::<i8>(), any::<String>()).prop_map(|(n, s)| Pair(n, s)),
        meters in any::<u16>().prop_map(Meters),
        maybe in any::<Option<Option<u16>>>().prop_map(|m| m.map(|m| m.map(Meters))),
        by_key in prop::collection::btree_map(
            any::<String>(), prop::collection::vec(prop::option::of(kind()), 0..3), 0..3,
        ),
        bytes in prop::collection::vec(any::<u8>(), 0..16),
    ) -> Everything {
        Everything { kinds, tuple, pair, meters, unit: Unit, nothing: (), maybe, by_key, bytes }
    }
}

proptest! {
    #[test]
    fn every_shape_round_trips_below_the_limit(value in everything()) {
        let body = encode(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = decode::<Everything>(&body).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, value);
    }
}
