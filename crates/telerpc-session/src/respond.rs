//! Sending the REPLY to an inbound CALL.

use std::sync::Arc;

use bytes::BytesMut;
use telerpc_xfer::XferPipe;

use crate::job::Answer;
use crate::link::Link;
use crate::replies::Replies;
use crate::shared::Shared;
use crate::{statuses, Reply, SessionError};

/// Appends the REPLY frame answering the CALL `seq` that came through `xfer_pipe` with
/// `reply` to `out`; returns whether it did.
///
/// An OK reply with a body but no codec becomes 500. The plugins'
/// [`pre_write_reply`](crate::Plugin::pre_write_reply) hooks run before it is framed (one that
/// refuses it makes it an error reply with its status), their
/// [`post_write_reply`](crate::Plugin::post_write_reply) hooks after. A reply that cannot be
/// framed becomes 104 with the reason as the cause, reported through `on_error`; if not even
/// that can be framed, nothing is appended. A failed encode leaves `out` as it was.
pub(crate) fn encode_reply(
    shared: &Arc<Shared>,
    seq: i32,
    xfer_pipe: XferPipe,
    reply: Reply,
    out: &mut BytesMut,
) -> bool {
    let reply = if reply.lacks_codec() {
        Reply::from(statuses::reply_without_codec())
    } else {
        reply
    };
    let socket = shared.config.socket();
    let plugins = shared.config.plugins();
    let mut message = reply.into_message(seq, xfer_pipe);
    let session = (!plugins.is_empty()).then(|| shared.session());
    if let Some(session) = &session {
        if let Err(status) = plugins.each(|plugin| plugin.pre_write_reply(session, &mut message)) {
            message = Reply::from(status).into_message(seq, message.xfer_pipe);
        }
    }
    let Err(error) = socket.proto().encode(&message, socket.frame_limit(), out) else {
        if let Some(session) = &session {
            if let Err(status) = plugins.each(|plugin| plugin.post_write_reply(session, &message)) {
                tracing::debug!(seq, %status, "a plugin objected to a reply already written");
            }
        }
        return true;
    };
    let status = error.write_status();
    shared.report(&SessionError::Reply { seq, source: error });
    let fallback = Reply::from(status).into_message(seq, message.xfer_pipe);
    match socket.proto().encode(&fallback, socket.frame_limit(), out) {
        Ok(()) => true,
        Err(error) => {
            tracing::warn!(seq, %error, "not even an error reply could be framed");
            false
        }
    }
}

/// Queues the REPLY of `answer` to the CALL that came on `link`: a batch of one (see
/// [`Replies::queue`]).
pub(crate) async fn send_reply(link: &Link, answer: Answer) {
    let shared = Arc::clone(answer.working.shared());
    let mut replies = Replies::default();
    replies.add(&shared, answer);
    replies.queue(&shared, link).await;
}
