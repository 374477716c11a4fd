//! Draining a decompressor without ever holding more than the limit.

use std::io::{self, Read};

use bytes::{Bytes, BytesMut};

use crate::XferError;

/// The most bytes asked of a decompressor at once.
const CHUNK_LEN: usize = 16 * 1024;

/// Reads `decoder` to its end and appends what it yields to `out`.
///
/// At most `limit + 1` bytes are ever read, one more than allowed only to
/// learn that the limit is exceeded ([`XferError::LimitExceeded`]). The
/// output grows geometrically but never past `limit`, so a decompression bomb
/// costs at most `limit` bytes plus one chunk on the stack. Decoder errors
/// become [`XferError::Corrupt`]. On error, `out` is left as it was.
pub(crate) fn read_to_limit(
    mut decoder: impl Read,
    filter: &'static str,
    limit: usize,
    out: &mut BytesMut,
) -> Result<(), XferError> {
    let mut unpacked = Vec::new();
    let mut chunk = [0u8; CHUNK_LEN];
    loop {
        let room = limit - unpacked.len();
        let wanted = room.saturating_add(1).min(CHUNK_LEN);
        let read = match decoder.read(&mut chunk[..wanted]) {
            Ok(0) => break,
            Ok(read) => read,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(source) => return Err(XferError::Corrupt { filter, source }),
        };
        if read > room {
            return Err(XferError::LimitExceeded { filter, limit });
        }
        reserve_within(&mut unpacked, read, limit);
        unpacked.extend_from_slice(&chunk[..read]);
    }
    if out.is_empty() {
        *out = BytesMut::from(Bytes::from(unpacked));
    } else {
        out.extend_from_slice(&unpacked);
    }
    Ok(())
}

/// Makes room for `additional` more bytes, doubling the capacity as a `Vec`
/// would but never past `limit` (the caller guarantees
/// `len + additional <= limit`).
fn reserve_within(buffer: &mut Vec<u8>, additional: usize, limit: usize) {
    if buffer.capacity() - buffer.len() >= additional {
        return;
    }
    let target = (buffer.capacity() * 2)
        .max(buffer.len() + additional)
        .max(CHUNK_LEN)
        .min(limit);
    buffer.reserve_exact(target - buffer.len());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_everything_up_to_the_limit() {
        let data = vec![7u8; 100_000];
        let mut out = BytesMut::new();
        read_to_limit(&data[..], "test", data.len(), &mut out).unwrap();
        assert_eq!(&out[..], &data[..]);
    }

    #[test]
    fn stops_one_byte_past_the_limit() {
        let data = vec![7u8; 100_001];
        let mut out = BytesMut::from(&b"kept"[..]);
        let error = read_to_limit(&data[..], "test", 100_000, &mut out).unwrap_err();
        assert!(matches!(
            error,
            XferError::LimitExceeded {
                filter: "test",
                limit: 100_000
            }
        ));
        assert_eq!(&out[..], b"kept");
    }

    #[test]
    fn never_grows_past_the_limit() {
        let limit = 40_000;
        let mut buffer = Vec::new();
        for _ in 0..limit / 1000 {
            reserve_within(&mut buffer, 1000, limit);
            buffer.extend_from_slice(&[0; 1000]);
        }
        assert_eq!(buffer.len(), limit);
        assert_eq!(buffer.capacity(), limit);
    }

    #[test]
    fn appends_after_existing_content() {
        let mut out = BytesMut::from(&b"head:"[..]);
        read_to_limit(&b"tail"[..], "test", 4, &mut out).unwrap();
        assert_eq!(&out[..], b"head:tail");
    }

    #[test]
    fn zero_limit_accepts_only_empty_output() {
        let mut out = BytesMut::new();
        read_to_limit(&b""[..], "test", 0, &mut out).unwrap();
        assert!(out.is_empty());
        assert!(read_to_limit(&b"x"[..], "test", 0, &mut out).is_err());
    }
}
