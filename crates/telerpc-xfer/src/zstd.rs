//! The [`Zstd`] filter: Zstandard compression (RFC 8878).

use std::io::{self, Write as _};

use ::zstd::stream::read::Decoder;
use ::zstd::stream::write::Encoder;
use bytes::{BufMut as _, BytesMut};

use crate::bounded::read_to_limit;
use crate::{Filter, XferError};

/// The filter's name for each level from 1 to 22.
const NAMES: [&str; 22] = [
    "zstd-1", "zstd-2", "zstd-3", "zstd-4", "zstd-5", "zstd-6", "zstd-7", "zstd-8", "zstd-9",
    "zstd-10", "zstd-11", "zstd-12", "zstd-13", "zstd-14", "zstd-15", "zstd-16", "zstd-17",
    "zstd-18", "zstd-19", "zstd-20", "zstd-21", "zstd-22",
];

/// Zstandard compression (RFC 8878), a telerpc addition: faster than gzip
/// and smaller at the same speed.
///
/// **Wire layout.** Packing writes one standard Zstandard frame (magic
/// `28 b5 2f fd`) whose header records the content size, with the optional
/// 4-byte content checksum (low bits of XXH64) at its end; the window is no
/// larger than the input needs. Unpacking accepts one or more concatenated
/// frames (skippable frames included), with or without content size and
/// checksum, and checks whatever the frames carry; anything else is
/// [`XferError::Corrupt`].
///
/// **Memory bound.** Unpacking stops with [`XferError::LimitExceeded`] as soon
/// as the output would exceed the limit, and refuses (as
/// [`XferError::Corrupt`]) any frame whose header asks for a window larger
/// than 2^[`Zstd::WINDOW_LOG_MAX`] bytes (8 MiB), so a forged header cannot
/// make the decoder allocate more than about 8 MiB of window on top of the
/// limit. Levels up to 19 compress with a window of at most 8 MiB, and zstd
/// shrinks the window to the input when it knows the input's size (this
/// filter's packing always tells it), so only frames from levels 20–22,
/// long-distance matching or an explicitly larger window are refused, and
/// those packed here only when the input exceeds 8 MiB.
///
/// **eRPC compatibility.** eRPC has no zstd filter; a Go peer can register one
/// under the same id that writes and reads standard frames (for instance with
/// `github.com/klauspost/compress/zstd`). The default is id `z` (0x7A),
/// level 3 (name `zstd-3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Zstd {
    id: u8,
    level: i32,
}

impl Zstd {
    /// The default id, `z` (0x7A).
    pub const DEFAULT_ID: u8 = b'z';

    /// The default level, 3 (zstd's own default).
    pub const DEFAULT_LEVEL: i32 = 3;

    /// The highest level, 22.
    pub const MAX_LEVEL: i32 = 22;

    /// The base-2 logarithm of the largest window a frame may ask for when
    /// unpacking: 23, that is 8 MiB (zstd's own decoder default is 27, 128 MiB).
    pub const WINDOW_LOG_MAX: u32 = 23;

    /// Zstd under this id at this level, 1 (fastest) to 22 (smallest); a
    /// level outside that range is taken as the nearest end of it.
    /// The level affects packing only.
    pub const fn new(id: u8, level: i32) -> Self {
        let level = if level < 1 {
            1
        } else if level > Self::MAX_LEVEL {
            Self::MAX_LEVEL
        } else {
            level
        };
        Self { id, level }
    }

    /// The compression level, 1 to 22.
    pub const fn level(&self) -> i32 {
        self.level
    }

    fn encode(&self, input: &[u8], out: &mut BytesMut) -> io::Result<()> {
        let mut encoder = Encoder::new(out.writer(), self.level)?;
        encoder.set_pledged_src_size(Some(input.len() as u64))?;
        encoder.include_checksum(true)?;
        encoder.write_all(input)?;
        encoder.finish().map(drop)
    }
}

impl Default for Zstd {
    /// Level 3 under id `z`.
    fn default() -> Self {
        Self::new(Self::DEFAULT_ID, Self::DEFAULT_LEVEL)
    }
}

impl Filter for Zstd {
    fn id(&self) -> u8 {
        self.id
    }

    /// `zstd-<level>`.
    fn name(&self) -> &'static str {
        NAMES[(self.level - 1) as usize]
    }

    fn pack(&self, input: &[u8], out: &mut BytesMut) -> Result<(), XferError> {
        self.encode(input, out)
            .map_err(|source| XferError::PackFailed {
                filter: self.name(),
                source,
            })
    }

    fn unpack(&self, input: &[u8], limit: usize, out: &mut BytesMut) -> Result<(), XferError> {
        let filter = self.name();
        let corrupt = |source| XferError::Corrupt { filter, source };
        let mut decoder = Decoder::with_buffer(input).map_err(corrupt)?;
        decoder
            .window_log_max(Self::WINDOW_LOG_MAX)
            .map_err(corrupt)?;
        read_to_limit(decoder, filter, limit, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packed(zstd: Zstd, input: &[u8]) -> BytesMut {
        let mut out = BytesMut::new();
        zstd.pack(input, &mut out).unwrap();
        out
    }

    fn unpacked(input: &[u8], limit: usize) -> Result<BytesMut, XferError> {
        let mut out = BytesMut::new();
        Zstd::default().unpack(input, limit, &mut out).map(|()| out)
    }

    #[test]
    fn default_is_level_3_under_z() {
        let zstd = Zstd::default();
        assert_eq!((zstd.id(), zstd.level(), zstd.name()), (b'z', 3, "zstd-3"));
    }

    #[test]
    fn levels_are_clamped_to_1_through_22() {
        assert_eq!(Zstd::new(b'z', -5).name(), "zstd-1");
        assert_eq!(Zstd::new(b'z', 0).level(), 1);
        assert_eq!(Zstd::new(b'z', 99).name(), "zstd-22");
    }

    #[test]
    fn writes_a_standard_frame_with_checksum() {
        let out = packed(Zstd::default(), b"hello");
        assert_eq!(&out[..4], b"\x28\xb5\x2f\xfd");
        let checksum_flag = out[4] & 0b100;
        assert_ne!(checksum_flag, 0);
    }

    #[test]
    fn every_level_round_trips() {
        let input = b"abcabcabcabc hello hello hello".repeat(50);
        for level in 1..=Zstd::MAX_LEVEL {
            let out = packed(Zstd::new(b'z', level), &input);
            assert_eq!(&unpacked(&out, input.len()).unwrap()[..], &input[..]);
        }
    }

    #[test]
    fn unpacks_concatenated_frames() {
        let mut both = packed(Zstd::default(), b"first ");
        both.extend_from_slice(&packed(Zstd::new(b'z', 19), b"second"));
        assert_eq!(&unpacked(&both, 100).unwrap()[..], b"first second");
    }

    #[test]
    fn refuses_cut_frames_and_trailing_garbage() {
        let whole = packed(Zstd::default(), b"some payload");
        let mut garbage = whole.clone();
        garbage.extend_from_slice(b"xyz");
        for bad in [&whole[..whole.len() - 1], &garbage[..], b"not zstd at all"] {
            assert!(
                matches!(
                    unpacked(bad, 100),
                    Err(XferError::Corrupt {
                        filter: "zstd-3",
                        ..
                    })
                ),
                "{bad:x?}"
            );
        }
    }

    #[test]
    fn refuses_a_window_over_the_cap() {
        let mut encoder = Encoder::new(Vec::new(), 3).unwrap();
        encoder.window_log(Zstd::WINDOW_LOG_MAX + 1).unwrap();
        encoder
            .write_all(b"small input, large declared window")
            .unwrap();
        let frame = encoder.finish().unwrap();
        assert!(matches!(
            unpacked(&frame, 1 << 20),
            Err(XferError::Corrupt { .. })
        ));
    }

    #[test]
    fn stops_at_the_limit() {
        let out = packed(Zstd::default(), &[0; 10_000]);
        assert!(unpacked(&out, 10_000).is_ok());
        assert!(matches!(
            unpacked(&out, 9_999),
            Err(XferError::LimitExceeded {
                filter: "zstd-3",
                limit: 9_999
            })
        ));
    }
}
