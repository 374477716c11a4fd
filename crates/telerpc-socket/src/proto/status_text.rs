//! The status field's text, shared by every protocol: `None` is written `code=0`.

use bytes::{BufMut, BytesMut};

use crate::{ProtoError, Status};

/// The status text of an OK status: what `None` is written as.
const OK_STATUS: &[u8] = b"code=0";

/// The length of [`write_status`]'s output.
pub(super) fn status_len(status: Option<&Status>) -> usize {
    status.map_or(OK_STATUS.len(), Status::query_len)
}

/// Appends the query-string form of a status; `None` is `code=0`.
pub(super) fn write_status(status: Option<&Status>, out: &mut BytesMut) {
    match status {
        Some(status) => status.encode_query(out),
        None => out.put_slice(OK_STATUS),
    }
}

/// Reads a status query string; one that reads as plain OK (code 0, no message, no cause),
/// the empty string included, is `None`.
pub(super) fn read_status(query: &[u8]) -> Result<Option<Status>, ProtoError> {
    let status = Status::parse_query(query)?;
    let plain_ok = status.is_ok() && status.message().is_empty() && status.cause().is_none();
    Ok((!plain_ok).then_some(status))
}
