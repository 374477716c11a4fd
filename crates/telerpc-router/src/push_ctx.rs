//! [`PushCtx`]: the context of a PUSH's handler.

use std::ops::Deref;
use std::sync::Arc;

use crate::MessageCtx;

/// The context of a PUSH's handler: the [`MessageCtx`] it dereferences to. Nothing goes back
/// to the pusher, so there is no reply to shape; the handler may still push or call back
/// through [`session`](MessageCtx::session).
///
/// A cheap handle: clones share one context.
#[derive(Debug, Clone)]
pub struct PushCtx(Arc<MessageCtx>);

impl PushCtx {
    pub(crate) fn new(message: MessageCtx) -> Self {
        Self(Arc::new(message))
    }
}

impl Deref for PushCtx {
    type Target = MessageCtx;

    fn deref(&self) -> &MessageCtx {
        &self.0
    }
}
