//! [`Middleware`]: code that wraps handlers, per router or per group.

use std::future::Future;

use telerpc_session::{BoxFuture, Reply};
use telerpc_socket::Status;

use crate::{CallCtx, Next, PushCtx, PushNext};

/// Code that runs around the handlers of a router or a group: it sees the context first, may
/// answer by itself (authorization, rate limits), and sees what the rest of the chain
/// answered (logging, metrics).
///
/// **Where it applies.** Middleware added with [`Router::layer`](crate::Router::layer) wraps
/// every message the router handles, routes and fallbacks alike; middleware added with
/// [`Routes::layer`](crate::Routes::layer) wraps that group's routes (its nested groups
/// included) and no others. Either applies to all its routes, whether they were registered
/// before or after the `layer` call.
///
/// **Order.** The router's middleware is outside every group's, an outer group's outside an
/// inner group's, and within one router or group the first added is the outermost. For
/// `Router::new().layer(a).layer(b).group("/g", |g| g.layer(c).call("/x", h))`, a CALL to
/// `/g/x` runs `a → b → c → h`, and the reply comes back through `c → b → a`.
///
/// **Calls and pushes.** [`call`](Self::call) wraps call handlers; [`push`](Self::push)
/// wraps push handlers and by default passes the push on untouched. Every closure
/// `Fn(CallCtx, Next) -> impl Future<Output = Result<Reply, Status>>` is a middleware for
/// calls (annotate its argument types); implement the trait on a type to wrap pushes too.
///
/// `Ok(reply)` is sent as it is (a reply whose status is not OK is an error reply);
/// `Err(status)` is sent as an error reply. Either way the reply meta set on the
/// [`CallCtx`] goes with it.
///
/// ```
/// use telerpc_router::{CallCtx, Next, Router};
/// use telerpc_socket::Status;
///
/// let router = Router::new()
///     .layer(|ctx: CallCtx, next: Next| async move {
///         if ctx.meta().get("token") != Some("secret") {
///             return Err(Status::new(401, "Unauthorized"));
///         }
///         next.run(ctx).await
///     })
///     .call("/math/add", |_ctx: CallCtx, numbers: Vec<i64>| async move {
///         Ok::<_, Status>(numbers.iter().sum::<i64>())
///     });
/// # drop(router);
/// ```
pub trait Middleware: Send + Sync + 'static {
    /// Handles a CALL: usually does something, then `next.run(ctx).await`, then something
    /// with the outcome.
    fn call(&self, ctx: CallCtx, next: Next) -> BoxFuture<'static, Result<Reply, Status>>;

    /// Handles a PUSH the same way. By default, passes it on untouched.
    fn push(&self, ctx: PushCtx, next: PushNext) -> BoxFuture<'static, Result<(), Status>> {
        next.run(ctx)
    }
}

impl<F, Fut> Middleware for F
where
    F: Fn(CallCtx, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Reply, Status>> + Send + 'static,
{
    fn call(&self, ctx: CallCtx, next: Next) -> BoxFuture<'static, Result<Reply, Status>> {
        Box::pin(self(ctx, next))
    }
}
