//! Body codecs: tier 1 of telerpc.
//!
//! A message body travels encoded, and the message carries the id of the codec that encoded it
//! (eRPC v6 wire spec §4). The receiver picks the codec per message from that id, so one handler
//! serves a JSON caller and a protobuf caller alike. This crate defines:
//!
//! - [`Codec`]: one body format with an id byte and a name; it speaks serde types, prost
//!   messages, or both.
//! - [`EncodeBody`] and [`DecodeBody`] (together [`Body`]): what may be a body. Every serde type
//!   is one; [`Proto`] wraps a prost message, [`Dual`] a type that is both, and [`Raw`] passes
//!   bytes through untouched.
//! - [`CodecRegistry`]: codecs by id and by name; a third-party crate adds a codec by
//!   implementing [`Codec`] and registering it.
//!
//! | codec | id | speaks |
//! |---|---|---|
//! | [`Json`] | `j` (eRPC's default) | serde |
//! | [`Protobuf`] | `p` | prost |
//! | [`Plain`] | `s` | serde scalars as text |
//! | [`Form`] | `f` | serde maps and structs, urlencoded |
//! | [`Bincode`] | `b` (telerpc's own) | serde |
//!
//! ```
//! use telerpc_codec::{id, CodecRegistry, DecodeBody, EncodeBody};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Add { a: i64, b: i64 }
//!
//! let codecs = CodecRegistry::standard();
//! for codec_id in [id::JSON, id::BINCODE] {
//!     let codec = codecs.require(codec_id)?;
//!     let mut body = bytes::BytesMut::new();
//!     Add { a: 1, b: 2 }.encode_body(codec.as_ref(), &mut body)?;
//!     assert_eq!(Add::decode_body(codec.as_ref(), body.freeze())?, Add { a: 1, b: 2 });
//! }
//! # Ok::<(), telerpc_codec::CodecError>(())
//! ```
//!
//! Decoding never panics: bytes that do not decode give [`CodecError::Decode`]. A failed encode
//! leaves the output buffer as it was. Nesting is bounded too: a body nested
//! deeper than a codec's limit (128 levels for json and bincode) is a decode error, never a stack
//! overflow.
#![forbid(unsafe_code)]

mod bincode;
mod body;
mod codec;
mod depth;
mod error;
mod form;
pub mod id;
mod json;
mod plain;
mod protobuf;
mod registry;

pub use crate::bincode::Bincode;
pub use body::{Body, DecodeBody, Dual, EncodeBody, Proto, Raw};
pub use codec::{Codec, DeserializeSink, ProtoMessage};
pub use error::{BodyKind, BoxError, CodecError};
pub use form::Form;
pub use json::Json;
pub use plain::Plain;
pub use protobuf::Protobuf;
pub use registry::CodecRegistry;
