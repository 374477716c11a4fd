//! The statuses this tier answers with, their causes worded in one place.

use telerpc_codec::CodecError;
use telerpc_socket::query::QueryError;
use telerpc_socket::{code, Status};

/// 404: no route for the call, eRPC's bytes exactly (`code=404&msg=Not%20Found&cause=`).
pub(crate) fn not_found() -> Status {
    Status::from_code(code::NOT_FOUND)
}

/// 400: the service method's query string does not decode.
pub(crate) fn bad_query(error: &QueryError) -> Status {
    Status::from_code(code::BAD_MESSAGE).with_cause(error.to_string())
}

/// 500: the handler's result could not be encoded with the reply codec.
pub(crate) fn encode_failed(error: &CodecError) -> Status {
    Status::from_code(code::INTERNAL_SERVER_ERROR).with_cause(error.to_string())
}
