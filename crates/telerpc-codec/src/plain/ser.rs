//! The plain codec's serializer: one scalar written as text.

use std::fmt::{Display, Write as _};

use bytes::BytesMut;
use serde::ser::Impossible;
use serde::Serialize;

use super::PlainError;

/// Writes one scalar as text at the end of `out`.
pub(super) struct TextSerializer<'a> {
    pub(super) out: &'a mut BytesMut,
}

impl TextSerializer<'_> {
    fn write_display(self, value: impl Display) -> Result<(), PlainError> {
        write!(self.out, "{value}").map_err(<PlainError as serde::ser::Error>::custom)
    }
}

macro_rules! serialize_display {
    ($($method:ident: $ty:ty),* $(,)?) => {$(
        fn $method(self, value: $ty) -> Result<(), PlainError> {
            self.write_display(value)
        }
    )*};
}

macro_rules! reject_compound {
    ($($method:ident($($ty:ty),*) -> $assoc:ident = $what:literal),* $(,)?) => {$(
        fn $method(self, $(_: $ty),*) -> Result<Self::$assoc, PlainError> {
            Err(PlainError::Compound($what))
        }
    )*};
}

impl serde::Serializer for TextSerializer<'_> {
    type Ok = ();
    type Error = PlainError;
    type SerializeSeq = Impossible<(), PlainError>;
    type SerializeTuple = Impossible<(), PlainError>;
    type SerializeTupleStruct = Impossible<(), PlainError>;
    type SerializeTupleVariant = Impossible<(), PlainError>;
    type SerializeMap = Impossible<(), PlainError>;
    type SerializeStruct = Impossible<(), PlainError>;
    type SerializeStructVariant = Impossible<(), PlainError>;

    serialize_display! {
        serialize_bool: bool,
        serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_u128: u128,
        serialize_f32: f32, serialize_f64: f64,
    }

    fn serialize_char(self, value: char) -> Result<(), PlainError> {
        self.serialize_str(value.encode_utf8(&mut [0; 4]))
    }

    fn serialize_str(self, value: &str) -> Result<(), PlainError> {
        self.serialize_bytes(value.as_bytes())
    }

    fn serialize_bytes(self, value: &[u8]) -> Result<(), PlainError> {
        self.out.extend_from_slice(value);
        Ok(())
    }

    fn serialize_none(self) -> Result<(), PlainError> {
        Ok(())
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<(), PlainError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), PlainError> {
        Ok(())
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), PlainError> {
        Ok(())
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), PlainError> {
        self.serialize_str(variant)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), PlainError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), PlainError> {
        Err(PlainError::Compound("an enum variant with data"))
    }

    reject_compound! {
        serialize_seq(Option<usize>) -> SerializeSeq = "a sequence",
        serialize_tuple(usize) -> SerializeTuple = "a tuple",
        serialize_tuple_struct(&'static str, usize) -> SerializeTupleStruct = "a tuple struct",
        serialize_tuple_variant(&'static str, u32, &'static str, usize)
            -> SerializeTupleVariant = "an enum variant with data",
        serialize_map(Option<usize>) -> SerializeMap = "a map",
        serialize_struct(&'static str, usize) -> SerializeStruct = "a struct",
        serialize_struct_variant(&'static str, u32, &'static str, usize)
            -> SerializeStructVariant = "an enum variant with data",
    }
}
