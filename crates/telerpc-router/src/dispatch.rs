//! The router as a session's [`Handler`]: from an inbound message to its route's chain.

use std::future::ready;
use std::sync::Arc;

use telerpc_session::{BoxFuture, Handler, Plugins, Reply, Request, Session};
use telerpc_socket::{Message, MessageType, Status};

use crate::context::parse_query;
use crate::next::Chain;
use crate::{CallCtx, MessageCtx, Next, PushCtx, PushNext, Router};

impl Handler for Router {
    /// Runs the router's plugins' read hooks, finds the route of the CALL's path (or the call
    /// fallback), runs its groups' plugins' read hooks, builds its context, and runs the
    /// router's middleware, the route's, then the handler; the reply meta set on the context
    /// goes with whatever comes out, then the reply hooks of the groups' plugins and the
    /// router's run on it. A query that does not decode is answered 400; a plugin that refuses
    /// the CALL is answered with its status.
    fn call(&self, mut request: Request) -> BoxFuture<'static, Reply> {
        if let Err(status) = read_hooks(&self.plugins, &mut request) {
            return Box::pin(ready(Reply::from(status)));
        }
        let path_len = path_len(request.service_method());
        let route = match self.calls.get(&request.service_method()[..path_len]) {
            Some(route) => Arc::clone(route),
            None => Arc::clone(&self.fallback_call),
        };
        if let Err(status) = read_hooks(&route.plugins, &mut request) {
            return Box::pin(ready(Reply::from(status)));
        }
        let reply_hooks = (!route.plugins.is_empty() || !self.plugins.is_empty())
            .then(|| (route.plugins.then(&self.plugins), request.session().clone()));
        let seq = request.message().seq;
        let ctx = match parse_query(request.service_method(), path_len) {
            Ok(query) => CallCtx::new(MessageCtx::new(request, path_len, query)),
            Err(status) => return Box::pin(ready(Reply::from(status))),
        };
        let chain = Next(Chain::new(Arc::clone(&self.middleware), route));
        Box::pin(async move {
            let outcome = chain.run(ctx.clone()).await;
            let reply = ctx.finish(outcome);
            match reply_hooks {
                Some((plugins, session)) => write_hooks(&plugins, &session, seq, reply),
                None => reply,
            }
        })
    }

    /// Runs the router's plugins' read hooks, finds the route of the PUSH's path (or the push
    /// fallback), runs its groups' plugins' read hooks, and runs the router's middleware, the
    /// route's, then the handler. An error, a refusal by a plugin, and a query that does not
    /// decode are logged at debug level: nothing goes back to the pusher.
    fn push(&self, mut request: Request) -> BoxFuture<'static, ()> {
        if let Err(status) = read_hooks(&self.plugins, &mut request) {
            return dropped(&request, &status);
        }
        let path_len = path_len(request.service_method());
        let route = match self.pushes.get(&request.service_method()[..path_len]) {
            Some(route) => Arc::clone(route),
            None => Arc::clone(&self.fallback_push),
        };
        if let Err(status) = read_hooks(&route.plugins, &mut request) {
            return dropped(&request, &status);
        }
        let ctx = match parse_query(request.service_method(), path_len) {
            Ok(query) => PushCtx::new(MessageCtx::new(request, path_len, query)),
            Err(status) => return dropped(&request, &status),
        };
        let chain = PushNext(Chain::new(Arc::clone(&self.middleware), route));
        Box::pin(async move {
            if let Err(status) = chain.run(ctx.clone()).await {
                let service_method = ctx.service_method();
                tracing::debug!(service_method, %status, "a push handler failed");
            }
        })
    }
}

/// Logs a PUSH dropped before any handler ran, and does nothing more.
fn dropped(request: &Request, status: &Status) -> BoxFuture<'static, ()> {
    let service_method = request.service_method();
    tracing::debug!(service_method, %status, "dropped a push");
    Box::pin(ready(()))
}

/// The header, then the body read hooks of `plugins` on the CALL or PUSH of `request`.
fn read_hooks(plugins: &Plugins, request: &mut Request) -> Result<(), Status> {
    if plugins.is_empty() {
        return Ok(());
    }
    let session = request.session().clone();
    let message = request.message_mut();
    if message.mtype == MessageType::Call {
        plugins.each(|plugin| plugin.post_read_call_header(&session, message))?;
        plugins.each(|plugin| plugin.post_read_call_body(&session, message))
    } else {
        plugins.each(|plugin| plugin.post_read_push_header(&session, message))?;
        plugins.each(|plugin| plugin.post_read_push_body(&session, message))
    }
}

/// `reply` to the CALL `seq` after the `pre_write_reply` hooks of `plugins` (a refusal makes
/// it an error reply with its status), then their `post_write_reply` hooks.
fn write_hooks(plugins: &Plugins, session: &Session, seq: i32, reply: Reply) -> Reply {
    let mut message = Message::new(MessageType::Reply, seq, "");
    message.status = reply.status;
    message.meta = reply.meta;
    message.body_codec = reply.body_codec;
    message.body = reply.body;
    if let Err(status) = plugins.each(|plugin| plugin.pre_write_reply(session, &mut message)) {
        return Reply::from(status);
    }
    if let Err(status) = plugins.each(|plugin| plugin.post_write_reply(session, &message)) {
        tracing::debug!(seq, %status, "a plugin objected to a reply");
    }
    Reply::from(message)
}

/// The length of the path of `service_method`: up to its first `?`.
fn path_len(service_method: &str) -> usize {
    service_method.find('?').unwrap_or(service_method.len())
}
