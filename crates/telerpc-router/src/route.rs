//! [`Route`]: one registered handler, type-erased, with the middleware of its groups.

use std::fmt;
use std::sync::Arc;

use telerpc_session::{BoxFuture, Plugins, Reply};
use telerpc_socket::Status;

use crate::{CallCtx, Middleware, PushCtx};

/// A call handler with its argument and result types erased, once, at registration.
pub(crate) type CallEndpoint =
    Box<dyn Fn(CallCtx) -> BoxFuture<'static, Result<Reply, Status>> + Send + Sync>;

/// A push handler with its argument type erased, once, at registration.
pub(crate) type PushEndpoint =
    Box<dyn Fn(PushCtx) -> BoxFuture<'static, Result<(), Status>> + Send + Sync>;

/// A handler and the middleware of the groups it was registered in, outermost first. The
/// router's own middleware is not here: it wraps every route and is added per message.
pub(crate) struct Route<E> {
    pub(crate) middleware: Box<[Arc<dyn Middleware>]>,
    /// The plugins of the groups it was registered in, outermost first.
    pub(crate) plugins: Plugins,
    pub(crate) endpoint: E,
}

impl<E> Route<E> {
    /// A route without middleware.
    pub(crate) fn bare(endpoint: E) -> Self {
        Self {
            middleware: Box::default(),
            plugins: Plugins::new(),
            endpoint,
        }
    }
}

impl<E> fmt::Debug for Route<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Route")
            .field("middleware", &self.middleware.len())
            .field("plugins", &self.plugins)
            .finish_non_exhaustive()
    }
}

/// A route registered in a [`Routes`](crate::Routes), waiting for the router's table: its full
/// service method, the middleware of the groups it is in so far (outermost first), and its
/// handler.
pub(crate) struct Registration<E> {
    pub(crate) service_method: String,
    pub(crate) middleware: Vec<Arc<dyn Middleware>>,
    pub(crate) plugins: Plugins,
    pub(crate) endpoint: E,
}

impl<E> Registration<E> {
    /// The route it becomes in the router's table.
    pub(crate) fn into_route(self) -> (String, Route<E>) {
        let route = Route {
            middleware: self.middleware.into(),
            plugins: self.plugins,
            endpoint: self.endpoint,
        };
        (self.service_method, route)
    }
}
