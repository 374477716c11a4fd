//! [`Proxy`]: forwards the CALLs and PUSHes no route matches to another peer, untouched.
//!
//! eRPC's `proxy` plugin installs itself as the router's handlers of unknown calls and
//! pushes; so does this one, through [`Router::fallback_call`] and [`Router::fallback_push`]
//! ([`Proxy::install`]). It is purely a router fallback, not a [`Plugin`](crate::Plugin): it
//! has no hook to run, and the routes the router knows are still served locally.
//!
//! For each message, a selector given at construction picks the upstream [`Session`] from
//! the message's context (its service method, meta, session, real IP): a fixed session, one
//! of several, or one dialed on demand by a peer the selector owns. The message is forwarded
//! over it as it came, eRPC's way:
//!
//! - the same service method, query included, the same body codec and the same encoded body,
//!   never decoded (an encrypted or compressed body passes as it is), and the same transfer
//!   filters;
//! - the same meta, plus [`X-Real-IP`](REAL_IP_META_KEY) set to the caller's IP when it is not
//!   there already, so that the upstream sees who really called; the time left
//!   ([`TIMEOUT_META_KEY`]) is not copied but recomputed: the upstream call carries the
//!   caller's remaining deadline (or, for a caller that sent none, the upstream session's
//!   default call timeout);
//! - the upstream's REPLY is relayed as it came: its status (an error too), its meta, its
//!   codec and its body.
//!
//! **Failures.** No upstream (the selector gave `None`), an upstream that could not be dialed
//! (105), an upstream connection that is closed or lost before the reply (102), or a frame
//! that could not be written to it (104), answer the caller 502 Bad Gateway
//! ([`code::BAD_GATEWAY`]) with the reason as the cause. An upstream call that outlives the
//! caller's deadline is 408. Another error status from an async selector is relayed as it
//! is (a selector may refuse a message itself, with 403 say). A PUSH has nobody to answer:
//! its failures are logged at debug level and it is dropped.
//!
//! ```
//! use telerpc_plugin::proxy::Proxy;
//! use telerpc_router::{CallCtx, Router};
//! use telerpc_session::Session;
//! use telerpc_socket::Status;
//!
//! /// The front's router: `/front/ping` answered here, everything else forwarded to
//! /// `backend`, a session the front dialed.
//! fn front(backend: Session) -> Router {
//!     let proxy = Proxy::new(move |_ctx| Some(backend.clone()));
//!     proxy.install(Router::new().call("/front/ping", |_: CallCtx, _: ()| async {
//!         Ok::<_, Status>("pong")
//!     }))
//! }
//! ```

use std::fmt;
use std::future::{ready, Future};
use std::sync::Arc;

use telerpc_codec::{id, EncodeBody, Raw};
use telerpc_router::{
    CallCtx, CallHandler, MessageCtx, PushCtx, PushHandler, Router, REAL_IP_META_KEY,
};
use telerpc_session::{BoxFuture, Call, Push, Reply, Session, TIMEOUT_META_KEY};
use telerpc_socket::{code, Message, Status};
use tokio::time::Instant;

/// What a selector resolves to: the upstream session for a message, or why there is none.
pub type Upstream = BoxFuture<'static, Result<Session, Status>>;

/// The type-erased selector.
type Select = dyn Fn(&MessageCtx) -> Upstream + Send + Sync;

/// A forwarding proxy: the fallback of a router that sends every CALL and PUSH it has no
/// route for to an upstream peer chosen per message, and relays the replies (see the
/// [module](self) documentation for what is forwarded and how failures are answered).
///
/// A cheap handle: clones share the selector.
#[derive(Clone)]
pub struct Proxy {
    select: Arc<Select>,
}

impl Proxy {
    /// A proxy forwarding each message to the session `select` picks for it; `None` answers a
    /// CALL 502 Bad Gateway (and drops a PUSH).
    ///
    /// The selector runs on the router's task for each message: keep it cheap (a lookup, a
    /// round robin), and use [`with_upstream`](Self::with_upstream) to dial.
    pub fn new<F>(select: F) -> Self
    where
        F: Fn(&MessageCtx) -> Option<Session> + Send + Sync + 'static,
    {
        Self::with_upstream(move |ctx: &MessageCtx| {
            let chosen = select(ctx).ok_or_else(|| {
                bad_gateway(format!("proxy: no upstream for {}", ctx.service_method()))
            });
            ready(chosen)
        })
    }

    /// A proxy forwarding each message to the session the future `select` returns resolves
    /// to, for example a session a peer the selector owns dials (or redials) on demand.
    ///
    /// The selector itself runs synchronously with the message's context: it copies what it
    /// needs from it into the future. An error with code 102, 104 or 105 (the upstream is
    /// closed or cannot be written to or dialed) answers a CALL 502 Bad Gateway with that
    /// error as the cause; any other error status is the answer itself. A PUSH is dropped on
    /// any error.
    pub fn with_upstream<F, Fut>(select: F) -> Self
    where
        F: Fn(&MessageCtx) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Session, Status>> + Send + 'static,
    {
        Self {
            select: Arc::new(move |ctx: &MessageCtx| -> Upstream { Box::pin(select(ctx)) }),
        }
    }

    /// `router` with this proxy as its [call fallback](Router::fallback_call) and its
    /// [push fallback](Router::fallback_push), replacing any set before.
    pub fn install(&self, router: Router) -> Router {
        router
            .fallback_call(self.call_handler())
            .fallback_push(self.push_handler())
    }

    /// The call fallback alone, for [`Router::fallback_call`].
    pub fn call_handler(&self) -> ProxyCall {
        ProxyCall(self.clone())
    }

    /// The push fallback alone, for [`Router::fallback_push`].
    pub fn push_handler(&self) -> ProxyPush {
        ProxyPush(self.clone())
    }

    /// The upstream for the message of `ctx`.
    fn upstream(&self, ctx: &MessageCtx) -> Upstream {
        (self.select)(ctx)
    }
}

impl fmt::Debug for Proxy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy").finish_non_exhaustive()
    }
}

/// The [`CallHandler`] of a [`Proxy`]: forwards the CALL and answers with the upstream's
/// REPLY as it came (see [`Proxy`]).
#[derive(Clone, Debug)]
pub struct ProxyCall(Proxy);

impl CallHandler<ProxyCall> for ProxyCall {
    fn call(&self, ctx: CallCtx) -> BoxFuture<'static, Result<Reply, Status>> {
        let upstream = self.0.upstream(&ctx);
        Box::pin(async move {
            let (session, forwarded) = reach(upstream, &ctx).await?;
            let call = session
                .call_raw(ctx.service_method(), &forwarded.body)
                .xfer(ctx.message().xfer_pipe.clone())
                .whole();
            let mut call = dress(call, forwarded.codec, forwarded.meta);
            if let Some(deadline) = ctx.deadline() {
                call = call.timeout(deadline.saturating_duration_since(Instant::now()));
            }
            let reply: Message = call.await.map_err(|status| upstream_failed(&ctx, status))?;
            Ok(Reply::from(reply))
        })
    }
}

/// The [`PushHandler`] of a [`Proxy`]: forwards the PUSH (see [`Proxy`]).
#[derive(Clone, Debug)]
pub struct ProxyPush(Proxy);

impl PushHandler<ProxyPush> for ProxyPush {
    fn push(&self, ctx: PushCtx) -> BoxFuture<'static, Result<(), Status>> {
        let upstream = self.0.upstream(&ctx);
        Box::pin(async move {
            let (session, forwarded) = reach(upstream, &ctx).await?;
            let push = session
                .push(ctx.service_method(), &forwarded.body)
                .xfer(ctx.message().xfer_pipe.clone());
            dress(push, forwarded.codec, forwarded.meta)
                .await
                .map_err(|status| upstream_failed(&ctx, status))
        })
    }
}

/// What of a message goes upstream besides its service method and transfer filters.
struct Forwarded {
    /// The body, as encoded by the caller.
    body: Raw,
    /// The body's codec; `None` for a message without one (its body is empty), which then
    /// goes with the upstream session's default codec.
    codec: Option<u8>,
    /// The meta, less the time left, plus `X-Real-IP` if it was not there.
    meta: Vec<(String, String)>,
}

impl Forwarded {
    fn of(ctx: &MessageCtx) -> Self {
        let mut meta: Vec<(String, String)> = ctx
            .meta()
            .iter()
            .filter(|(key, _)| *key != TIMEOUT_META_KEY)
            .map(|(key, value)| (key.to_owned(), value.to_owned()))
            .collect();
        if ctx.meta().get(REAL_IP_META_KEY).is_none() {
            if let Some(ip) = ctx.real_ip() {
                meta.push((REAL_IP_META_KEY.to_owned(), ip.to_string()));
            }
        }
        let codec = match ctx.body_codec() {
            id::NONE => None,
            codec_id => Some(codec_id),
        };
        Self {
            body: Raw(ctx.message().body.clone()),
            codec,
            meta,
        }
    }
}

/// The session `upstream` resolves to, and what of the message of `ctx` goes over it; or the
/// status to answer, logged.
async fn reach(upstream: Upstream, ctx: &MessageCtx) -> Result<(Session, Forwarded), Status> {
    let session = upstream
        .await
        .map_err(|status| upstream_failed(ctx, status))?;
    Ok((session, Forwarded::of(ctx)))
}

/// A CALL or PUSH being built, as far as [`dress`] sets it.
trait Outgoing: Sized {
    /// Sets the codec of the body.
    fn codec(self, codec_id: u8) -> Self;

    /// Adds a meta pair.
    fn meta(self, key: String, value: String) -> Self;
}

impl<A: EncodeBody + ?Sized, R> Outgoing for Call<'_, A, R> {
    fn codec(self, codec_id: u8) -> Self {
        Call::codec(self, codec_id)
    }

    fn meta(self, key: String, value: String) -> Self {
        Call::meta(self, key, value)
    }
}

impl<A: EncodeBody + ?Sized> Outgoing for Push<'_, A> {
    fn codec(self, codec_id: u8) -> Self {
        Push::codec(self, codec_id)
    }

    fn meta(self, key: String, value: String) -> Self {
        Push::meta(self, key, value)
    }
}

/// `outgoing` with the forwarded `codec` (if any) and `meta`.
fn dress<O: Outgoing>(mut outgoing: O, codec: Option<u8>, meta: Vec<(String, String)>) -> O {
    if let Some(codec_id) = codec {
        outgoing = outgoing.codec(codec_id);
    }
    meta.into_iter()
        .fold(outgoing, |outgoing, (key, value)| outgoing.meta(key, value))
}

/// [`gateway_status`] of `status`, logged.
fn upstream_failed(ctx: &MessageCtx, status: Status) -> Status {
    tracing::debug!(
        service_method = ctx.service_method(),
        %status,
        "proxy: forwarding failed"
    );
    gateway_status(status)
}

/// What the caller is told when the upstream could not be reached or used: 502 for a
/// connection that failed (102, 104, 105), else `status` itself.
fn gateway_status(status: Status) -> Status {
    match status.code() {
        code::CONN_CLOSED | code::WRITE_FAILED | code::DIAL_FAILED => {
            bad_gateway(format!("proxy: the upstream failed: {status}"))
        }
        _ => status,
    }
}

/// 502 Bad Gateway with `cause`.
fn bad_gateway(cause: String) -> Status {
    Status::from_code(code::BAD_GATEWAY).with_cause(cause)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_bad_gateway_others_pass() {
        for failed in [code::CONN_CLOSED, code::WRITE_FAILED, code::DIAL_FAILED] {
            let mapped = gateway_status(Status::from_code(failed).with_cause("gone"));
            assert_eq!(mapped.code(), code::BAD_GATEWAY);
            let cause = mapped.cause().unwrap_or_default();
            assert!(cause.starts_with("proxy: the upstream failed"), "{cause}");
            assert!(cause.contains("gone"), "{cause}");
        }
        let refused = gateway_status(Status::new(403, "Forbidden"));
        assert_eq!(refused.code(), 403);
        let timed_out = gateway_status(Status::from_code(code::HANDLE_TIMEOUT));
        assert_eq!(timed_out.code(), code::HANDLE_TIMEOUT);
    }
}
