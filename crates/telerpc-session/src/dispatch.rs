//! Dispatch: where each inbound message goes.

use std::sync::Arc;

use telerpc_socket::{Message, MessageType, Status};
use tokio::time::Instant;

use crate::deadline::decode_time_left;
use crate::execution::Executor;
use crate::in_flight::Working;
use crate::job::{Answer, Job};
use crate::link::Link;
use crate::replies::Replies;
use crate::shared::Shared;
use crate::{statuses, Handler, Reply, Request, SessionError, TIMEOUT_META_KEY};

/// Sends `message`, just read from `link`, where it belongs (spec §6):
///
/// | message | goes to |
/// |---|---|
/// | REPLY | the pending call with its seq; dropped (logged) when none waits |
/// | CALL while closing | REPLY 102 |
/// | CALL without a service method | REPLY 400 |
/// | CALL without a handler | REPLY 404 |
/// | CALL | the handler, through the executor, with the deadline it carries |
/// | PUSH while closing, without a service method or a handler | dropped |
/// | PUSH | the handler, through the executor |
/// | AUTH_CALL, AUTH_REPLY | an error: the connection must close |
///
/// Before that, the plugins' read hooks run on a CALL, PUSH or REPLY; one that refuses it
/// answers a CALL with its status, drops a PUSH, or fails the call a REPLY answers.
///
/// Resolves once the message is handed over; while the executor has no room, it waits, and
/// so reading pauses. A CALL's deadline counts from `arrived`, when the read that completed
/// its frame returned. The REPLYs of handlers that finish at once join `replies`.
pub(crate) async fn dispatch(
    shared: &Arc<Shared>,
    link: &Arc<Link>,
    executor: &Executor,
    mut message: Message,
    arrived: Instant,
    replies: &mut Replies,
) -> Result<(), SessionError> {
    shared.heard(&message);
    if let Err(status) = read_hooks(shared, &mut message) {
        match message.mtype {
            MessageType::Reply => {
                message.status = Some(status);
                message.body_codec = telerpc_codec::id::NONE;
                message.body = bytes::Bytes::new();
            }
            MessageType::Call => {
                refuse(shared, message, status, replies);
                return Ok(());
            }
            _ => {
                let service_method = &message.service_method;
                tracing::debug!(%service_method, %status, "a plugin dropped a push");
                return Ok(());
            }
        }
    }
    match message.mtype {
        MessageType::Reply => {
            let seq = message.seq;
            if !shared.pending.complete(message) {
                tracing::debug!(seq, "dropped a reply that no call awaits");
            }
        }
        MessageType::Call => match accept_call(shared, &message) {
            Ok(handler) => {
                let deadline = message
                    .meta
                    .get(TIMEOUT_META_KEY)
                    .and_then(|left| decode_time_left(left, arrived));
                let request = Request::new(shared.session(), message, deadline);
                let job = Job::new(shared, Arc::clone(link), Arc::clone(handler), request);
                executor.run(shared, job, replies).await;
            }
            Err(status) => refuse(shared, message, status, replies),
        },
        MessageType::Push => match &shared.handler {
            Some(handler) if shared.serving() && !message.service_method.is_empty() => {
                let request = Request::new(shared.session(), message, None);
                let job = Job::new(shared, Arc::clone(link), Arc::clone(handler), request);
                executor.run(shared, job, replies).await;
            }
            _ => tracing::debug!(
                service_method = %message.service_method,
                "dropped a push: no handler, no service method, or closing"
            ),
        },
        MessageType::AuthCall | MessageType::AuthReply => {
            return Err(SessionError::ProtocolViolation(message.mtype));
        }
    }
    Ok(())
}

/// Answers the CALL `call` with `status`, without a handler.
fn refuse(shared: &Arc<Shared>, call: Message, status: Status, replies: &mut Replies) {
    let answer = Answer {
        seq: call.seq,
        xfer_pipe: call.xfer_pipe,
        reply: Reply::from(status),
        working: Working::new(shared),
    };
    replies.add(shared, answer);
}

/// Runs the plugins' header hooks, then their body hooks, on a CALL, PUSH or REPLY just read.
/// An AUTH_* message is left to the caller to refuse.
fn read_hooks(shared: &Arc<Shared>, message: &mut Message) -> Result<(), Status> {
    let plugins = shared.config.plugins();
    if plugins.is_empty() {
        return Ok(());
    }
    let session = shared.session();
    let s = &session;
    match message.mtype {
        MessageType::Call => {
            plugins.each(|p| p.post_read_call_header(s, message))?;
            plugins.each(|p| p.post_read_call_body(s, message))
        }
        MessageType::Push => {
            plugins.each(|p| p.post_read_push_header(s, message))?;
            plugins.each(|p| p.post_read_push_body(s, message))
        }
        MessageType::Reply => {
            plugins.each(|p| p.post_read_reply_header(s, message))?;
            plugins.each(|p| p.post_read_reply_body(s, message))
        }
        MessageType::AuthCall | MessageType::AuthReply => Ok(()),
    }
}

/// The handler that answers `call`, or the status to answer it with instead.
fn accept_call<'a>(shared: &'a Shared, call: &Message) -> Result<&'a Arc<dyn Handler>, Status> {
    if !shared.serving() {
        Err(statuses::session_closed())
    } else if call.service_method.is_empty() {
        Err(statuses::empty_service_method())
    } else {
        shared.handler.as_ref().ok_or_else(statuses::no_handler)
    }
}
