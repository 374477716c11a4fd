//! [`FilterRegistry`]: the filters a peer knows, by id, and how a pipe applies them.

use std::fmt;
use std::sync::{Arc, OnceLock};

use bytes::{Bytes, BytesMut};

use crate::{Crc32, Filter, Gzip, Md5, XferError, XferPipe, Zstd};

/// Filters by id. `FilterRegistry::default()` holds the built-ins below; `new()` is empty.
///
/// | id | filter |
/// |---|---|
/// | `g` | [`Gzip`] level 5 (`gzip-5`, eRPC's) |
/// | `m` | [`Md5`] (`md5`, eRPC's) |
/// | `z` | [`Zstd`] level 3 (`zstd-3`) |
/// | `c` | [`Crc32`] (`crc32`) |
///
/// Both peers must agree on what each id means: eRPC itself registers no
/// filter by default, so a Go peer must register the same ids. A clone
/// copies the 256 slots and shares the filters.
#[derive(Clone)]
pub struct FilterRegistry {
    slots: Box<[Option<Arc<dyn Filter>>; 256]>,
}

impl FilterRegistry {
    /// An empty registry: every pipe but the empty one fails with
    /// [`XferError::UnknownFilter`] until filters are registered.
    pub fn new() -> Self {
        Self {
            slots: Box::new(std::array::from_fn(|_| None)),
        }
    }

    /// The shared registry of built-ins ([`FilterRegistry::default`]), built on first use, so
    /// that every connection using the defaults shares one table instead of building its own.
    pub fn standard() -> &'static Arc<FilterRegistry> {
        static STANDARD: OnceLock<Arc<FilterRegistry>> = OnceLock::new();
        STANDARD.get_or_init(|| Arc::new(FilterRegistry::default()))
    }

    /// Adds a filter under its [`Filter::id`]; it replaces any earlier filter
    /// with that id, so registering a built-in's id again overrides the built-in.
    pub fn register(&mut self, filter: impl Filter) -> &mut Self {
        let id = usize::from(filter.id());
        self.slots[id] = Some(Arc::new(filter));
        self
    }

    /// [`register`](Self::register) for building a registry in one expression.
    pub fn with(mut self, filter: impl Filter) -> Self {
        self.register(filter);
        self
    }

    /// The filter registered under `id`.
    pub fn get(&self, id: u8) -> Option<&Arc<dyn Filter>> {
        self.slots[usize::from(id)].as_ref()
    }

    /// The filter with this [`Filter::name`]; if several share it, the one
    /// with the lowest id.
    pub fn by_name(&self, name: &str) -> Option<&Arc<dyn Filter>> {
        self.iter().find(|filter| filter.name() == name)
    }

    /// The registered filters, by increasing id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Filter>> + '_ {
        self.slots.iter().flatten()
    }

    /// Ok when every id of the pipe is registered, else [`XferError::UnknownFilter`]
    /// with the first unknown id; a pipe longer than [`XferPipe::MAX_LEN`]
    /// fails with [`XferError::PipeTooLong`] as no frame can carry it.
    pub fn check(&self, pipe: &[u8]) -> Result<(), XferError> {
        if pipe.len() > XferPipe::MAX_LEN {
            return Err(XferError::PipeTooLong(pipe.len()));
        }
        pipe.iter().try_for_each(|&id| self.filter(id).map(drop))
    }

    /// Applies the pipe last-to-first. An empty pipe returns `payload` unchanged (no copy).
    ///
    /// The pipe is [checked](Self::check) before any filter runs.
    pub fn pack(&self, pipe: &[u8], payload: BytesMut) -> Result<BytesMut, XferError> {
        self.check(pipe)?;
        let mut data = payload;
        for &id in pipe.iter().rev() {
            let mut packed = BytesMut::new();
            self.filter(id)?.pack(&data, &mut packed)?;
            data = packed;
        }
        Ok(data)
    }

    /// Applies the pipe first-to-last; every stage is bounded by `limit`. Empty pipe: returns `payload` unchanged (no copy).
    ///
    /// Each stage's output is at most `limit` bytes, so unpacking holds at
    /// most about two stages' worth at once (the input of the current stage
    /// and its output). The pipe is [checked](Self::check) before any filter
    /// runs. `limit` does not apply to `payload` itself, nor when the pipe is
    /// empty: bound the frame before calling this.
    pub fn unpack(&self, pipe: &[u8], payload: Bytes, limit: usize) -> Result<Bytes, XferError> {
        self.check(pipe)?;
        let mut data = payload;
        for &id in pipe {
            let mut unpacked = BytesMut::new();
            self.filter(id)?.unpack(&data, limit, &mut unpacked)?;
            data = unpacked.freeze();
        }
        Ok(data)
    }

    fn filter(&self, id: u8) -> Result<&Arc<dyn Filter>, XferError> {
        self.get(id).ok_or(XferError::UnknownFilter(id))
    }
}

impl Default for FilterRegistry {
    /// The built-ins under their default ids: `g` gzip-5, `m` md5, `z` zstd-3, `c` crc32.
    fn default() -> Self {
        Self::new()
            .with(Gzip::default())
            .with(Md5::default())
            .with(Zstd::default())
            .with(Crc32::default())
    }
}

impl fmt::Debug for FilterRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_standard_registry_is_built_once_and_holds_the_built_ins() {
        assert!(Arc::ptr_eq(
            FilterRegistry::standard(),
            FilterRegistry::standard()
        ));
        let names: Vec<_> = FilterRegistry::standard()
            .iter()
            .map(|f| f.name())
            .collect();
        assert_eq!(names, ["crc32", "gzip-5", "md5", "zstd-3"]);
    }

    #[test]
    fn new_is_empty_and_default_has_the_built_ins() {
        assert_eq!(FilterRegistry::new().iter().count(), 0);
        let registry = FilterRegistry::default();
        let names: Vec<_> = registry.iter().map(|f| (f.id(), f.name())).collect();
        assert_eq!(
            names,
            [
                (b'c', "crc32"),
                (b'g', "gzip-5"),
                (b'm', "md5"),
                (b'z', "zstd-3")
            ]
        );
    }

    #[test]
    fn register_replaces_the_filter_with_the_same_id() {
        let mut registry = FilterRegistry::default();
        registry.register(Gzip::new(b'g', 9));
        assert_eq!(registry.get(b'g').unwrap().name(), "gzip-9");
        assert!(registry.by_name("gzip-5").is_none());
        assert_eq!(registry.iter().count(), 4);
    }

    #[test]
    fn by_name_finds_the_lowest_id() {
        let registry = FilterRegistry::new()
            .with(Md5::new(b'x'))
            .with(Md5::new(b'b'));
        assert_eq!(registry.by_name("md5").unwrap().id(), b'b');
        assert!(registry.by_name("nope").is_none());
    }

    #[test]
    fn check_reports_the_first_unknown_id() {
        let registry = FilterRegistry::default();
        assert!(registry.check(b"").is_ok());
        assert!(registry.check(b"gmzc").is_ok());
        assert!(matches!(
            registry.check(b"gqx"),
            Err(XferError::UnknownFilter(b'q'))
        ));
        assert!(matches!(
            registry.check(&[b'g'; 256]),
            Err(XferError::PipeTooLong(256))
        ));
    }

    #[test]
    fn empty_pipe_passes_the_payload_through_without_copying() {
        let registry = FilterRegistry::new();
        let payload = BytesMut::from(&b"as is"[..]);
        let address = payload.as_ptr();
        let packed = registry.pack(b"", payload).unwrap();
        assert_eq!(packed.as_ptr(), address);
        let frozen = packed.freeze();
        let unpacked = registry.unpack(b"", frozen.clone(), 0).unwrap();
        assert_eq!(unpacked.as_ptr(), frozen.as_ptr());
    }

    #[test]
    fn debug_lists_the_filters() {
        let registry = FilterRegistry::new().with(Md5::default());
        assert_eq!(format!("{registry:?}"), "[Md5 { id: 109 }]");
    }
}
