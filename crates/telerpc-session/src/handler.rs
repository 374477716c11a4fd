//! [`Handler`]: what a session does with the CALLs and PUSHes it receives.

use std::future::Future;
use std::pin::Pin;

use crate::{Reply, Request};

/// A boxed, sendable future: what [`Handler`] methods return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The inbound side of a session: answers CALLs and handles PUSHes.
///
/// The router of the next tier implements it; a user of this tier alone implements it
/// directly. One handler may serve many sessions: [`SessionBuilder::handler`] takes an `Arc`.
///
/// What the session does around it:
///
/// | inbound | without a handler | with one |
/// |---|---|---|
/// | CALL with an empty service method | REPLY 400 | REPLY 400, the handler is not called |
/// | CALL | REPLY 404 | [`call`](Self::call); its [`Reply`] is sent |
/// | PUSH | dropped | [`push`](Self::push) |
///
/// - The session sets the REPLY's seq, type, empty service method and the CALL's transfer
///   filters; the handler chooses status, meta, codec and body. An error status is sent with
///   codec 0 and an empty body, as eRPC does.
/// - A handler that panics (in the call itself or while its future runs) gets its CALL
///   answered 500 with the panic message as the cause; the connection goes on, and
///   [`EventListener::on_error`](crate::EventListener::on_error) hears of it.
/// - A CALL that carries a deadline ([`TIMEOUT_META_KEY`](crate::TIMEOUT_META_KEY)) has its
///   handler's future dropped when the deadline passes and is answered 408.
/// - When the connection ends, running handlers are dropped at their next await.
/// - Where and how many handlers run at once is the session's
///   [`Execution`](crate::Execution).
///
/// ```
/// use telerpc_session::{BoxFuture, Handler, Reply, Request};
/// use telerpc_socket::{code, Status};
///
/// /// Answers `/math/add` with the sum of a list of integers.
/// struct Add;
///
/// impl Handler for Add {
///     fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
///         Box::pin(async move {
///             if request.service_method() != "/math/add" {
///                 return Status::from_code(code::NOT_FOUND).into();
///             }
///             let numbers: Vec<i64> = match request.body_as() {
///                 Ok(numbers) => numbers,
///                 Err(status) => return status.into(),
///             };
///             let codec = request.message().body_codec;
///             let codecs = request.session().config().codecs();
///             Reply::encode(codecs, codec, &numbers.iter().sum::<i64>())
///                 .unwrap_or_else(|error| Status::new(500, error.to_string()).into())
///         })
///     }
///
///     fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
///         Box::pin(async {})
///     }
/// }
/// ```
///
/// [`SessionBuilder::handler`]: crate::SessionBuilder::handler
pub trait Handler: Send + Sync + 'static {
    /// Answers a CALL. The session sets the reply's seq, type, empty service method and the
    /// call's transfer filters.
    fn call(&self, request: Request) -> BoxFuture<'static, Reply>;

    /// Handles a PUSH. Nothing is sent back.
    fn push(&self, request: Request) -> BoxFuture<'static, ()>;
}
