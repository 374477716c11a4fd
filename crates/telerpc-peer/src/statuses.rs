//! The statuses this tier answers with, their causes worded in one place.

use std::fmt;

use telerpc_socket::{code, Status};

/// The cause of the status, 102 Connection Closed, that a peer answers while it shuts down
/// (see [`Peer::shutdown`](crate::Peer::shutdown)), for callers that tell it apart from other
/// 102s.
pub const SHUTTING_DOWN_CAUSE: &str = "the peer is shutting down";

/// 102: the peer drains; it takes on no new call, session or connection.
pub(crate) fn shutting_down() -> Status {
    Status::from_code(code::CONN_CLOSED).with_cause(SHUTTING_DOWN_CAUSE)
}

/// 102: the shutdown deadline passed before the handler finished.
pub(crate) fn cut_off() -> Status {
    Status::from_code(code::CONN_CLOSED)
        .with_cause("the peer's shutdown deadline passed before the handler finished")
}

/// 102: a served connection over the peer's limit.
pub(crate) fn over_the_limit(max: Option<usize>) -> Status {
    let max = max.map_or_else(|| String::from("its"), |max| max.to_string());
    Status::from_code(code::CONN_CLOSED)
        .with_cause(format!("the peer serves {max} connections at most"))
}

/// 408: the plugins' connection hooks took longer than the handshake timeout.
pub(crate) fn hooks_timed_out() -> Status {
    Status::from_code(code::HANDLE_TIMEOUT)
        .with_cause("the connection's plugin hooks did not finish within the handshake timeout")
}

/// 100: a served connection that could not be set up (a failed TLS handshake, say).
pub(crate) fn setup_failed(error: impl fmt::Display) -> Status {
    Status::from_code(code::WRONG_CONN)
        .with_cause(format!("setting up the connection failed: {error}"))
}

/// 404: the peer has no handler.
pub(crate) fn no_handler() -> Status {
    Status::from_code(code::NOT_FOUND)
}
