//! [`DepthLimited`]: a nesting limit for formats that have none of their own.

use serde::de::{
    self, DeserializeSeed, Deserializer, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor,
};

/// The deepest nesting [`DepthLimited`] lets through: 128 levels, the figure serde_json uses.
pub(crate) const MAX_DEPTH: usize = 128;

/// One of serde's deserialization roles (a `Deserializer`, `Visitor`, `SeqAccess`, `MapAccess`,
/// `EnumAccess`, `VariantAccess` or `DeserializeSeed`) that refuses to nest deeper than
/// [`MAX_DEPTH`] levels.
///
/// The contract: a value is one level deeper than the value that contains it, where a value
/// contains another when its deserializer hands the visitor a sequence, a map, an enum, a `Some`
/// or a newtype struct to read the other from (so tuples, structs, maps, sequences, enum values,
/// `Some` and newtypes each take a level; `None`, unit and scalars do not). The outermost such
/// value is level 1. A value at level [`MAX_DEPTH`]` + 1` fails with the format's
/// `Error::custom("nesting deeper than 128")` before its visitor is handed the value to read, so
/// the stack a decode uses is bounded by the limit, whatever the input. Up to the limit every
/// call is forwarded unchanged, `is_human_readable` included.
///
/// Wrap the format's deserializer with [`DepthLimited::new`]; each role wraps whatever it hands
/// on (visitors, accessors, seeds, nested deserializers), so every nested value is read through
/// a wrapper that knows its depth. The depth travels by value: a wrapper that reads a nested
/// value hands on `depth + 1`, and nothing needs undoing on the way back up, not even on error.
#[derive(Debug)]
pub(crate) struct DepthLimited<T> {
    inner: T,
    /// How many levels enclose the values this wrapper reads.
    depth: usize,
}

impl<T> DepthLimited<T> {
    /// Wraps the deserializer of a whole value, at depth 0.
    pub(crate) fn new(inner: T) -> Self {
        Self { inner, depth: 0 }
    }

    /// Wraps `inner` at this wrapper's depth.
    fn same<U>(&self, inner: U) -> DepthLimited<U> {
        DepthLimited {
            inner,
            depth: self.depth,
        }
    }

    /// Wraps `inner`, which reads a value one level deeper, or fails beyond [`MAX_DEPTH`].
    fn deeper<U, E: de::Error>(&self, inner: U) -> Result<DepthLimited<U>, E> {
        if self.depth >= MAX_DEPTH {
            return Err(E::custom(format_args!("nesting deeper than {MAX_DEPTH}")));
        }
        Ok(DepthLimited {
            inner,
            depth: self.depth + 1,
        })
    }
}

/// Forwards `deserialize_*` methods to the inner deserializer with the visitor wrapped.
macro_rules! forward_deserialize {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $ty,)* visitor: V) -> Result<V::Value, D::Error> {
            let visitor = self.same(visitor);
            self.inner.$method($($arg,)* visitor)
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for DepthLimited<D> {
    type Error = D::Error;

    forward_deserialize! {
        deserialize_any();
        deserialize_bool();
        deserialize_i8();
        deserialize_i16();
        deserialize_i32();
        deserialize_i64();
        deserialize_i128();
        deserialize_u8();
        deserialize_u16();
        deserialize_u32();
        deserialize_u64();
        deserialize_u128();
        deserialize_f32();
        deserialize_f64();
        deserialize_char();
        deserialize_str();
        deserialize_string();
        deserialize_bytes();
        deserialize_byte_buf();
        deserialize_option();
        deserialize_unit();
        deserialize_unit_struct(name: &'static str);
        deserialize_newtype_struct(name: &'static str);
        deserialize_seq();
        deserialize_tuple(len: usize);
        deserialize_tuple_struct(name: &'static str, len: usize);
        deserialize_map();
        deserialize_struct(name: &'static str, fields: &'static [&'static str]);
        deserialize_enum(name: &'static str, variants: &'static [&'static str]);
        deserialize_identifier();
        deserialize_ignored_any();
    }

    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

/// Forwards `visit_*` methods that take a scalar to the inner visitor.
macro_rules! forward_visit {
    ($($method:ident($ty:ty);)*) => {$(
        fn $method<E: de::Error>(self, v: $ty) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for DepthLimited<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.expecting(f)
    }

    forward_visit! {
        visit_bool(bool);
        visit_i8(i8);
        visit_i16(i16);
        visit_i32(i32);
        visit_i64(i64);
        visit_i128(i128);
        visit_u8(u8);
        visit_u16(u16);
        visit_u32(u32);
        visit_u64(u64);
        visit_u128(u128);
        visit_f32(f32);
        visit_f64(f64);
        visit_char(char);
        visit_str(&str);
        visit_borrowed_str(&'de str);
        visit_string(String);
        visit_bytes(&[u8]);
        visit_borrowed_bytes(&'de [u8]);
        visit_byte_buf(Vec<u8>);
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        let deserializer = self.deeper(deserializer)?;
        self.inner.visit_some(deserializer)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<V::Value, D::Error> {
        let deserializer = self.deeper(deserializer)?;
        self.inner.visit_newtype_struct(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        let seq = self.deeper(seq)?;
        self.inner.visit_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        let map = self.deeper(map)?;
        self.inner.visit_map(map)
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        let data = self.deeper(data)?;
        self.inner.visit_enum(data)
    }
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for DepthLimited<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        let deserializer = self.same(deserializer);
        self.inner.deserialize(deserializer)
    }
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for DepthLimited<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, A::Error> {
        let seed = self.same(seed);
        self.inner.next_element_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: MapAccess<'de>> MapAccess<'de> for DepthLimited<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        let seed = self.same(seed);
        self.inner.next_key_seed(seed)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.same(seed);
        self.inner.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.inner.size_hint()
    }
}

impl<'de, A: EnumAccess<'de>> EnumAccess<'de> for DepthLimited<A> {
    type Error = A::Error;
    type Variant = DepthLimited<A::Variant>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), A::Error> {
        let seed = self.same(seed);
        let (value, variant) = self.inner.variant_seed(seed)?;
        Ok((
            value,
            DepthLimited {
                inner: variant,
                depth: self.depth,
            },
        ))
    }
}

impl<'de, A: VariantAccess<'de>> VariantAccess<'de> for DepthLimited<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.inner.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        let seed = self.same(seed);
        self.inner.newtype_variant_seed(seed)
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        let visitor = self.same(visitor);
        self.inner.tuple_variant(len, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        let visitor = self.same(visitor);
        self.inner.struct_variant(fields, visitor)
    }
}

#[cfg(test)]
mod tests {
    use ::bincode::Options as _;
    use serde::de::value::Error;
    use serde::de::IgnoredAny;
    use serde::{Deserialize, Serialize};

    use super::*;

    /// A self-describing deserializer of `layers` sequences, each holding the next one, around a
    /// unit: nesting as deep as asked, without a body to hold it.
    struct Onion {
        layers: usize,
    }

    impl<'de> Deserializer<'de> for Onion {
        type Error = Error;

        fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
            match self.layers.checked_sub(1) {
                None => visitor.visit_unit(),
                Some(layers) => visitor.visit_seq(OnionLayer {
                    inner: Some(layers),
                }),
            }
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
            option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
            identifier ignored_any
        }
    }

    /// One sequence of an [`Onion`]: its one element holds the layers inside it.
    struct OnionLayer {
        inner: Option<usize>,
    }

    impl<'de> SeqAccess<'de> for OnionLayer {
        type Error = Error;

        fn next_element_seed<T: DeserializeSeed<'de>>(
            &mut self,
            seed: T,
        ) -> Result<Option<T::Value>, Error> {
            self.inner
                .take()
                .map(|layers| seed.deserialize(Onion { layers }))
                .transpose()
        }
    }

    fn skip_onion(layers: usize) -> Result<IgnoredAny, Error> {
        IgnoredAny::deserialize(DepthLimited::new(Onion { layers }))
    }

    #[test]
    fn nesting_up_to_the_limit_is_read() {
        assert!(skip_onion(MAX_DEPTH).is_ok());
    }

    #[test]
    fn nesting_beyond_the_limit_is_an_error_not_a_deeper_descent() {
        for layers in [MAX_DEPTH + 1, usize::MAX] {
            let error = skip_onion(layers).unwrap_err();
            assert_eq!(error.to_string(), "nesting deeper than 128");
        }
    }

    /// Nests one level per link: each is an enum value.
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    enum List {
        End,
        Next(Box<List>),
    }

    fn list(links: usize) -> List {
        (0..links).fold(List::End, |list, _| List::Next(Box::new(list)))
    }

    /// Decodes with bincode directly, without erased-serde in between.
    fn decode_list(body: &[u8]) -> Result<List, ::bincode::Error> {
        let mut de = ::bincode::Deserializer::from_slice(body, ::bincode::DefaultOptions::new());
        List::deserialize(DepthLimited::new(&mut de))
    }

    #[test]
    fn every_enum_value_takes_a_level() -> Result<(), ::bincode::Error> {
        // `links` `Next`s and the `End` are `links + 1` levels.
        let at_limit = ::bincode::DefaultOptions::new().serialize(&list(MAX_DEPTH - 1))?;
        assert_eq!(decode_list(&at_limit)?, list(MAX_DEPTH - 1));
        let beyond = ::bincode::DefaultOptions::new().serialize(&list(MAX_DEPTH))?;
        let error = decode_list(&beyond).unwrap_err();
        assert!(
            error.to_string().contains("nesting deeper than 128"),
            "{error}"
        );
        Ok(())
    }

    /// Reads `Some(Some(..None..))` to any depth and counts the `Some`s.
    struct NestedOptions;

    impl<'de> DeserializeSeed<'de> for NestedOptions {
        type Value = usize;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
            deserializer.deserialize_option(self)
        }
    }

    impl<'de> Visitor<'de> for NestedOptions {
        type Value = usize;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("nested options")
        }

        fn visit_none<E: de::Error>(self) -> Result<usize, E> {
            Ok(0)
        }

        fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<usize, D::Error> {
            Ok(NestedOptions.deserialize(deserializer)? + 1)
        }
    }

    /// Decodes `somes` bincode `Some` tags and a `None` tag.
    fn count_options(somes: usize) -> Result<usize, ::bincode::Error> {
        let mut body = vec![1; somes];
        body.push(0);
        let mut de = ::bincode::Deserializer::from_slice(&body, ::bincode::DefaultOptions::new());
        NestedOptions.deserialize(DepthLimited::new(&mut de))
    }

    #[test]
    fn a_some_takes_a_level_and_a_none_does_not() -> Result<(), ::bincode::Error> {
        assert_eq!(count_options(MAX_DEPTH)?, MAX_DEPTH);
        let error = count_options(MAX_DEPTH + 1).unwrap_err();
        assert!(
            error.to_string().contains("nesting deeper than 128"),
            "{error}"
        );
        Ok(())
    }

    #[test]
    fn human_readability_is_the_formats() {
        let mut de = ::bincode::Deserializer::from_slice(&[], ::bincode::DefaultOptions::new());
        assert!(!DepthLimited::new(&mut de).is_human_readable());
        let mut de = serde_json::Deserializer::from_str("null");
        assert!(DepthLimited::new(&mut de).is_human_readable());
    }
}
