//! [`Next`] and [`PushNext`]: the rest of a middleware chain.

use std::fmt;
use std::sync::Arc;

use telerpc_session::{BoxFuture, Reply};
use telerpc_socket::Status;

use crate::route::{CallEndpoint, PushEndpoint, Route};
use crate::{CallCtx, Middleware, PushCtx};

/// Where a message is in its chain: the router's middleware, then the route's, then the
/// handler.
pub(crate) struct Chain<E> {
    outer: Arc<[Arc<dyn Middleware>]>,
    route: Arc<Route<E>>,
    index: usize,
}

impl<E> Chain<E> {
    /// The whole chain of `route` under the router's middleware `outer`.
    pub(crate) fn new(outer: Arc<[Arc<dyn Middleware>]>, route: Arc<Route<E>>) -> Self {
        Self {
            outer,
            route,
            index: 0,
        }
    }

    /// The middleware at this link and the chain after it, or the route once no middleware
    /// is left.
    fn split(self) -> Link<E> {
        let middleware = match self.index.checked_sub(self.outer.len()) {
            None => &self.outer[self.index],
            Some(inner) => match self.route.middleware.get(inner) {
                Some(middleware) => middleware,
                None => return Link::Endpoint(self.route),
            },
        };
        let middleware = Arc::clone(middleware);
        let rest = Self {
            index: self.index + 1,
            ..self
        };
        Link::Middleware(middleware, rest)
    }
}

/// One link of a chain.
enum Link<E> {
    /// A middleware, and the chain after it.
    Middleware(Arc<dyn Middleware>, Chain<E>),
    /// The end: the route, whose endpoint runs the handler.
    Endpoint(Arc<Route<E>>),
}

impl<E> fmt::Debug for Chain<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.outer.len() + self.route.middleware.len();
        f.debug_struct("Chain")
            .field("middleware_left", &total.saturating_sub(self.index))
            .finish()
    }
}

/// The rest of a CALL's chain, handed to a [`Middleware`]: the middleware inside this one,
/// then the handler.
#[derive(Debug)]
pub struct Next(pub(crate) Chain<CallEndpoint>);

impl Next {
    /// Runs the rest of the chain on `ctx` and resolves with its outcome.
    pub fn run(self, ctx: CallCtx) -> BoxFuture<'static, Result<Reply, Status>> {
        match self.0.split() {
            Link::Middleware(middleware, rest) => middleware.call(ctx, Next(rest)),
            Link::Endpoint(route) => (route.endpoint)(ctx),
        }
    }
}

/// The rest of a PUSH's chain, handed to a [`Middleware`]: the middleware inside this one,
/// then the handler.
#[derive(Debug)]
pub struct PushNext(pub(crate) Chain<PushEndpoint>);

impl PushNext {
    /// Runs the rest of the chain on `ctx` and resolves with its outcome.
    pub fn run(self, ctx: PushCtx) -> BoxFuture<'static, Result<(), Status>> {
        match self.0.split() {
            Link::Middleware(middleware, rest) => middleware.push(ctx, PushNext(rest)),
            Link::Endpoint(route) => (route.endpoint)(ctx),
        }
    }
}
