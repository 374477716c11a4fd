//! The one error type of this crate.

use std::io;

use crate::pipe::FilterId;

/// Why a transfer filter or a pipe could not pack or unpack a payload.
///
/// Every variant that comes from the bytes of a received message (all but
/// [`XferError::PackFailed`]) means the message is unusable: a peer should
/// drop it, and with eRPC's rawproto, close the connection as eRPC does.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum XferError {
    /// The pipe names a filter id that is not registered: register a filter
    /// with that id (both peers must agree on ids), or remove the id from the pipe.
    #[error("transfer filter {id} is not registered", id = FilterId(*.0))]
    UnknownFilter(u8),

    /// The pipe has more ids than a frame can carry (its count is one byte):
    /// use at most [`XferPipe::MAX_LEN`](crate::XferPipe::MAX_LEN) ids.
    #[error("a transfer pipe holds at most 255 filter ids, this one has {0}")]
    PipeTooLong(usize),

    /// Unpacking would produce more than `limit` bytes, so it was stopped
    /// before holding more than that: the payload is oversized or a
    /// decompression bomb; drop the message or raise the limit.
    #[error("{filter}: unpacked data exceeds the limit of {limit} bytes")]
    LimitExceeded {
        /// Name of the filter that stopped.
        filter: &'static str,
        /// The limit that was exceeded, in bytes.
        limit: usize,
    },

    /// The input is not valid data for this filter (a bad header, a cut-off
    /// stream, a failed internal checksum, a window larger than allowed):
    /// the peer used another filter under this id, or the bytes were damaged.
    #[error("{filter}: the data cannot be unpacked")]
    Corrupt {
        /// Name of the filter that failed.
        filter: &'static str,
        /// What the decoder reported.
        #[source]
        source: io::Error,
    },

    /// The checksum carried by the input does not match its data: the bytes
    /// were damaged or tampered with on the way; drop the message.
    #[error("{filter}: checksum mismatch")]
    ChecksumMismatch {
        /// Name of the filter whose checksum failed.
        filter: &'static str,
    },

    /// The input is shorter than the checksum it must end with: the message
    /// was cut off, or the peer did not apply this filter; drop the message.
    #[error("{filter}: input is shorter than its checksum")]
    Truncated {
        /// Name of the filter that found the input too short.
        filter: &'static str,
    },

    /// The compressor itself failed while packing, which only an invalid
    /// filter configuration or an allocation failure can cause: check the
    /// filter's parameters; the message was not sent.
    #[error("{filter}: packing failed")]
    PackFailed {
        /// Name of the filter that failed.
        filter: &'static str,
        /// What the compressor reported.
        #[source]
        source: io::Error,
    },
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn unknown_filter_names_the_id_readably() {
        assert_eq!(
            XferError::UnknownFilter(b'q').to_string(),
            "transfer filter 'q' is not registered"
        );
        assert_eq!(
            XferError::UnknownFilter(0x07).to_string(),
            "transfer filter 0x07 is not registered"
        );
    }

    #[test]
    fn corrupt_keeps_the_decoder_error_as_source() {
        let error = XferError::Corrupt {
            filter: "gzip-5",
            source: io::Error::new(io::ErrorKind::InvalidData, "bad header"),
        };
        assert_eq!(error.to_string(), "gzip-5: the data cannot be unpacked");
        assert_eq!(
            error.source().map(ToString::to_string).as_deref(),
            Some("bad header")
        );
    }

    #[test]
    fn limit_exceeded_says_the_limit() {
        let error = XferError::LimitExceeded {
            filter: "zstd-3",
            limit: 1024,
        };
        assert_eq!(
            error.to_string(),
            "zstd-3: unpacked data exceeds the limit of 1024 bytes"
        );
    }
}
