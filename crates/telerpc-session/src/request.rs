//! [`Request`]: an inbound CALL or PUSH as a [`Handler`](crate::Handler) receives it.

use telerpc_codec::DecodeBody;
use telerpc_socket::{code, Message, Status};
use tokio::time::Instant;

use crate::Session;

/// An inbound CALL or PUSH: the message, the session it came on, and the caller's deadline.
///
/// The session is a full handle: a handler may call or push back to the peer through it.
#[derive(Debug)]
pub struct Request {
    session: Session,
    message: Message,
    deadline: Option<Instant>,
}

impl Request {
    pub(crate) fn new(session: Session, message: Message, deadline: Option<Instant>) -> Self {
        Self {
            session,
            message,
            deadline,
        }
    }

    /// The session the message came on.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The message as received.
    pub fn message(&self) -> &Message {
        &self.message
    }

    /// The message as received, to change: what a plugin's read hooks get (a router runs its
    /// plugins' hooks through it).
    pub fn message_mut(&mut self) -> &mut Message {
        &mut self.message
    }

    /// The message's service method, such as `/math/add`.
    pub fn service_method(&self) -> &str {
        &self.message.service_method
    }

    /// When the caller stops waiting: the instant the CALL arrived plus the time left it
    /// carried in [`TIMEOUT_META_KEY`](crate::TIMEOUT_META_KEY). The session drops the handler
    /// and answers 408 when it passes. `None` for a PUSH and for a CALL that carried no time
    /// left (as from an eRPC peer): the handler then runs until it finishes or the connection
    /// ends.
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Decodes the body as `T` with the codec the message names, from the session's codec
    /// registry. A body that does not decode, or an unknown codec, is status 400 Bad Message
    /// with the decode error as the cause (spec §6): return it as the reply.
    pub fn body_as<T: DecodeBody>(&self) -> Result<T, Status> {
        self.message
            .body_as(self.session.config().codecs())
            .map_err(|error| Status::from_code(code::BAD_MESSAGE).with_cause(error.to_string()))
    }

    /// The message, consuming the request.
    pub fn into_message(self) -> Message {
        self.message
    }
}
