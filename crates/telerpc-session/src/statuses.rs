//! The statuses this tier answers with, their causes worded in one place.

use std::time::Duration;

use telerpc_socket::{code, Status};

/// 102: the session is closing or closed, so nothing more is sent.
pub(crate) fn session_closed() -> Status {
    Status::from_code(code::CONN_CLOSED).with_cause("the session is closed")
}

/// 102: the connection ended while the call awaited its reply.
pub(crate) fn connection_lost() -> Status {
    Status::from_code(code::CONN_CLOSED)
        .with_cause("the connection closed before the reply arrived")
}

/// 104: the outbound queue is full and the policy is to fail fast.
pub(crate) fn queue_full(capacity: usize) -> Status {
    Status::from_code(code::WRITE_FAILED)
        .with_cause(format!("the outbound queue is full ({capacity} frames)"))
}

/// 104: the body could not be encoded.
pub(crate) fn encode_failed(error: &telerpc_codec::CodecError) -> Status {
    Status::from_code(code::WRITE_FAILED).with_cause(error.to_string())
}

/// 408: the call's deadline passed.
pub(crate) fn call_timed_out(timeout: Duration) -> Status {
    Status::from_code(code::HANDLE_TIMEOUT)
        .with_cause(format!("the call timed out after {timeout:?}"))
}

/// 408: the queue stayed full until the deadline.
pub(crate) fn queue_wait_timed_out(timeout: Duration) -> Status {
    Status::from_code(code::HANDLE_TIMEOUT)
        .with_cause(format!("the outbound queue stayed full for {timeout:?}"))
}

/// 408: the handler did not finish before the caller's deadline.
pub(crate) fn handler_timed_out() -> Status {
    Status::from_code(code::HANDLE_TIMEOUT)
        .with_cause("the handler did not finish before the caller's deadline")
}

/// 400: a reply that cannot be read as the caller's result.
pub(crate) fn bad_reply(cause: impl Into<String>) -> Status {
    Status::from_code(code::BAD_MESSAGE).with_cause(cause)
}

/// 400: a CALL without a service method.
pub(crate) fn empty_service_method() -> Status {
    Status::from_code(code::BAD_MESSAGE).with_cause("the call has no service method")
}

/// 404: no handler.
pub(crate) fn no_handler() -> Status {
    Status::from_code(code::NOT_FOUND)
}

/// 500: the handler panicked.
pub(crate) fn handler_panicked(panic: &str) -> Status {
    Status::from_code(code::INTERNAL_SERVER_ERROR).with_cause(panic.to_owned())
}

/// 500: the handler answered with a body but no codec.
pub(crate) fn reply_without_codec() -> Status {
    Status::from_code(code::INTERNAL_SERVER_ERROR)
        .with_cause("the handler answered with a body but no codec")
}
