//! [`SessionError`]: what went wrong on a session, as reported to its
//! [`EventListener`](crate::EventListener).

use telerpc_socket::{MessageType, ProtoError, SocketError};

/// An error on a session, reported through
/// [`EventListener::on_error`](crate::EventListener::on_error).
///
/// Callers never see these: a call or push that fails gets a [`Status`](telerpc_socket::Status)
/// instead. Each variant says what the session did about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The connection could not be read: an I/O error, a frame that cannot be read, or the end
    /// of the stream inside a frame. The connection was closed and pending calls failed with
    /// 102.
    #[error("reading the connection failed: {0}")]
    Read(#[source] SocketError),
    /// The connection could not be written. The connection was closed and pending calls
    /// failed with 102.
    #[error("writing the connection failed: {0}")]
    Write(#[source] SocketError),
    /// The peer sent a message that is not allowed once the connection is open (AUTH_CALL or
    /// AUTH_REPLY: this tier does no handshake). The connection was closed, as eRPC does.
    #[error("the peer sent a {0:?} message on an open connection")]
    ProtocolViolation(MessageType),
    /// A handler panicked. A CALL was answered 500 with the panic as the cause; the
    /// connection goes on.
    #[error("the handler of {service_method:?} panicked: {panic}")]
    HandlerPanicked {
        /// The service method of the message being handled.
        service_method: String,
        /// The panic's message.
        panic: String,
    },
    /// A reply could not be framed (over the frame limit, a field too long). The caller was
    /// answered 104 with this error as the cause instead.
    #[error("the reply to seq {seq} could not be framed: {source}")]
    Reply {
        /// The seq of the CALL being answered.
        seq: i32,
        /// Why the frame was refused.
        #[source]
        source: ProtoError,
    },
}
