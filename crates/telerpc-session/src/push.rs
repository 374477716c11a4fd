//! [`Push`]: a PUSH being sent.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use telerpc_codec::EncodeBody;
use telerpc_socket::{Message, MessageType, Meta, Status};
use telerpc_xfer::XferPipe;
use tokio::time::Instant;

use crate::deadline::deadline_after;
use crate::queue::{encode_frame, Outbound};
use crate::{statuses, BoxFuture, Health, Session};

/// A PUSH being built: set options, then `.await` it to send.
///
/// Made by [`Session::push`]. Awaiting it encodes the body and the frame in the awaiting task
/// under the next seq, and resolves once the frame is queued for the writer (`Ok(())`): a push
/// is one-way, nothing confirms its delivery. It fails with:
///
/// | outcome | result |
/// |---|---|
/// | the body cannot be encoded, or the frame is over the frame limit | `Err(104)` at once |
/// | the outbound queue is full | `Err(104)` at once with [`QueuePolicy::FailFast`](crate::QueuePolicy::FailFast); with `Wait`, waits for room up to the [`timeout`](Self::timeout), then `Err(408)` |
/// | the session is closing or closed | `Err(102)` |
#[must_use = "a push does nothing until it is awaited"]
pub struct Push<'a, A: ?Sized> {
    session: &'a Session,
    service_method: &'a str,
    arg: &'a A,
    meta: Meta,
    codec: Option<u8>,
    xfer_pipe: XferPipe,
    timeout: Option<Duration>,
}

impl<'a, A: EncodeBody + ?Sized> Push<'a, A> {
    pub(crate) fn new(session: &'a Session, service_method: &'a str, arg: &'a A) -> Self {
        Self {
            session,
            service_method,
            arg,
            meta: Meta::new(),
            codec: None,
            xfer_pipe: XferPipe::new(),
            timeout: None,
        }
    }

    /// Adds a meta pair to the PUSH.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.append(key, value);
        self
    }

    /// Sets the codec of the body (default: the config's
    /// [`default_codec`](crate::SessionConfig::default_codec)).
    pub fn codec(mut self, codec_id: u8) -> Self {
        self.codec = Some(codec_id);
        self
    }

    /// Sets the transfer filters of the PUSH's frame.
    pub fn xfer(mut self, xfer_pipe: XferPipe) -> Self {
        self.xfer_pipe = xfer_pipe;
        self
    }

    /// Sets how long the push may wait for room in a full queue (default: the config's
    /// [`call_timeout`](crate::SessionConfig::call_timeout)).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Encodes the frame under the next seq; also returns the PUSH when plugins will want it
    /// once it is queued.
    fn encode(self) -> Result<(Bytes, Option<Message>), Status> {
        let shared = &self.session.shared;
        if !shared.serving() {
            return Err(statuses::session_closed());
        }
        let config = &shared.config;
        let codec = self.codec.unwrap_or(config.default_codec());
        let mut message = Message::new(MessageType::Push, 0, self.service_method);
        message.meta = self.meta;
        message.xfer_pipe = self.xfer_pipe;
        message
            .set_body(config.codecs(), codec, self.arg)
            .map_err(|error| statuses::encode_failed(&error))?;
        let plugins = config.plugins();
        plugins.each(|plugin| plugin.pre_write_push(self.session, &mut message))?;
        message.seq = shared.seq.next();
        let frame =
            encode_frame(config.socket(), &message).map_err(|error| error.write_status())?;
        Ok((frame, (!plugins.is_empty()).then_some(message)))
    }
}

impl<A: EncodeBody + ?Sized> IntoFuture for Push<'_, A> {
    type Output = Result<(), Status>;
    type IntoFuture = BoxFuture<'static, Result<(), Status>>;

    fn into_future(self) -> Self::IntoFuture {
        let shared = Arc::clone(&self.session.shared);
        let timeout = self.timeout.unwrap_or(shared.config.call_timeout());
        let deadline = deadline_after(Instant::now(), timeout);
        let encoded = self.encode();
        Box::pin(async move {
            let (frame, written) = encoded?;
            let outbound = Outbound {
                frames: frame,
                count: 1,
                link: None,
            };
            let policy = shared.config.queue_policy();
            let ended = || shared.until(|health| health == Health::Closed);
            shared
                .queue
                .send(outbound, policy, Some((deadline, timeout)), ended)
                .await?;
            match written {
                Some(push) => {
                    let session = Session { shared };
                    let plugins = session.shared.config.plugins();
                    plugins.each(|plugin| plugin.post_write_push(&session, &push))
                }
                None => Ok(()),
            }
        })
    }
}

impl<A: ?Sized> fmt::Debug for Push<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Push")
            .field("session", self.session)
            .field("service_method", &self.service_method)
            .field("meta", &self.meta)
            .field("codec", &self.codec)
            .field("xfer_pipe", &self.xfer_pipe)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
