//! The [`Codec`] trait: one body format, found by its id byte.

use bytes::BytesMut;

use crate::{BodyKind, CodecError};

/// Receives the deserializer a codec builds over a body.
///
/// [`DecodeBody`](crate::DecodeBody) implements this for the type it wants; a codec calls
/// [`deserialize`](Self::deserialize) once with a deserializer over the whole body, then checks
/// that nothing but trailing white space (where its format allows it) is left.
pub trait DeserializeSink {
    /// Deserializes the wanted value from `deserializer` and keeps it.
    fn deserialize(
        &mut self,
        deserializer: &mut dyn erased_serde::Deserializer<'_>,
    ) -> Result<(), erased_serde::Error>;
}

/// A prost message behind a trait object, so that a codec can handle any message type.
///
/// Implemented for every [`prost::Message`]; a codec never needs to name the type.
pub trait ProtoMessage: Send + Sync {
    /// The exact length of the message's encoding.
    fn encoded_len(&self) -> usize;
    /// Appends the message's encoding to `out`, reserving [`encoded_len`](Self::encoded_len) first.
    ///
    /// Fails only if `out` cannot grow by that many bytes.
    fn encode_to(&self, out: &mut BytesMut) -> Result<(), prost::EncodeError>;
    /// Merges an encoded message into `self`.
    fn merge_from(&mut self, body: &[u8]) -> Result<(), prost::DecodeError>;
}

impl<T: prost::Message> ProtoMessage for T {
    fn encoded_len(&self) -> usize {
        prost::Message::encoded_len(self)
    }

    fn encode_to(&self, out: &mut BytesMut) -> Result<(), prost::EncodeError> {
        out.reserve(prost::Message::encoded_len(self));
        prost::Message::encode(self, out)
    }

    fn merge_from(&mut self, body: &[u8]) -> Result<(), prost::DecodeError> {
        prost::Message::merge(self, body)
    }
}

/// A body format with an id byte and a name.
///
/// The id travels in every message (spec §4), so the receiver picks the codec per message and
/// one handler can serve callers that speak different codecs. A codec speaks serde types, prost
/// messages, or both; every method it does not override answers [`CodecError::Unsupported`].
///
/// A third-party crate adds a codec by implementing this trait and registering it in a
/// [`CodecRegistry`](crate::CodecRegistry) on an id that no eRPC codec uses
/// ([`id::ERPC_RESERVED`](crate::id::ERPC_RESERVED)).
pub trait Codec: std::fmt::Debug + Send + Sync + 'static {
    /// The id byte that marks bodies of this codec on the wire.
    fn id(&self) -> u8;

    /// A short lowercase name, unique within a registry (`"json"`, `"protobuf"`).
    fn name(&self) -> &'static str;

    /// Appends the encoding of a serde value to `out`.
    ///
    /// On error `out` may hold part of an encoding; [`EncodeBody::encode_body`](crate::EncodeBody::encode_body)
    /// cuts it off, so a codec need not.
    fn encode_serde(
        &self,
        value: &dyn erased_serde::Serialize,
        out: &mut BytesMut,
    ) -> Result<(), CodecError> {
        let _ = (value, out);
        Err(self.unsupported(BodyKind::Serde))
    }

    /// Builds a deserializer over `body` and hands it to `sink`.
    fn decode_serde(&self, body: &[u8], sink: &mut dyn DeserializeSink) -> Result<(), CodecError> {
        let _ = (body, sink);
        Err(self.unsupported(BodyKind::Serde))
    }

    /// Appends the encoding of a prost message to `out`. On error `out` may hold part of an
    /// encoding, as with [`encode_serde`](Self::encode_serde).
    fn encode_proto(&self, msg: &dyn ProtoMessage, out: &mut BytesMut) -> Result<(), CodecError> {
        let _ = (msg, out);
        Err(self.unsupported(BodyKind::Protobuf))
    }

    /// Decodes `body` into `msg`, which starts as the message's default.
    fn decode_proto(&self, body: &[u8], msg: &mut dyn ProtoMessage) -> Result<(), CodecError> {
        let _ = (body, msg);
        Err(self.unsupported(BodyKind::Protobuf))
    }

    /// The error this codec gives for a kind of body it does not speak.
    fn unsupported(&self, kind: BodyKind) -> CodecError {
        CodecError::Unsupported {
            codec: self.name(),
            kind,
        }
    }
}
