//! The [`Md5`] filter: eRPC's `m`, an MD5 trailer.

use ::md5::{Digest as _, Md5 as Md5Hasher};
use bytes::BytesMut;

use crate::trailer::{append_with_trailer, strip_trailer};
use crate::{Filter, XferError};

/// Integrity check with an MD5 trailer, wire-compatible with eRPC's md5 filter.
///
/// **Wire layout.** Packing appends the 16-byte MD5 digest (RFC 1321) of the
/// input to the input unchanged: `data ‖ md5(data)`. Unpacking requires at
/// least 16 bytes ([`XferError::Truncated`] otherwise), recomputes the digest
/// of everything before the last 16 bytes and compares
/// ([`XferError::ChecksumMismatch`] on a difference), then yields that data.
///
/// **eRPC compatibility.** eRPC's `xfer/md5` filter does exactly this; by
/// convention it is registered under id `m` (0x6D), the default here.
///
/// MD5 detects damage, not tampering: anyone can recompute it. It does not
/// authenticate the peer; use TLS for that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Md5 {
    id: u8,
}

impl Md5 {
    /// The conventional id, `m` (0x6D).
    pub const DEFAULT_ID: u8 = b'm';

    /// The length of the trailer: one MD5 digest.
    pub const DIGEST_LEN: usize = 16;

    /// This filter under another id.
    pub const fn new(id: u8) -> Self {
        Self { id }
    }
}

impl Default for Md5 {
    /// The filter under id `m`.
    fn default() -> Self {
        Self::new(Self::DEFAULT_ID)
    }
}

fn digest(data: &[u8]) -> [u8; Md5::DIGEST_LEN] {
    Md5Hasher::digest(data).into()
}

impl Filter for Md5 {
    fn id(&self) -> u8 {
        self.id
    }

    fn name(&self) -> &'static str {
        "md5"
    }

    fn pack(&self, input: &[u8], out: &mut BytesMut) -> Result<(), XferError> {
        append_with_trailer(input, out, digest);
        Ok(())
    }

    fn unpack(&self, input: &[u8], limit: usize, out: &mut BytesMut) -> Result<(), XferError> {
        strip_trailer(self.name(), input, limit, out, digest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_the_rfc_1321_digest() {
        let mut out = BytesMut::new();
        Md5::default().pack(b"", &mut out).unwrap();
        assert_eq!(
            &out[..],
            b"\xd4\x1d\x8c\xd9\x8f\x00\xb2\x04\xe9\x80\x09\x98\xec\xf8\x42\x7e"
        );
        out.clear();
        Md5::default().pack(b"abc", &mut out).unwrap();
        assert_eq!(
            &out[..],
            b"abc\x90\x01\x50\x98\x3c\xd2\x4f\xb0\xd6\x96\x3f\x7d\x28\xe1\x7f\x72"
        );
    }

    #[test]
    fn unpack_strips_a_valid_digest() {
        let mut packed = BytesMut::new();
        Md5::default().pack(b"payload", &mut packed).unwrap();
        let mut out = BytesMut::new();
        Md5::default().unpack(&packed, 7, &mut out).unwrap();
        assert_eq!(&out[..], b"payload");
    }

    #[test]
    fn unpack_refuses_short_or_damaged_input() {
        let md5 = Md5::default();
        let mut out = BytesMut::new();
        assert!(matches!(
            md5.unpack(&[0; 15], 100, &mut out),
            Err(XferError::Truncated { filter: "md5" })
        ));
        let mut packed = BytesMut::new();
        md5.pack(b"payload", &mut packed).unwrap();
        packed[0] ^= 1;
        assert!(matches!(
            md5.unpack(&packed, 100, &mut out),
            Err(XferError::ChecksumMismatch { filter: "md5" })
        ));
    }

    #[test]
    fn keeps_its_id() {
        assert_eq!(Md5::default().id(), b'm');
        assert_eq!(Md5::new(7).id(), 7);
    }
}
