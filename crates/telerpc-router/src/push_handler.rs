//! [`PushHandler`]: what handles a PUSH.

use std::future::{ready, Future};

use telerpc_codec::DecodeBody;
use telerpc_session::BoxFuture;
use telerpc_socket::Status;

use crate::route::PushEndpoint;
use crate::PushCtx;

/// What handles a PUSH: every async fn or closure
/// `Fn(PushCtx, A) -> impl Future<Output = Result<(), Status>>`.
///
/// - `A`, the argument, is any [`DecodeBody`] type, decoded as for a
///   [`CallHandler`](crate::CallHandler). A body that does not decode, or an unknown codec,
///   drops the push without running the handler.
/// - Nothing goes back to the pusher. The handler returns `Result<(), Status>` so that it can
///   use `?` (for example on a call or push back through its session); an `Err` is logged at
///   debug level with the service method, and that is all.
/// - A panic is caught by the session and reported to its listener; the connection goes on.
///
/// ```
/// use telerpc_router::{PushCtx, Router};
/// use telerpc_socket::Status;
///
/// async fn say(ctx: PushCtx, text: String) -> Result<(), Status> {
///     ctx.session().push("/chat/echo", &text).await
/// }
///
/// let router = Router::new().push("/chat/say", say);
/// # drop(router);
/// ```
pub trait PushHandler<M>: Send + Sync + 'static {
    /// Handles the PUSH of `ctx`: decodes the argument and runs the handler.
    fn push(&self, ctx: PushCtx) -> BoxFuture<'static, Result<(), Status>>;
}

impl<F, Fut, A> PushHandler<(A,)> for F
where
    F: Fn(PushCtx, A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), Status>> + Send + 'static,
    A: DecodeBody,
{
    fn push(&self, ctx: PushCtx) -> BoxFuture<'static, Result<(), Status>> {
        match ctx.body_as::<A>() {
            Ok(arg) => Box::pin(self(ctx, arg)),
            Err(status) => Box::pin(ready(Err(status))),
        }
    }
}

/// `handler` type-erased.
pub(crate) fn erase_push<M, H: PushHandler<M>>(handler: H) -> PushEndpoint {
    Box::new(move |ctx| handler.push(ctx))
}
