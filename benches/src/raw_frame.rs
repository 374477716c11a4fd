//! The raw baseline's frame: `u32 length | u64 request id | payload`, both integers big-endian,
//! the length counting the id and the payload. Nothing else: no service method, no meta, no
//! status, no codec byte.

use bytes::{Buf, BufMut, Bytes, BytesMut};

/// The bytes of the length and the request id before a payload.
pub const HEADER: usize = 4 + 8;

/// The largest length accepted: 64 MiB, as telerpc's default frame limit.
pub const LENGTH_LIMIT: usize = 64 * 1024 * 1024;

/// A frame that cannot be read: its length is below the request id's 8 bytes or over
/// [`LENGTH_LIMIT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a raw frame announces {0} bytes")]
pub struct BadLength(pub usize);

/// Appends the frame of request `id` carrying the payload that `write` appends (and returns
/// the length of) to `out`.
pub fn encode(id: u64, out: &mut BytesMut, write: impl FnOnce(&mut BytesMut)) {
    let start = out.len();
    out.put_u32(0);
    out.put_u64(id);
    write(out);
    let length = u32::try_from(out.len() - start - 4).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&length.to_be_bytes());
}

/// Cuts the next whole frame off the front of `input`: its request id and payload; `None`
/// while the frame is incomplete (room is reserved for the rest of it).
pub fn decode(input: &mut BytesMut) -> Result<Option<(u64, Bytes)>, BadLength> {
    if input.len() < 4 {
        return Ok(None);
    }
    let length = u32::from_be_bytes([input[0], input[1], input[2], input[3]]) as usize;
    if !(8..=LENGTH_LIMIT).contains(&length) {
        return Err(BadLength(length));
    }
    if input.len() < 4 + length {
        input.reserve(4 + length - input.len());
        return Ok(None);
    }
    input.advance(4);
    let id = input.get_u64();
    Ok(Some((id, input.split_to(length - 8).freeze())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_round_trips_and_waits_for_its_last_byte() {
        let mut wire = BytesMut::new();
        encode(7, &mut wire, |out| out.put_slice(b"payload"));
        assert_eq!(wire.len(), HEADER + 7);
        let mut partial = BytesMut::from(&wire[..wire.len() - 1]);
        assert_eq!(decode(&mut partial), Ok(None));
        assert_eq!(
            decode(&mut wire),
            Ok(Some((7, Bytes::from_static(b"payload"))))
        );
        assert!(wire.is_empty());
    }

    #[test]
    fn lengths_out_of_bounds_are_refused() {
        let mut short = BytesMut::from(&[0, 0, 0, 7][..]);
        assert_eq!(decode(&mut short), Err(BadLength(7)));
        let mut huge = BytesMut::from(&u32::MAX.to_be_bytes()[..]);
        assert_eq!(decode(&mut huge), Err(BadLength(u32::MAX as usize)));
    }
}
