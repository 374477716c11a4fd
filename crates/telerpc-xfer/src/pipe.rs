//! [`XferPipe`]: the filter ids a message carries.

use std::fmt;

use bytes::Bytes;

use crate::XferError;

/// The ordered filter ids a message carries (outer-most first), at most 255.
///
/// The first id names the filter applied last when packing, so the one a
/// receiver undoes first: [`FilterRegistry::pack`](crate::FilterRegistry::pack)
/// walks the ids last-to-first and
/// [`FilterRegistry::unpack`](crate::FilterRegistry::unpack) first-to-last,
/// as eRPC does. A frame stores the count in one byte, hence the 255 cap.
///
/// `Debug` shows printable ASCII ids as characters and others in hex:
/// `XferPipe(['g', 'm', 0x01])`.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct XferPipe(Bytes);

impl XferPipe {
    /// The most ids a pipe can hold: a frame stores the count in one byte.
    pub const MAX_LEN: usize = 255;

    /// An empty pipe: the payload travels as it is. Does not allocate.
    pub const fn new() -> Self {
        Self(Bytes::new())
    }

    /// A pipe of these ids, outer-most first.
    ///
    /// Returns [`XferError::PipeTooLong`] for more than [`Self::MAX_LEN`] ids.
    /// Ids are not checked against a registry here; see
    /// [`FilterRegistry::check`](crate::FilterRegistry::check).
    pub fn from_ids(ids: impl Into<Bytes>) -> Result<Self, XferError> {
        let ids = ids.into();
        if ids.len() > Self::MAX_LEN {
            return Err(XferError::PipeTooLong(ids.len()));
        }
        Ok(Self(ids))
    }

    /// The ids, outer-most first.
    pub fn ids(&self) -> &[u8] {
        &self.0
    }

    /// The number of ids.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the pipe has no ids (the payload travels unfiltered).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids as shared bytes, without copying.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl AsRef<[u8]> for XferPipe {
    fn as_ref(&self) -> &[u8] {
        self.ids()
    }
}

impl fmt::Debug for XferPipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("XferPipe")
            .field(&IdList(self.ids()))
            .finish()
    }
}

/// Formats a list of filter ids with [`FilterId`].
struct IdList<'a>(&'a [u8]);

impl fmt::Debug for IdList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|&id| FilterId(id)))
            .finish()
    }
}

/// Formats one filter id as a quoted character when it is printable ASCII
/// (`'g'`), else in hex (`0x07`).
#[derive(Clone, Copy)]
pub(crate) struct FilterId(pub(crate) u8);

impl fmt::Display for FilterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_ascii_graphic() {
            write!(f, "'{}'", char::from(self.0))
        } else {
            write!(f, "{:#04x}", self.0)
        }
    }
}

impl fmt::Debug for FilterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_is_empty_and_equals_default() {
        const EMPTY: XferPipe = XferPipe::new();
        assert!(EMPTY.is_empty());
        assert_eq!(EMPTY.len(), 0);
        assert_eq!(EMPTY, XferPipe::default());
    }

    #[test]
    fn keeps_ids_in_order() {
        let pipe = XferPipe::from_ids(&b"gmz"[..]).unwrap();
        assert_eq!(pipe.ids(), b"gmz");
        assert_eq!(pipe.len(), 3);
        assert_eq!(pipe.as_ref(), b"gmz");
        assert_eq!(pipe.into_bytes(), Bytes::from_static(b"gmz"));
    }

    #[test]
    fn accepts_255_ids_and_refuses_256() {
        assert_eq!(XferPipe::from_ids(vec![b'g'; 255]).unwrap().len(), 255);
        assert!(matches!(
            XferPipe::from_ids(vec![b'g'; 256]),
            Err(XferError::PipeTooLong(256))
        ));
    }

    #[test]
    fn debug_prints_printable_ids_as_chars() {
        let pipe = XferPipe::from_ids(vec![b'g', b'm', 0x01, b' ', 0xff]).unwrap();
        assert_eq!(
            format!("{pipe:?}"),
            "XferPipe(['g', 'm', 0x01, 0x20, 0xff])"
        );
        assert_eq!(format!("{:?}", XferPipe::new()), "XferPipe([])");
    }
}
