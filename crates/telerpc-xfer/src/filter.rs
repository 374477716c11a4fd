//! The [`Filter`] trait: one reversible transformation of payload bytes.

use bytes::BytesMut;

use crate::XferError;

/// One transfer filter.
///
/// A filter is known on the wire only by its id byte; its name is for humans,
/// logs and errors. Implementations must be pure: the same input packs to
/// bytes that unpack to that input again, on any peer using the same filter.
pub trait Filter: std::fmt::Debug + Send + Sync + 'static {
    /// The id byte that names this filter in a frame's transfer pipe.
    fn id(&self) -> u8;

    /// A short human-readable name, used in errors (e.g. `gzip-5`).
    fn name(&self) -> &'static str;

    /// Appends the packed form of `input` to `out`.
    fn pack(&self, input: &[u8], out: &mut BytesMut) -> Result<(), XferError>;

    /// Appends the unpacked form of `input` to `out`, never more than `limit` bytes
    /// (over the limit: [`XferError::LimitExceeded`], and no allocation beyond the limit).
    ///
    /// The limit counts the bytes this call appends, not what `out` already
    /// holds. On error, `out` is left as it was.
    fn unpack(&self, input: &[u8], limit: usize, out: &mut BytesMut) -> Result<(), XferError>;
}
