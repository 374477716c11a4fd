//! [`Call`]: a CALL being made, and what its reply resolves to.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use telerpc_codec::{id, CodecRegistry, DecodeBody, EncodeBody};
use telerpc_socket::{Message, MessageType, Meta, Status};
use telerpc_xfer::XferPipe;
use tokio::sync::oneshot;
use tokio::time::Instant;

use crate::deadline::{deadline_after, encode_time_left};
use crate::in_flight::Working;
use crate::pending::Refused;
use crate::queue::{encode_frame, Outbound};
use crate::shared::Shared;
use crate::{statuses, BoxFuture, Health, Session, TIMEOUT_META_KEY};

/// Turns a reply into the caller's result.
type Finish<R> = fn(Message, u8, &CodecRegistry) -> Result<R, Status>;

/// A CALL being built: set options, then `.await` it for the reply.
///
/// Made by [`Session::call`]. Awaiting it (through [`IntoFuture`]) encodes the body and the
/// frame in the awaiting task, registers the call under a fresh seq, queues the frame, and
/// waits for the REPLY with the same seq. It resolves to:
///
/// | outcome | result |
/// |---|---|
/// | REPLY, OK, body decodes as `R` | `Ok(R)` |
/// | REPLY with a status that is not OK | `Err(that status)` |
/// | REPLY, OK, body does not decode as `R` | `Err(400)`, the decode error as the cause (eRPC says OK: we do not) |
/// | REPLY, OK, a body but codec 0 | `Err(400)` (eRPC hangs: we do not) |
/// | the body cannot be encoded, or the frame is over the frame limit | `Err(104)` at once |
/// | the outbound queue is full | `Err(104)` at once with [`QueuePolicy::FailFast`](crate::QueuePolicy::FailFast); with `Wait`, waits up to the deadline |
/// | the deadline passes | `Err(408)`, the cause saying the call timed out; a late reply is dropped |
/// | the session is closing or closed | `Err(102)` at once |
/// | the connection ends before the reply | `Err(102)` at once |
///
/// An OK REPLY with codec 0 and an empty body is decoded as an empty body of the call's codec
/// (JSON reads it as `null`, so `()` and `Option` accept it).
///
/// Every call has a deadline: [`timeout`](Self::timeout), else the config's
/// [`call_timeout`](crate::SessionConfig::call_timeout). The time left travels to the callee
/// in [`TIMEOUT_META_KEY`]. Dropping the future cancels the call locally: its pending entry is
/// removed and a late reply is dropped.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, A: ?Sized, R> {
    session: &'a Session,
    service_method: &'a str,
    arg: &'a A,
    meta: Meta,
    timeout: Option<Duration>,
    codec: Option<u8>,
    xfer_pipe: XferPipe,
    finish: Finish<R>,
}

impl<'a, A: EncodeBody + ?Sized, R: DecodeBody> Call<'a, A, R> {
    pub(crate) fn new(session: &'a Session, service_method: &'a str, arg: &'a A) -> Self {
        Self {
            session,
            service_method,
            arg,
            meta: Meta::new(),
            timeout: None,
            codec: None,
            xfer_pipe: XferPipe::new(),
            finish: decode::<R>,
        }
    }
}

impl<'a, A: EncodeBody + ?Sized, R> Call<'a, A, R> {
    /// Adds a meta pair to the CALL. [`TIMEOUT_META_KEY`] is the session's to set.
    pub fn meta(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.meta.append(key, value);
        self
    }

    /// Sets this call's deadline, from when it is awaited (clamped to one year).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the codec of the body (default: the config's
    /// [`default_codec`](crate::SessionConfig::default_codec)).
    pub fn codec(mut self, codec_id: u8) -> Self {
        self.codec = Some(codec_id);
        self
    }

    /// Sets the transfer filters of the CALL's frame; the REPLY comes back through the same.
    pub fn xfer(mut self, xfer_pipe: XferPipe) -> Self {
        self.xfer_pipe = xfer_pipe;
        self
    }

    /// Resolves to the whole REPLY message instead of a decoded body (status not OK, and a
    /// body without a codec, are still errors).
    pub fn raw(self) -> Call<'a, A, Message> {
        self.finishing(raw)
    }

    /// Resolves to the whole REPLY message whatever it says, for a caller that relays it (a
    /// proxy): a status that is not OK is in the message's `status`, with the meta the reply
    /// carried, and a body without a codec is left as it came. Only a call that fails on this
    /// side (not sent, timed out, connection lost: see the table above) is an `Err`.
    pub fn whole(self) -> Call<'a, A, Message> {
        self.finishing(whole)
    }

    /// The same call, its reply turned into the caller's result by `finish` instead.
    fn finishing<T>(self, finish: Finish<T>) -> Call<'a, A, T> {
        Call {
            session: self.session,
            service_method: self.service_method,
            arg: self.arg,
            meta: self.meta,
            timeout: self.timeout,
            codec: self.codec,
            xfer_pipe: self.xfer_pipe,
            finish,
        }
    }

    /// Encodes and registers the call: everything but the waiting.
    fn begin(self) -> Result<Begun<R>, Status> {
        let shared = &self.session.shared;
        if !shared.serving() {
            return Err(statuses::session_closed());
        }
        let config = &shared.config;
        let timeout = self.timeout.unwrap_or(config.call_timeout());
        let now = Instant::now();
        let deadline = deadline_after(now, timeout);
        let codec = self.codec.unwrap_or(config.default_codec());

        let mut message = Message::new(MessageType::Call, 0, self.service_method);
        message.meta = self.meta;
        message
            .meta
            .set(TIMEOUT_META_KEY, encode_time_left(now, deadline));
        message.xfer_pipe = self.xfer_pipe;
        message
            .set_body(config.codecs(), codec, self.arg)
            .map_err(|error| statuses::encode_failed(&error))?;

        let (registered, reply) = Registered::register(shared)?;
        message.seq = registered.seq;
        let plugins = config.plugins();
        plugins.each(|plugin| plugin.pre_write_call(self.session, &mut message))?;
        let frame =
            encode_frame(config.socket(), &message).map_err(|error| error.write_status())?;
        Ok(Begun {
            written: (!plugins.is_empty()).then_some(message),
            registered,
            frame,
            reply,
            deadline,
            timeout,
            codec,
            finish: self.finish,
        })
    }
}

/// A call encoded and registered, ready to be queued.
struct Begun<R> {
    /// The CALL, kept for the plugins' [`post_write_call`](crate::Plugin::post_write_call).
    written: Option<Message>,
    registered: Registered,
    frame: bytes::Bytes,
    reply: oneshot::Receiver<Message>,
    deadline: Instant,
    timeout: Duration,
    codec: u8,
    finish: Finish<R>,
}

/// A call's entry in the pending table, removed when dropped (reply, deadline, cancellation),
/// and counted as in-flight work while it lives.
struct Registered {
    working: Working,
    seq: i32,
}

impl Registered {
    /// Registers a call under the next free seq.
    fn register(shared: &Arc<Shared>) -> Result<(Self, oneshot::Receiver<Message>), Status> {
        loop {
            let seq = shared.seq.next();
            let (sender, reply) = oneshot::channel();
            match shared.pending.register(seq, sender) {
                Ok(()) => {
                    let working = Working::new(shared);
                    return Ok((Self { working, seq }, reply));
                }
                Err(Refused::Taken) => continue,
                Err(Refused::Closed) => return Err(statuses::session_closed()),
            }
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.working.shared().pending.cancel(self.seq);
    }
}

impl<A: EncodeBody + ?Sized, R: Send + 'static> IntoFuture for Call<'_, A, R> {
    type Output = Result<R, Status>;
    type IntoFuture = BoxFuture<'static, Result<R, Status>>;

    fn into_future(self) -> Self::IntoFuture {
        let shared = Arc::clone(&self.session.shared);
        let begun = self.begin();
        Box::pin(async move {
            let begun = begun?;
            let outbound = Outbound {
                frames: begun.frame,
                count: 1,
                link: None,
            };
            let policy = shared.config.queue_policy();
            let ended = || shared.until(|health| health == Health::Closed);
            shared
                .queue
                .send(
                    outbound,
                    policy,
                    Some((begun.deadline, begun.timeout)),
                    ended,
                )
                .await?;
            if let Some(call) = &begun.written {
                let session = Session {
                    shared: Arc::clone(&shared),
                };
                shared
                    .config
                    .plugins()
                    .each(|plugin| plugin.post_write_call(&session, call))?;
            }
            let reply = match tokio::time::timeout_at(begun.deadline, begun.reply).await {
                Ok(Ok(reply)) => reply,
                Ok(Err(_)) => return Err(statuses::connection_lost()),
                Err(_) => return Err(statuses::call_timed_out(begun.timeout)),
            };
            drop(begun.registered);
            (begun.finish)(reply, begun.codec, shared.config.codecs())
        })
    }
}

/// The reply's status and body, checked: a status that is not OK is the error; a body
/// without a codec is 400.
fn check(reply: Message) -> Result<Message, Status> {
    if let Some(status) = reply.status.as_ref().filter(|status| !status.is_ok()) {
        return Err(status.clone());
    }
    if reply.body_codec == id::NONE && !reply.body.is_empty() {
        return Err(statuses::bad_reply("the reply has a body but no codec"));
    }
    Ok(reply)
}

/// The reply's body decoded as `R`, with the reply's codec, or the call's when the reply
/// names none (its body is then empty).
fn decode<R: DecodeBody>(
    reply: Message,
    call_codec: u8,
    codecs: &CodecRegistry,
) -> Result<R, Status> {
    let reply = check(reply)?;
    let codec_id = match reply.body_codec {
        id::NONE => call_codec,
        codec_id => codec_id,
    };
    let codec = codecs
        .require(codec_id)
        .map_err(|error| statuses::bad_reply(error.to_string()))?;
    R::decode_body(codec.as_ref(), reply.body)
        .map_err(|error| statuses::bad_reply(error.to_string()))
}

/// The reply itself, checked.
fn raw(reply: Message, _call_codec: u8, _codecs: &CodecRegistry) -> Result<Message, Status> {
    check(reply)
}

/// The reply itself, unchecked.
fn whole(reply: Message, _call_codec: u8, _codecs: &CodecRegistry) -> Result<Message, Status> {
    Ok(reply)
}

impl<A: ?Sized, R> fmt::Debug for Call<'_, A, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("session", self.session)
            .field("service_method", &self.service_method)
            .field("meta", &self.meta)
            .field("timeout", &self.timeout)
            .field("codec", &self.codec)
            .field("xfer_pipe", &self.xfer_pipe)
            .finish_non_exhaustive()
    }
}
