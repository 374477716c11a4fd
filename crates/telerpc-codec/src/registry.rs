//! [`CodecRegistry`]: codecs by id and by name.

use std::sync::{Arc, OnceLock};

use crate::{Bincode, Codec, CodecError, Form, Json, Plain, Protobuf};

/// The codecs a peer understands, found by id in one array index and by name in a short scan.
///
/// [`CodecRegistry::default`] holds the built-ins: json `j`, protobuf `p`, plain `s`, form `f`
/// and bincode `b`. [`CodecRegistry::new`] is empty. A registry is built once at start-up and
/// shared behind an `Arc`; lookups take no lock.
///
/// ```
/// use telerpc_codec::{CodecRegistry, id};
///
/// let codecs = CodecRegistry::default();
/// assert_eq!(codecs.get(id::JSON).unwrap().name(), "json");
/// assert_eq!(codecs.by_name("protobuf").unwrap().id(), id::PROTOBUF);
/// assert!(codecs.get(b'?').is_none());
/// ```
#[derive(Clone)]
pub struct CodecRegistry {
    by_id: Box<[Option<Arc<dyn Codec>>; 256]>,
}

impl CodecRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self {
            by_id: Box::new(std::array::from_fn(|_| None)),
        }
    }

    /// The shared registry of built-ins, built on first use.
    pub fn standard() -> &'static Arc<CodecRegistry> {
        static STANDARD: OnceLock<Arc<CodecRegistry>> = OnceLock::new();
        STANDARD.get_or_init(|| Arc::new(CodecRegistry::default()))
    }

    /// Adds a codec.
    ///
    /// Fails with [`CodecError::ReservedId`] for id 0 ([`id::NONE`](crate::id::NONE)),
    /// [`CodecError::IdTaken`] if a codec already has the id, and [`CodecError::NameTaken`] if a
    /// codec already has the name; the registry is then unchanged.
    pub fn register(&mut self, codec: impl Codec) -> Result<&mut Self, CodecError> {
        let id = codec.id();
        if id == crate::id::NONE {
            return Err(CodecError::ReservedId);
        }
        if let Some(existing) = &self.by_id[usize::from(id)] {
            return Err(CodecError::IdTaken {
                id,
                existing: existing.name(),
            });
        }
        if let Some(existing) = self.by_name(codec.name()) {
            return Err(CodecError::NameTaken {
                name: codec.name(),
                existing: existing.id(),
            });
        }
        self.by_id[usize::from(id)] = Some(Arc::new(codec));
        Ok(self)
    }

    /// Adds a codec, builder style. See [`register`](Self::register).
    pub fn with(mut self, codec: impl Codec) -> Result<Self, CodecError> {
        self.register(codec)?;
        Ok(self)
    }

    /// The codec with this id.
    pub fn get(&self, id: u8) -> Option<&Arc<dyn Codec>> {
        self.by_id[usize::from(id)].as_ref()
    }

    /// The codec with this id, or [`CodecError::UnknownCodec`].
    pub fn require(&self, id: u8) -> Result<&Arc<dyn Codec>, CodecError> {
        self.get(id).ok_or(CodecError::UnknownCodec(id))
    }

    /// The codec with this name.
    pub fn by_name(&self, name: &str) -> Option<&Arc<dyn Codec>> {
        self.iter().find(|codec| codec.name() == name)
    }

    /// Every registered codec, in id order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Codec>> {
        self.by_id.iter().flatten()
    }
}

impl Default for CodecRegistry {
    fn default() -> Self {
        let mut registry = Self::new();
        for codec in [
            Arc::new(Json) as Arc<dyn Codec>,
            Arc::new(Protobuf),
            Arc::new(Plain),
            Arc::new(Form),
            Arc::new(Bincode),
        ] {
            let slot = usize::from(codec.id());
            registry.by_id[slot] = Some(codec);
        }
        registry
    }
}

impl std::fmt::Debug for CodecRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(
                self.iter()
                    .map(|codec| (char::from(codec.id()), codec.name())),
            )
            .finish()
    }
}
