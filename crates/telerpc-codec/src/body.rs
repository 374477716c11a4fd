//! [`EncodeBody`] and [`DecodeBody`]: what may travel as a message body, and the wrappers that
//! pick its family.

use bytes::{Bytes, BytesMut};
use serde::{de::DeserializeOwned, Serialize};

use crate::{Codec, CodecError, DeserializeSink};

/// A value that can be written as a message body under any codec that speaks its family.
///
/// | type | family | codecs |
/// |---|---|---|
/// | any `T: Serialize` (also unsized: `str`, `[T]`) | serde | json, plain, form, bincode, third-party serde codecs |
/// | [`Proto<T>`] for a prost message `T` | protobuf | protobuf |
/// | [`Dual<T>`] for a type that is both | both | protobuf for the protobuf codec, serde for the rest |
/// | [`Raw`] | none | every codec: the bytes pass through untouched |
///
/// The codec is chosen at run time from the id the message carries, so a value written once
/// reaches callers of every codec its type speaks.
///
/// ```
/// use telerpc_codec::{id, CodecRegistry, DecodeBody, EncodeBody};
///
/// let codecs = CodecRegistry::standard();
/// let json = codecs.require(id::JSON)?;
/// let mut out = bytes::BytesMut::new();
/// [1, 2, 3][..].encode_body(json.as_ref(), &mut out)?;
/// assert_eq!(&out[..], b"[1,2,3]");
/// let back = Vec::<i32>::decode_body(json.as_ref(), out.freeze())?;
/// assert_eq!(back, [1, 2, 3]);
/// # Ok::<(), telerpc_codec::CodecError>(())
/// ```
pub trait EncodeBody {
    /// Appends this value's encoding under `codec` to `out`.
    ///
    /// On error `out` holds exactly what it held before the call: a failed encode leaves no
    /// partial body behind.
    fn encode_body(&self, codec: &dyn Codec, out: &mut BytesMut) -> Result<(), CodecError>;
}

/// A value that can be read from a message body under any codec that speaks its family (see
/// [`EncodeBody`] for the families).
pub trait DecodeBody: Sized {
    /// Decodes a value of this type from `body` under `codec`. Bytes that do not decode give
    /// [`CodecError::Decode`]; a codec that cannot carry the type gives
    /// [`CodecError::Unsupported`].
    fn decode_body(codec: &dyn Codec, body: Bytes) -> Result<Self, CodecError>;
}

/// A value that travels both ways: every type that is [`EncodeBody`] and [`DecodeBody`].
pub trait Body: EncodeBody + DecodeBody {}

impl<T: EncodeBody + DecodeBody> Body for T {}

impl<T: Serialize + ?Sized> EncodeBody for T {
    fn encode_body(&self, codec: &dyn Codec, out: &mut BytesMut) -> Result<(), CodecError> {
        append_or_restore(out, |out| codec.encode_serde(&self, out))
    }
}

impl<T: DeserializeOwned> DecodeBody for T {
    fn decode_body(codec: &dyn Codec, body: Bytes) -> Result<Self, CodecError> {
        decode_serde(codec, &body)
    }
}

/// Runs `encode` on `out`; if it fails, truncates `out` back to its length before the call.
fn append_or_restore(
    out: &mut BytesMut,
    encode: impl FnOnce(&mut BytesMut) -> Result<(), CodecError>,
) -> Result<(), CodecError> {
    let start = out.len();
    let result = encode(out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// The slot a serde decode fills.
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

fn decode_serde<T: DeserializeOwned>(codec: &dyn Codec, body: &[u8]) -> Result<T, CodecError> {
    let mut slot = Slot(None);
    codec.decode_serde(body, &mut slot)?;
    slot.0
        .ok_or_else(|| CodecError::decode(codec.name(), "the codec produced no value for the body"))
}

fn decode_proto<T: prost::Message + Default>(
    codec: &dyn Codec,
    body: &[u8],
) -> Result<T, CodecError> {
    let mut msg = T::default();
    codec.decode_proto(body, &mut msg)?;
    Ok(msg)
}

/// A prost message as a body: it travels under the protobuf codec only.
///
/// Any other codec answers [`CodecError::Unsupported`]. For a message that also derives serde,
/// use [`Dual`] so that JSON callers are served too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proto<T>(pub T);

impl<T: prost::Message> EncodeBody for Proto<T> {
    fn encode_body(&self, codec: &dyn Codec, out: &mut BytesMut) -> Result<(), CodecError> {
        append_or_restore(out, |out| codec.encode_proto(&self.0, out))
    }
}

impl<T: prost::Message + Default> DecodeBody for Proto<T> {
    fn decode_body(codec: &dyn Codec, body: Bytes) -> Result<Self, CodecError> {
        decode_proto(codec, &body).map(Proto)
    }
}

/// A type that is both a prost message and a serde type (prost-build with serde derives, or both
/// derives on one struct).
///
/// A codec that speaks protobuf gets the protobuf encoding; every other codec gets serde. This
/// is how one handler serves a JSON caller and a protobuf caller with the same type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dual<T>(pub T);

impl<T: prost::Message + Serialize> EncodeBody for Dual<T> {
    fn encode_body(&self, codec: &dyn Codec, out: &mut BytesMut) -> Result<(), CodecError> {
        match append_or_restore(out, |out| codec.encode_proto(&self.0, out)) {
            Err(CodecError::Unsupported { .. }) => {
                append_or_restore(out, |out| codec.encode_serde(&self.0, out))
            }
            other => other,
        }
    }
}

impl<T: prost::Message + Default + DeserializeOwned> DecodeBody for Dual<T> {
    fn decode_body(codec: &dyn Codec, body: Bytes) -> Result<Self, CodecError> {
        match decode_proto(codec, &body) {
            Err(CodecError::Unsupported { .. }) => decode_serde(codec, &body).map(Dual),
            other => other.map(Dual),
        }
    }
}

/// Raw bytes as a body: never encoded or decoded, whatever codec id the message carries (as
/// eRPC treats `[]byte` bodies). Decoding slices the received buffer without a copy.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Raw(pub Bytes);

impl EncodeBody for Raw {
    fn encode_body(&self, _codec: &dyn Codec, out: &mut BytesMut) -> Result<(), CodecError> {
        out.extend_from_slice(&self.0);
        Ok(())
    }
}

impl DecodeBody for Raw {
    fn decode_body(_codec: &dyn Codec, body: Bytes) -> Result<Self, CodecError> {
        Ok(Raw(body))
    }
}

impl From<Bytes> for Raw {
    fn from(bytes: Bytes) -> Self {
        Raw(bytes)
    }
}

impl From<Vec<u8>> for Raw {
    fn from(bytes: Vec<u8>) -> Self {
        Raw(bytes.into())
    }
}
