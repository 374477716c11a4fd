//! Sending the REPLY to an inbound CALL.

use std::num::NonZeroU64;
use std::sync::Arc;

use telerpc_xfer::XferPipe;

use crate::link::Link;
use crate::queue::{encode_frame, Outbound};
use crate::shared::Shared;
use crate::{statuses, QueuePolicy, Reply, SessionError};

/// Queues the REPLY `reply` to the CALL `seq` that came on `link` through `xfer_pipe`.
///
/// A reply always waits for queue room, until its connection ends (then it is dropped: the
/// caller's side has failed the call already). An OK reply with a body but no codec becomes
/// 500. A reply that cannot be framed becomes 104 with the reason as the cause, reported
/// through `on_error`.
pub(crate) async fn send_reply(
    shared: &Arc<Shared>,
    link: &Link,
    seq: i32,
    xfer_pipe: XferPipe,
    reply: Reply,
) {
    let reply = if reply.lacks_codec() {
        Reply::from(statuses::reply_without_codec())
    } else {
        reply
    };
    let message = reply.into_message(seq, xfer_pipe);
    let frame = match encode_frame(shared.config.socket(), &message) {
        Ok(frame) => frame,
        Err(error) => {
            let status = error.write_status();
            shared.report(&SessionError::Reply { seq, source: error });
            let fallback = Reply::from(status).into_message(seq, message.xfer_pipe);
            match encode_frame(shared.config.socket(), &fallback) {
                Ok(frame) => frame,
                Err(error) => {
                    tracing::warn!(seq, %error, "not even an error reply could be framed");
                    return;
                }
            }
        }
    };
    let outbound = Outbound {
        frame,
        link: NonZeroU64::new(link.serial),
    };
    if let Err(status) = shared
        .queue
        .send(outbound, QueuePolicy::Wait, None, || link.aborted())
        .await
    {
        tracing::debug!(seq, %status, "reply dropped: its connection ended");
    }
}
