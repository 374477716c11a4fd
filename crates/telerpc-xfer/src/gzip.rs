//! The [`Gzip`] filter: eRPC's `g`, RFC 1952 gzip.

use std::io::Write as _;

use bytes::{BufMut as _, BytesMut};
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;

use crate::bounded::read_to_limit;
use crate::{Filter, XferError};

/// The filter's name for each level, as eRPC names its default (`gzip-5`).
const NAMES: [&str; 10] = [
    "gzip-0", "gzip-1", "gzip-2", "gzip-3", "gzip-4", "gzip-5", "gzip-6", "gzip-7", "gzip-8",
    "gzip-9",
];

/// Gzip compression (RFC 1952), wire-compatible with eRPC's gzip filter.
///
/// **Wire layout.** Packing writes one gzip member: the 10-byte header
/// `1f 8b 08 00 00 00 00 00 XFL ff` (deflate, no flags, no modification
/// time, OS 255 "unknown", XFL 2 at level 9, 4 at levels 0–1, else 0), the
/// deflate stream (RFC 1951), then the CRC-32 and the length of the input,
/// both 4 bytes little-endian. Unpacking accepts one or more concatenated
/// members, as Go's `gzip.Reader` does by default: every member's header
/// (with any optional fields), CRC-32 and length are checked, and anything
/// that is not a whole member is [`XferError::Corrupt`] (so is empty input,
/// which Go refuses too). Unpacking stops with [`XferError::LimitExceeded`]
/// as soon as the output would exceed the limit.
///
/// **eRPC compatibility.** eRPC's example setup registers
/// `gzip.Reg('g', "gzip-5", 5)`; [`Gzip::default`] is that filter: id `g`
/// (0x67), level 5, name `gzip-5`. At level 5 the header is byte-for-byte
/// what Go's `compress/gzip` writes; the deflate bytes may differ from Go's
/// (another encoder) but every gzip reader decodes them to the same payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Gzip {
    id: u8,
    level: u32,
}

impl Gzip {
    /// The conventional id, `g` (0x67).
    pub const DEFAULT_ID: u8 = b'g';

    /// The level eRPC registers, 5.
    pub const DEFAULT_LEVEL: u32 = 5;

    /// The highest level, 9 (best compression).
    pub const MAX_LEVEL: u32 = 9;

    /// Gzip under this id at this level: 0 stores without compressing, 1 is
    /// the fastest, 9 the smallest; a higher level is taken as 9.
    /// The level affects packing only; any level unpacks any gzip data.
    pub const fn new(id: u8, level: u32) -> Self {
        let level = if level > Self::MAX_LEVEL {
            Self::MAX_LEVEL
        } else {
            level
        };
        Self { id, level }
    }

    /// The compression level, 0 to 9.
    pub const fn level(&self) -> u32 {
        self.level
    }
}

impl Default for Gzip {
    /// eRPC's `gzip-5` under id `g`.
    fn default() -> Self {
        Self::new(Self::DEFAULT_ID, Self::DEFAULT_LEVEL)
    }
}

impl Filter for Gzip {
    fn id(&self) -> u8 {
        self.id
    }

    /// `gzip-<level>`, eRPC's naming.
    fn name(&self) -> &'static str {
        NAMES[self.level as usize]
    }

    fn pack(&self, input: &[u8], out: &mut BytesMut) -> Result<(), XferError> {
        let mut encoder = GzEncoder::new(out.writer(), Compression::new(self.level));
        encoder
            .write_all(input)
            .and_then(|()| encoder.finish())
            .map(drop)
            .map_err(|source| XferError::PackFailed {
                filter: self.name(),
                source,
            })
    }

    fn unpack(&self, input: &[u8], limit: usize, out: &mut BytesMut) -> Result<(), XferError> {
        read_to_limit(MultiGzDecoder::new(input), self.name(), limit, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(gzip: Gzip, input: &[u8]) -> BytesMut {
        let mut out = BytesMut::new();
        gzip.pack(input, &mut out).unwrap();
        out
    }

    fn unpacked(input: &[u8], limit: usize) -> Result<BytesMut, XferError> {
        let mut out = BytesMut::new();
        Gzip::default().unpack(input, limit, &mut out).map(|()| out)
    }

    #[test]
    fn default_is_erpcs_gzip_5() {
        let gzip = Gzip::default();
        assert_eq!((gzip.id(), gzip.level(), gzip.name()), (b'g', 5, "gzip-5"));
    }

    #[test]
    fn levels_above_9_mean_9() {
        let gzip = Gzip::new(b'G', 42);
        assert_eq!((gzip.id(), gzip.level(), gzip.name()), (b'G', 9, "gzip-9"));
    }

    #[test]
    fn header_matches_go_compress_gzip() {
        let out = packed(Gzip::default(), b"hello");
        assert_eq!(&out[..10], b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff");
    }

    #[test]
    fn every_level_round_trips() {
        let input = b"abcabcabcabc hello hello hello".repeat(50);
        for level in 0..=9 {
            let out = packed(Gzip::new(b'g', level), &input);
            assert_eq!(&unpacked(&out, input.len()).unwrap()[..], &input[..]);
        }
    }

    #[test]
    fn unpacks_concatenated_members_as_go_does() {
        let mut both = packed(Gzip::default(), b"first ");
        both.extend_from_slice(&packed(Gzip::new(b'g', 9), b"second"));
        assert_eq!(&unpacked(&both, 100).unwrap()[..], b"first second");
    }

    #[test]
    fn refuses_empty_cut_and_trailing_garbage() {
        let whole = packed(Gzip::default(), b"some payload");
        let mut garbage = whole.clone();
        garbage.extend_from_slice(b"xyz");
        for bad in [&[][..], &whole[..whole.len() - 1], &garbage[..]] {
            assert!(
                matches!(
                    unpacked(bad, 100),
                    Err(XferError::Corrupt {
                        filter: "gzip-5",
                        ..
                    })
                ),
                "{bad:x?}"
            );
        }
    }

    #[test]
    fn refuses_a_wrong_crc() {
        let mut out = packed(Gzip::default(), b"some payload");
        let crc_at = out.len() - 8;
        out[crc_at] ^= 0x01;
        assert!(matches!(
            unpacked(&out, 100),
            Err(XferError::Corrupt { .. })
        ));
    }

    #[test]
    fn stops_at_the_limit() {
        let out = packed(Gzip::default(), &[0; 10_000]);
        assert!(unpacked(&out, 10_000).is_ok());
        assert!(matches!(
            unpacked(&out, 9_999),
            Err(XferError::LimitExceeded {
                filter: "gzip-5",
                limit: 9_999
            })
        ));
    }
}
