//! The outer frame every protocol shares (spec §1 and §7).
//!
//! ```text
//! +----------+------+------------+---------------------------------------+
//! | size u32 | n u8 | n xfer ids | payload, after the filters of the ids |
//! +----------+------+------------+---------------------------------------+
//! ```
//!
//! rawproto's size counts the whole frame, its own 4 bytes included; jsonproto's and pbproto's
//! count the bytes after it ([`SizeField`]). The limit bounds the size field's value.

use bytes::{Buf, BufMut, Bytes, BytesMut};
use telerpc_xfer::{FilterRegistry, XferPipe};

use crate::ProtoError;

/// The bytes of the size field.
const SIZE_LEN: usize = 4;

/// What the size field counts.
#[derive(Debug, Clone, Copy)]
pub(super) enum SizeField {
    /// The whole frame, the size field included (rawproto).
    Inclusive,
    /// The bytes after the size field (jsonproto, pbproto).
    Exclusive,
}

impl SizeField {
    /// The bytes of the frame that the size field does not count.
    fn uncounted(self) -> usize {
        match self {
            Self::Inclusive => 0,
            Self::Exclusive => SIZE_LEN,
        }
    }
}

/// The most a decode reserves beyond the bytes received while a frame is incomplete.
const RESERVE_STEP: usize = 64 * 1024;

/// Appends the frame of a payload of `payload_len` bytes, which `write_payload` writes.
///
/// On error `dst` is left exactly as it was. With an empty pipe a frame over the limit is
/// refused before its payload is written.
pub(super) fn write(
    filters: &FilterRegistry,
    pipe: &XferPipe,
    size_field: SizeField,
    payload_len: usize,
    limit: usize,
    dst: &mut BytesMut,
    write_payload: impl FnOnce(&mut BytesMut) -> Result<(), ProtoError>,
) -> Result<(), ProtoError> {
    let start = dst.len();
    let result = write_unchecked(
        filters,
        pipe.ids(),
        size_field,
        payload_len,
        limit,
        dst,
        write_payload,
    );
    if result.is_err() {
        dst.truncate(start);
    }
    result
}

/// [`write`], leaving a partial frame behind on error.
fn write_unchecked(
    filters: &FilterRegistry,
    ids: &[u8],
    size_field: SizeField,
    payload_len: usize,
    limit: usize,
    dst: &mut BytesMut,
    write_payload: impl FnOnce(&mut BytesMut) -> Result<(), ProtoError>,
) -> Result<(), ProtoError> {
    filters.check(ids)?;
    let unfiltered_size = SIZE_LEN - size_field.uncounted() + 1 + ids.len() + payload_len;
    if ids.is_empty() {
        checked_size(unfiltered_size, limit)?;
    }
    let start = dst.len();
    dst.reserve(SIZE_LEN + unfiltered_size);
    dst.put_u32(0);
    dst.put_u8(ids.len() as u8);
    dst.put_slice(ids);
    if ids.is_empty() {
        write_payload(dst)?;
    } else {
        let mut payload = BytesMut::with_capacity(payload_len);
        write_payload(&mut payload)?;
        dst.put(filters.pack(ids, payload)?);
    }
    let size = checked_size(dst.len() - start - size_field.uncounted(), limit)?;
    dst[start..start + SIZE_LEN].copy_from_slice(&size.to_be_bytes());
    Ok(())
}

/// `size` as the size field, when the limit and the field's width allow it.
fn checked_size(size: usize, limit: usize) -> Result<u32, ProtoError> {
    let too_large = || ProtoError::FrameTooLarge {
        size: size as u64,
        limit,
    };
    if size > limit {
        return Err(too_large());
    }
    u32::try_from(size).map_err(|_| too_large())
}

/// Cuts the first complete frame out of `src`: its pipe and its unpacked payload.
///
/// `Ok(None)` until the frame is complete; meanwhile at most [`RESERVE_STEP`] bytes are
/// reserved beyond those received.
pub(super) fn read(
    filters: &FilterRegistry,
    size_field: SizeField,
    src: &mut BytesMut,
    limit: usize,
) -> Result<Option<(XferPipe, Bytes)>, ProtoError> {
    let Some(prefix) = src.get(..SIZE_LEN) else {
        return Ok(None);
    };
    let size = u32::from_be_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
    if (size as usize) < SIZE_LEN - size_field.uncounted() + 1 {
        return Err(ProtoError::FrameTooSmall(size));
    }
    let too_large = ProtoError::FrameTooLarge {
        size: size.into(),
        limit,
    };
    if size as usize > limit {
        return Err(too_large);
    }
    let frame_len = (size as usize)
        .checked_add(size_field.uncounted())
        .ok_or(too_large)?;
    if src.len() < frame_len {
        src.reserve((frame_len - src.len()).min(RESERVE_STEP));
        return Ok(None);
    }
    let mut frame = src.split_to(frame_len).freeze();
    frame.advance(SIZE_LEN);
    let count = usize::from(frame.get_u8());
    if frame.len() < count {
        return Err(ProtoError::Truncated { field: "xfer pipe" });
    }
    let ids = frame.split_to(count);
    filters.check(&ids)?;
    let payload = filters.unpack(&ids, frame, limit)?;
    Ok(Some((XferPipe::from_ids(ids)?, payload)))
}
