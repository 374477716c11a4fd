//! The [`Crc32`] filter: a CRC-32 trailer.

use bytes::BytesMut;

use crate::trailer::{append_with_trailer, strip_trailer};
use crate::{Filter, XferError};

/// Cheap integrity check with a CRC-32 trailer (a telerpc addition).
///
/// **Wire layout.** Packing appends the CRC-32 of the input as 4 big-endian
/// bytes: `data ‖ crc32(data)`. The checksum is the IEEE 802.3 CRC-32
/// (polynomial 0x04C11DB7 reflected, initial value and final xor 0xFFFFFFFF,
/// as zlib, gzip and Go's `hash/crc32.ChecksumIEEE` compute it; `"123456789"`
/// gives `0xCBF43926`). Unpacking requires at least 4 bytes
/// ([`XferError::Truncated`] otherwise), verifies the trailer
/// ([`XferError::ChecksumMismatch`]) and yields the data before it.
///
/// **eRPC compatibility.** eRPC has no such filter; a Go peer needs a small
/// custom filter doing the above under the same id. The default id is `c`
/// (0x63).
///
/// CRC-32 catches every burst error up to 32 bits and is much faster than
/// [`Md5`](crate::Md5), but it is no defence against deliberate tampering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Crc32 {
    id: u8,
}

impl Crc32 {
    /// The default id, `c` (0x63).
    pub const DEFAULT_ID: u8 = b'c';

    /// The length of the trailer.
    pub const CHECKSUM_LEN: usize = 4;

    /// This filter under another id.
    pub const fn new(id: u8) -> Self {
        Self { id }
    }
}

impl Default for Crc32 {
    /// The filter under id `c`.
    fn default() -> Self {
        Self::new(Self::DEFAULT_ID)
    }
}

fn checksum(data: &[u8]) -> [u8; Crc32::CHECKSUM_LEN] {
    crc32fast::hash(data).to_be_bytes()
}

impl Filter for Crc32 {
    fn id(&self) -> u8 {
        self.id
    }

    fn name(&self) -> &'static str {
        "crc32"
    }

    fn pack(&self, input: &[u8], out: &mut BytesMut) -> Result<(), XferError> {
        append_with_trailer(input, out, checksum);
        Ok(())
    }

    fn unpack(&self, input: &[u8], limit: usize, out: &mut BytesMut) -> Result<(), XferError> {
        strip_trailer(self.name(), input, limit, out, checksum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_ieee_check_value_big_endian() {
        let mut out = BytesMut::new();
        Crc32::default().pack(b"123456789", &mut out).unwrap();
        assert_eq!(&out[..], b"123456789\xcb\xf4\x39\x26");
    }

    #[test]
    fn unpack_strips_a_valid_checksum() {
        let mut out = BytesMut::new();
        Crc32::default()
            .unpack(b"123456789\xcb\xf4\x39\x26", 9, &mut out)
            .unwrap();
        assert_eq!(&out[..], b"123456789");
    }

    #[test]
    fn unpack_refuses_short_or_damaged_input() {
        let crc32 = Crc32::default();
        let mut out = BytesMut::new();
        assert!(matches!(
            crc32.unpack(b"abc", 100, &mut out),
            Err(XferError::Truncated { filter: "crc32" })
        ));
        assert!(matches!(
            crc32.unpack(b"123456789\xcb\xf4\x39\x27", 100, &mut out),
            Err(XferError::ChecksumMismatch { filter: "crc32" })
        ));
        assert!(matches!(
            crc32.unpack(b"123456789\xcb\xf4\x39\x26", 8, &mut out),
            Err(XferError::LimitExceeded {
                filter: "crc32",
                limit: 8
            })
        ));
    }

    #[test]
    fn keeps_its_id() {
        assert_eq!(Crc32::default().id(), b'c');
        assert_eq!(Crc32::new(b'C').id(), b'C');
    }
}
