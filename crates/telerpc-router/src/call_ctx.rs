//! [`CallCtx`]: the context of a CALL's handler, and the reply it shapes.

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use telerpc_codec::EncodeBody;
use telerpc_session::Reply;
use telerpc_socket::{Meta, Status};

use crate::{statuses, MessageCtx, ACCEPT_BODY_CODEC_META_KEY};

/// The context of a CALL's handler: the [`MessageCtx`] it dereferences to, plus the reply's
/// meta and codec, which the handler (or a middleware) may set.
///
/// A cheap handle: clones share one context, so what a middleware sets before calling the
/// next link is what the handler sees, and the other way round.
///
/// **The reply codec** ([`reply_codec`](Self::reply_codec)) is, as eRPC chooses it (spec §2):
/// 1. the codec set with [`set_reply_codec`](Self::set_reply_codec), if any;
/// 2. else the CALL's [`X-Accept-Body-Codec`](ACCEPT_BODY_CODEC_META_KEY) meta, a decimal
///    codec id, when the session's codec registry knows that codec;
/// 3. else the codec of the CALL's body.
///
/// A typed handler's result is encoded with it when the handler returns, so a handler sets it
/// before returning. **The reply meta** set here is sent with the reply, an error reply too,
/// before any meta a middleware put on the [`Reply`] itself.
#[derive(Clone)]
pub struct CallCtx(Arc<CallState>);

struct CallState {
    message: MessageCtx,
    reply: Mutex<ReplyParts>,
}

#[derive(Debug, Default)]
struct ReplyParts {
    meta: Meta,
    codec: Option<u8>,
}

impl CallCtx {
    pub(crate) fn new(message: MessageCtx) -> Self {
        Self(Arc::new(CallState {
            message,
            reply: Mutex::default(),
        }))
    }

    /// Sets the codec the reply's body is encoded with, by id.
    pub fn set_reply_codec(&self, codec_id: u8) {
        self.reply().codec = Some(codec_id);
    }

    /// The codec the reply's body is encoded with (see the rule above).
    pub fn reply_codec(&self) -> u8 {
        if let Some(codec_id) = self.reply().codec {
            return codec_id;
        }
        self.accepted_codec().unwrap_or_else(|| self.body_codec())
    }

    /// Sets the reply meta `key` to `value`, replacing earlier values of the key.
    pub fn set_reply_meta(&self, key: impl Into<String>, value: impl Into<String>) {
        self.reply().meta.set(key, value);
    }

    /// Adds a reply meta pair after the others.
    pub fn append_reply_meta(&self, key: impl Into<String>, value: impl Into<String>) {
        self.reply().meta.append(key, value);
    }

    /// A copy of the reply meta set so far.
    pub fn reply_meta(&self) -> Meta {
        self.reply().meta.clone()
    }

    /// `value` encoded with the [`reply_codec`](Self::reply_codec) as an OK reply, as a typed
    /// handler's result is. A codec the registry does not know, or a value the codec cannot
    /// carry, is 500 Internal Server Error with the codec error as the cause.
    pub fn encode_reply<T: EncodeBody + ?Sized>(&self, value: &T) -> Result<Reply, Status> {
        Reply::encode(self.codecs(), self.reply_codec(), value).map_err(|error| {
            tracing::debug!(service_method = self.service_method(), %error, "a result did not encode");
            statuses::encode_failed(&error)
        })
    }

    /// The reply the session sends for `outcome`, the end of the handler's chain: the reply
    /// meta set here goes first.
    pub(crate) fn finish(&self, outcome: Result<Reply, Status>) -> Reply {
        let mut meta = std::mem::take(&mut self.reply().meta);
        match outcome {
            Ok(mut reply) => {
                if !meta.is_empty() {
                    for (key, value) in reply.meta.iter() {
                        meta.append(key, value);
                    }
                    reply.meta = meta;
                }
                reply
            }
            Err(status) => Reply {
                meta,
                ..Reply::from(status)
            },
        }
    }

    /// The `X-Accept-Body-Codec` id, if it is a decimal `u8` the registry knows.
    fn accepted_codec(&self) -> Option<u8> {
        let value = self.meta().get(ACCEPT_BODY_CODEC_META_KEY)?;
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let codec_id = value.parse::<u8>().ok()?;
        self.codecs().get(codec_id).map(|_| codec_id)
    }

    fn reply(&self) -> MutexGuard<'_, ReplyParts> {
        self.0.reply.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Deref for CallCtx {
    type Target = MessageCtx;

    fn deref(&self) -> &MessageCtx {
        &self.0.message
    }
}

impl fmt::Debug for CallCtx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallCtx")
            .field("message", &self.0.message)
            .field("reply", &*self.reply())
            .finish()
    }
}
