//! The router as a session's [`Handler`]: from an inbound message to its route's chain.

use std::future::ready;
use std::sync::Arc;

use telerpc_session::{BoxFuture, Handler, Reply, Request};

use crate::context::parse_query;
use crate::next::Chain;
use crate::{CallCtx, MessageCtx, Next, PushCtx, PushNext, Router};

impl Handler for Router {
    /// Finds the route of the CALL's path (or the call fallback), builds its context, and runs
    /// the router's middleware, the route's, then the handler; the reply meta set on the
    /// context goes with whatever comes out. A query that does not decode is answered 400.
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        let path_len = path_len(request.service_method());
        let route = match self.calls.get(&request.service_method()[..path_len]) {
            Some(route) => Arc::clone(route),
            None => Arc::clone(&self.fallback_call),
        };
        let ctx = match parse_query(request.service_method(), path_len) {
            Ok(query) => CallCtx::new(MessageCtx::new(request, path_len, query)),
            Err(status) => return Box::pin(ready(Reply::from(status))),
        };
        let chain = Next(Chain::new(Arc::clone(&self.middleware), route));
        Box::pin(async move {
            let outcome = chain.run(ctx.clone()).await;
            ctx.finish(outcome)
        })
    }

    /// Finds the route of the PUSH's path (or the push fallback) and runs the router's
    /// middleware, the route's, then the handler. An error, and a query that does not
    /// decode, are logged at debug level: nothing goes back to the pusher.
    fn push(&self, request: Request) -> BoxFuture<'static, ()> {
        let path_len = path_len(request.service_method());
        let route = match self.pushes.get(&request.service_method()[..path_len]) {
            Some(route) => Arc::clone(route),
            None => Arc::clone(&self.fallback_push),
        };
        let ctx = match parse_query(request.service_method(), path_len) {
            Ok(query) => PushCtx::new(MessageCtx::new(request, path_len, query)),
            Err(status) => {
                let service_method = request.service_method();
                tracing::debug!(service_method, %status, "dropped a push: bad query string");
                return Box::pin(ready(()));
            }
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

/// The length of the path of `service_method`: up to its first `?`.
fn path_len(service_method: &str) -> usize {
    service_method.find('?').unwrap_or(service_method.len())
}
