//! [`CallHandler`]: what answers a CALL.

use std::future::{ready, Future};

use telerpc_codec::{DecodeBody, EncodeBody};
use telerpc_session::{BoxFuture, Reply};
use telerpc_socket::Status;

use crate::route::CallEndpoint;
use crate::CallCtx;

/// What answers a CALL: every async fn or closure
/// `Fn(CallCtx, A) -> impl Future<Output = Result<R, Status>>`.
///
/// - `A`, the argument, is any [`DecodeBody`] type: a serde type, a prost message in
///   [`Proto`](telerpc_codec::Proto), a type that is both in [`Dual`](telerpc_codec::Dual),
///   or [`Raw`](telerpc_codec::Raw) bytes. It is decoded from the body with the codec the
///   CALL names; a body that does not decode, or an unknown codec, is answered 400 Bad
///   Message with the decode error as the cause, and the handler is not run. `()` takes an
///   empty JSON body.
/// - `R`, the result, is any [`EncodeBody`] type, encoded with the
///   [reply codec](CallCtx::reply_codec) when the handler returns; if it cannot be, the
///   reply is 500 with the codec error as the cause.
/// - `Err(status)` is sent as that status, with codec 0 and no body, as eRPC sends an error.
/// - A panic is answered 500 with the panic message as the cause, and the connection goes
///   on (the session catches it).
///
/// The marker `M` only tells the blanket implementations apart; it is inferred. A closure's
/// argument types must be written out, as the router cannot infer them:
///
/// ```
/// use telerpc_router::{CallCtx, Router};
/// use telerpc_socket::Status;
///
/// async fn add(_ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
///     Ok(numbers.iter().sum())
/// }
///
/// let router = Router::new()
///     .call("/math/add", add)
///     .call("/math/neg", |_ctx: CallCtx, n: i64| async move { Ok::<_, Status>(-n) });
/// # drop(router);
/// ```
///
/// The handler is type-erased once, when it is registered: nothing generic is resolved per
/// call.
pub trait CallHandler<M>: Send + Sync + 'static {
    /// Answers the CALL of `ctx`: decodes the argument, runs the handler, encodes its result.
    fn call(&self, ctx: CallCtx) -> BoxFuture<'static, Result<Reply, Status>>;
}

impl<F, Fut, A, R> CallHandler<(A, R)> for F
where
    F: Fn(CallCtx, A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, Status>> + Send + 'static,
    A: DecodeBody,
    R: EncodeBody,
{
    fn call(&self, ctx: CallCtx) -> BoxFuture<'static, Result<Reply, Status>> {
        let arg = match ctx.body_as::<A>() {
            Ok(arg) => arg,
            Err(status) => {
                tracing::debug!(service_method = ctx.service_method(), %status, "a call's body did not decode");
                return Box::pin(ready(Err(status)));
            }
        };
        let replying = ctx.clone();
        let handled = self(ctx, arg);
        Box::pin(async move { replying.encode_reply(&handled.await?) })
    }
}

/// `handler` type-erased.
pub(crate) fn erase_call<M, H: CallHandler<M>>(handler: H) -> CallEndpoint {
    Box::new(move |ctx| handler.call(ctx))
}
