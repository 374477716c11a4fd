#![forbid(unsafe_code)]
//! Transfer filters: reversible transformations of a message's encoded
//! payload bytes (compression, checksums), tier 2 of telerpc.
//!
//! The socket tier's protocols apply them after encoding a message and
//! before framing it, and undo them on receipt. A frame carries the ids of
//! the filters applied, outer-most first ([`XferPipe`]); a
//! [`FilterRegistry`] maps each id to a [`Filter`] and applies a pipe
//! last-to-first when packing and first-to-last when unpacking, exactly as
//! Go eRPC v6 does. Ids are configuration that both peers must share: eRPC
//! registers none by default, and by convention uses `g` for gzip and `m`
//! for md5. Unpacking is always bounded by a byte limit, so a compressed
//! payload cannot expand beyond what the receiver accepts.
//!
//! | id | filter | name | what it does | eRPC |
//! |---|---|---|---|---|
//! | `g` (0x67) | [`Gzip`] | `gzip-5` | gzip, level 5 | same as `gzip.Reg('g', "gzip-5", 5)` |
//! | `m` (0x6D) | [`Md5`] | `md5` | appends and checks a 16-byte MD5 | same as its md5 filter |
//! | `z` (0x7A) | [`Zstd`] | `zstd-3` | Zstandard, level 3 | none |
//! | `c` (0x63) | [`Crc32`] | `crc32` | appends and checks a 4-byte CRC-32 | none |
//!
//! [`FilterRegistry::default()`] holds these four; [`FilterRegistry::new()`]
//! is empty.
//!
//! ```
//! use bytes::BytesMut;
//! use telerpc_xfer::{FilterRegistry, Gzip, Md5, XferPipe};
//!
//! let registry = FilterRegistry::new()
//!     .with(Gzip::new(b'g', 5))
//!     .with(Md5::default());
//! // On the wire: the gzip of (payload ‖ md5(payload)).
//! let pipe = XferPipe::from_ids(&b"gm"[..])?;
//!
//! let payload = BytesMut::from(&b"hello hello hello hello"[..]);
//! let packed = registry.pack(pipe.ids(), payload)?;
//! let unpacked = registry.unpack(pipe.ids(), packed.freeze(), 1 << 20)?;
//! assert_eq!(&unpacked[..], b"hello hello hello hello");
//! # Ok::<(), telerpc_xfer::XferError>(())
//! ```

mod bounded;
mod crc32;
mod error;
mod filter;
mod gzip;
mod md5;
mod pipe;
mod registry;
mod trailer;
mod zstd;

pub use crate::crc32::Crc32;
pub use crate::error::XferError;
pub use crate::filter::Filter;
pub use crate::gzip::Gzip;
pub use crate::md5::Md5;
pub use crate::pipe::XferPipe;
pub use crate::registry::FilterRegistry;
pub use crate::zstd::Zstd;
