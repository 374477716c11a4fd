//! The shared mechanics of filters that append a checksum of their input.

use bytes::BytesMut;

use crate::XferError;

/// Appends `input` followed by its checksum `N` bytes long.
pub(crate) fn append_with_trailer<const N: usize>(
    input: &[u8],
    out: &mut BytesMut,
    checksum: impl FnOnce(&[u8]) -> [u8; N],
) {
    out.reserve(input.len() + N);
    out.extend_from_slice(input);
    out.extend_from_slice(&checksum(input));
}

/// Verifies the `N`-byte checksum that ends `input` and appends the data
/// before it to `out`.
///
/// Fails with [`XferError::Truncated`] when `input` is shorter than `N`,
/// [`XferError::LimitExceeded`] when the data is longer than `limit` (checked
/// before hashing), and [`XferError::ChecksumMismatch`] when the trailer is wrong.
pub(crate) fn strip_trailer<const N: usize>(
    filter: &'static str,
    input: &[u8],
    limit: usize,
    out: &mut BytesMut,
    checksum: impl FnOnce(&[u8]) -> [u8; N],
) -> Result<(), XferError> {
    let Some(data_len) = input.len().checked_sub(N) else {
        return Err(XferError::Truncated { filter });
    };
    let (data, trailer) = input.split_at(data_len);
    if data.len() > limit {
        return Err(XferError::LimitExceeded { filter, limit });
    }
    if checksum(data)[..] != trailer[..] {
        return Err(XferError::ChecksumMismatch { filter });
    }
    out.extend_from_slice(data);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sum(data: &[u8]) -> [u8; 2] {
        let total = data.iter().map(|&b| u16::from(b)).sum::<u16>();
        total.to_be_bytes()
    }

    #[test]
    fn round_trips() {
        let mut packed = BytesMut::new();
        append_with_trailer(b"abc", &mut packed, sum);
        assert_eq!(&packed[..], &[b'a', b'b', b'c', 0x01, 0x26]);
        let mut out = BytesMut::new();
        strip_trailer("sum", &packed, 3, &mut out, sum).unwrap();
        assert_eq!(&out[..], b"abc");
    }

    #[test]
    fn refuses_short_wrong_and_oversized_input() {
        let mut out = BytesMut::new();
        assert!(matches!(
            strip_trailer("sum", &[1], 10, &mut out, sum),
            Err(XferError::Truncated { filter: "sum" })
        ));
        assert!(matches!(
            strip_trailer("sum", &[1, 0, 2], 10, &mut out, sum),
            Err(XferError::ChecksumMismatch { filter: "sum" })
        ));
        assert!(matches!(
            strip_trailer("sum", &[1, 0, 1], 0, &mut out, sum),
            Err(XferError::LimitExceeded {
                filter: "sum",
                limit: 0
            })
        ));
        assert!(out.is_empty());
    }
}
