//! The one error type of this tier.

use std::error::Error as StdError;

/// A boxed error from a codec's underlying library.
pub type BoxError = Box<dyn StdError + Send + Sync + 'static>;

/// What went wrong while encoding or decoding a body.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CodecError {
    /// The message names a codec id that is not registered. Register the codec, or answer the
    /// peer with 400.
    #[error("unknown body codec id {0:#04x}")]
    UnknownCodec(u8),
    /// The codec cannot carry this kind of body (for example a serde type through the protobuf
    /// codec). Use a codec that fits the type, or wrap the type (see [`crate::Dual`]).
    #[error("the {codec} codec cannot carry a {kind} body")]
    Unsupported {
        /// The codec's name.
        codec: &'static str,
        /// The kind of body that was offered.
        kind: BodyKind,
    },
    /// The value could not be encoded. The value is at fault, not the peer.
    #[error("{codec} encode: {source}")]
    Encode {
        /// The codec's name.
        codec: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The body bytes do not decode to the requested type. The peer is at fault: answer 400 with
    /// this error's text as the cause.
    #[error("{codec} decode: {source}")]
    Decode {
        /// The codec's name.
        codec: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// A codec with this id is already registered. Pick another id or remove the old codec.
    #[error("codec id {id:#04x} is already taken by {existing}")]
    IdTaken {
        /// The contested id.
        id: u8,
        /// The name of the codec that holds it.
        existing: &'static str,
    },
    /// A codec with this name is already registered under another id. Names are unique so that
    /// [`CodecRegistry::by_name`](crate::CodecRegistry::by_name) finds one codec.
    #[error("codec name {name:?} is already taken by id {existing:#04x}")]
    NameTaken {
        /// The contested name.
        name: &'static str,
        /// The id of the codec that holds it.
        existing: u8,
    },
    /// Id 0 means "no codec" on the wire and cannot be registered.
    #[error("codec id 0 is reserved for bodies without a codec")]
    ReservedId,
}

impl CodecError {
    /// An [`Encode`](Self::Encode) error from any error value.
    pub fn encode(codec: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Encode {
            codec,
            source: source.into(),
        }
    }

    /// A [`Decode`](Self::Decode) error from any error value.
    pub fn decode(codec: &'static str, source: impl Into<BoxError>) -> Self {
        Self::Decode {
            codec,
            source: source.into(),
        }
    }
}

/// The two families of body types a codec may speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// Types that implement serde's `Serialize` and `Deserialize`.
    Serde,
    /// prost messages.
    Protobuf,
}

impl std::fmt::Display for BodyKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Serde => "serde",
            Self::Protobuf => "protobuf",
        })
    }
}
