//! The plain codec's deserializer: one scalar of the requested type read from the whole body.

use std::str::FromStr;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::Visitor;

use super::PlainError;
use crate::BoxError;

/// Reads one scalar of the requested type from the whole body.
pub(super) struct TextDeserializer<'de> {
    pub(super) body: &'de [u8],
}

impl<'de> TextDeserializer<'de> {
    fn text(&self) -> Result<&'de str, PlainError> {
        std::str::from_utf8(self.body).map_err(PlainError::NotUtf8)
    }

    fn parse<T>(&self) -> Result<T, PlainError>
    where
        T: FromStr,
        T::Err: Into<BoxError>,
    {
        self.text()?
            .parse()
            .map_err(|reason: T::Err| PlainError::Unparsable {
                expected: std::any::type_name::<T>(),
                reason: reason.into(),
            })
    }
}

macro_rules! deserialize_parsed {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
            visitor.$visit(self.parse::<$ty>()?)
        }
    )*};
}

macro_rules! reject_compound_target {
    ($($method:ident($($ty:ty),*) = $what:literal),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, $(_: $ty,)* _visitor: V) -> Result<V::Value, PlainError> {
            Err(PlainError::Compound($what))
        }
    )*};
}

impl<'de> serde::Deserializer<'de> for TextDeserializer<'de> {
    type Error = PlainError;

    deserialize_parsed! {
        deserialize_bool => visit_bool: bool,
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_i128 => visit_i128: i128,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_u128 => visit_u128: u128,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
        deserialize_char => visit_char: char,
    }

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        match std::str::from_utf8(self.body) {
            Ok(text) => visitor.visit_borrowed_str(text),
            Err(_) => visitor.visit_borrowed_bytes(self.body),
        }
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_borrowed_str(self.text()?)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_borrowed_bytes(self.body)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        if self.body.is_empty() {
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        if self.body.is_empty() {
            visitor.visit_unit()
        } else {
            Err(PlainError::NotEmpty(self.body.len()))
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PlainError> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, PlainError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PlainError> {
        visitor.visit_enum(BorrowedStrDeserializer::new(self.text()?))
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_unit()
    }

    reject_compound_target! {
        deserialize_seq() = "a sequence",
        deserialize_tuple(usize) = "a tuple",
        deserialize_tuple_struct(&'static str, usize) = "a tuple struct",
        deserialize_map() = "a map",
        deserialize_struct(&'static str, &'static [&'static str]) = "a struct",
    }
}
