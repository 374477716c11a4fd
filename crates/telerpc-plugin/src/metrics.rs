//! [`Metrics`]: per-handler call counts, status codes and latencies, push counts and open
//! sessions, recorded through the [`metrics`] crate's facade (so exported by whichever
//! recorder the application installs: Prometheus, StatsD, …).
//!
//! eRPC has no standard metrics plugin of its own; this one records what an eRPC server's
//! operator asks of one, under names and labels that follow Prometheus' conventions. One
//! [`Metrics`] value plays three parts, each attached where it sees what it records:
//!
//! - a router [`Middleware`] ([`Router::layer`]): it wraps every handler's future, so it
//!   measures each call's latency exactly and sees its outcome;
//! - a router [`Plugin`] ([`Router::plugin`]): its [`post_reg`](Plugin::post_reg) hook learns
//!   the name of every route, the only values the `service_method` label ever takes;
//! - a peer [`Plugin`] (`PeerConfig::with_plugin`): its
//!   [`post_open`](Plugin::post_open) and [`post_disconnect`](Plugin::post_disconnect) hooks
//!   keep the open-sessions gauge.
//!
//! [`Metrics::attach`] does the first two at once.
//!
//! # What is recorded
//!
//! | metric | kind | labels | unit | recorded |
//! |---|---|---|---|---|
//! | [`telerpc_calls_total`](CALLS_TOTAL) | counter | `service_method`, `code` | calls | once per CALL that reaches the router's middleware chain, when its handler's chain has answered |
//! | [`telerpc_call_duration_seconds`](CALL_DURATION_SECONDS) | histogram | `service_method` | seconds | the same CALLs: the time from entering this middleware to the chain's answer (or its end, below) |
//! | [`telerpc_pushes_total`](PUSHES_TOTAL) | counter | `service_method`, `code` | pushes | once per PUSH that reaches the middleware chain, when its handler has returned |
//! | [`telerpc_sessions_open`](SESSIONS_OPEN) | gauge | – | sessions | +1 at `post_open`, −1 at `post_disconnect` of a session counted at its open |
//!
//! **Labels.** `service_method` is the route's path (the service method up to its first
//! `?`: a query string never becomes a label), and only when that path is the name of a
//! route registered on the router ([`post_reg`](Plugin::post_reg) saw it); any other path —
//! an unknown method answered by the fallback, a path the caller made up — is recorded as
//! [`UNKNOWN_SERVICE_METHOD`] (`"unknown"`). Calls and pushes share that set of names. So the
//! label's values are bounded by the router's routes, never chosen by a caller. `code` is the
//! decimal status code of the outcome: `0` for an OK reply (or a push handled without error),
//! else the code of the error reply, which the application's code or the router chose (400
//! for a body that does not decode, 404 from the default fallback, 500 for a panic, a
//! handler's or middleware's own status); a call answered with an error is an error of that
//! code, so errors per handler are the `code != "0"` series of `telerpc_calls_total`. A chain
//! that does not answer is counted too, with the code the caller sees: `500` when it panics
//! (the session answers 500), `408` when the session stops it at the caller's deadline, `102`
//! when it is dropped because its session ended (no reply is sent).
//!
//! **What is not counted.** A message the chain never sees: a CALL or PUSH refused by a
//! plugin's read hook, one whose query string does not decode (answered 400 by the router
//! itself), one refused by middleware *outside* this one (add this middleware first to count
//! those). The latency does not include reading, decoding the frame, the plugins' hooks or
//! writing the reply: it is the handler chain's time, body decoding and result encoding
//! included.
//!
//! **Recorder.** [`Metrics::new`] records through the global recorder (the one an exporter
//! installs); [`Metrics::with_recorder`] through a recorder of its own, for an application
//! that keeps several registries, or a test. Descriptions and units are registered once per
//! [`Metrics`] value, with the first metric recorded.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_plugin::metrics::Metrics;
//! use telerpc_router::{CallCtx, Router};
//! use telerpc_socket::Status;
//!
//! let metrics = Metrics::new();
//! let router = metrics.attach(Router::new()).call("/math/add", |_ctx: CallCtx, n: Vec<i64>| async move {
//!     Ok::<_, Status>(n.iter().sum::<i64>())
//! });
//! // On a peer: `PeerConfig::new().with_plugin(Arc::new(metrics.clone()))` keeps the
//! // sessions gauge.
//! let _peer_plugin: Arc<dyn telerpc_plugin::Plugin> = Arc::new(metrics.clone());
//! # drop(router);
//! ```

use std::collections::HashSet;
use std::fmt;
use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once, PoisonError, RwLock};
use std::task::{Context, Poll};

use tokio::time::Instant;

use metrics::{Recorder, SharedString, Unit};
use telerpc_router::{CallCtx, Middleware, Next, PushCtx, PushNext, Router};
use telerpc_session::{BoxFuture, Plugin, Reply, Session};
use telerpc_socket::{code, Status};

/// Counter of the CALLs handled, labelled `service_method` and `code`.
pub const CALLS_TOTAL: &str = "telerpc_calls_total";

/// Histogram of the time each CALL's handler chain took, in seconds, labelled
/// `service_method`.
pub const CALL_DURATION_SECONDS: &str = "telerpc_call_duration_seconds";

/// Counter of the PUSHes handled, labelled `service_method` and `code`.
pub const PUSHES_TOTAL: &str = "telerpc_pushes_total";

/// Gauge of the sessions open on the peers the plugin is attached to.
pub const SESSIONS_OPEN: &str = "telerpc_sessions_open";

/// The label naming the route: its path, or [`UNKNOWN_SERVICE_METHOD`].
pub const SERVICE_METHOD_LABEL: &str = "service_method";

/// The label carrying the outcome's status code, in decimal (`"0"` is OK).
pub const CODE_LABEL: &str = "code";

/// The `service_method` label of a message whose path is not a registered route.
pub const UNKNOWN_SERVICE_METHOD: &str = "unknown";

/// Tells [`Metrics`] values apart, for the session attribute each one marks its sessions with.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// Records per-handler metrics as a router middleware, learns the route names as a router
/// plugin, and keeps the open-sessions gauge as a peer plugin (see the [module](self) for
/// what is recorded, and under which names and labels).
///
/// A cheap handle: clones share the route names and the recorder, so attach clones of one
/// value to the router and to the peer.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    /// The route names the router's `post_reg` reported: the only `service_method` labels.
    routes: RwLock<HashSet<Arc<str>>>,
    /// Where the metrics go; `None` for the global recorder.
    recorder: Option<Arc<dyn Recorder + Send + Sync>>,
    /// The session attribute marking a session counted in the gauge by this value.
    open_key: String,
    /// Descriptions and units are registered once, with the first metric.
    described: Once,
}

impl Metrics {
    /// Records through the global recorder (`metrics::set_global_recorder`, or an exporter's
    /// `install`); without one, recording costs little and goes nowhere.
    pub fn new() -> Self {
        Self::build(None)
    }

    /// Records through `recorder` instead of the global one.
    pub fn with_recorder(recorder: Arc<dyn Recorder + Send + Sync>) -> Self {
        Self::build(Some(recorder))
    }

    fn build(recorder: Option<Arc<dyn Recorder + Send + Sync>>) -> Self {
        let instance = INSTANCES.fetch_add(1, Ordering::Relaxed);
        Self {
            inner: Arc::new(Inner {
                routes: RwLock::default(),
                recorder,
                open_key: format!("telerpc.metrics.open.{instance}"),
                described: Once::new(),
            }),
        }
    }

    /// `router` with this value added as its plugin (to learn its route names, those
    /// registered already and those to come) and as its middleware (inside the middleware
    /// added before, outside the groups' and the one added after).
    ///
    /// Attach it after any plugin that renames routes (case-insensitive matching does), so
    /// that it learns the final names; to count the refusals of other router middleware too,
    /// call [`Router::layer`] with a clone before adding them, and [`Router::plugin`] with
    /// one later.
    pub fn attach(&self, router: Router) -> Router {
        router.plugin(Arc::new(self.clone())).layer(self.clone())
    }

    /// The `service_method` label of `path`: itself if it names a registered route, else
    /// [`UNKNOWN_SERVICE_METHOD`].
    pub fn label_of(&self, path: &str) -> SharedString {
        let routes = self
            .inner
            .routes
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        match routes.get(path) {
            Some(name) => SharedString::from(Arc::clone(name)),
            None => SharedString::const_str(UNKNOWN_SERVICE_METHOD),
        }
    }

    /// Runs `record` with this value's recorder as the current one, once the descriptions
    /// are registered.
    fn record(&self, record: impl FnOnce()) {
        let described = || {
            self.inner.described.call_once(describe);
            record();
        };
        match &self.inner.recorder {
            Some(recorder) => metrics::with_local_recorder(recorder.as_ref(), described),
            None => described(),
        }
    }

    /// Records a CALL to `label` answered with `code` after `seconds`.
    fn record_call(&self, label: SharedString, code: i32, seconds: f64) {
        self.record(|| {
            metrics::counter!(CALLS_TOTAL, SERVICE_METHOD_LABEL => label.clone(), CODE_LABEL => code.to_string())
                .increment(1);
            metrics::histogram!(CALL_DURATION_SECONDS, SERVICE_METHOD_LABEL => label)
                .record(seconds);
        });
    }
}

/// Registers the descriptions and units of every metric with the current recorder.
fn describe() {
    metrics::describe_counter!(
        CALLS_TOTAL,
        Unit::Count,
        "CALLs handled, by route and status code."
    );
    metrics::describe_histogram!(
        CALL_DURATION_SECONDS,
        Unit::Seconds,
        "Time each CALL's handler chain took, by route."
    );
    metrics::describe_counter!(
        PUSHES_TOTAL,
        Unit::Count,
        "PUSHes handled, by route and status code."
    );
    metrics::describe_gauge!(SESSIONS_OPEN, Unit::Count, "Sessions open.");
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Middleware for Metrics {
    /// Times the rest of the chain and counts its outcome: `code` is the status of an
    /// `Ok` reply or of the `Err`; a chain that panics is counted 500 (the panic goes on to
    /// the session, which answers 500), one stopped at the caller's deadline 408, one dropped
    /// because its session ended 102 (see the [module](self)).
    fn call(&self, ctx: CallCtx, next: Next) -> BoxFuture<'static, Result<Reply, Status>> {
        let pending = PendingCall {
            metrics: self.clone(),
            label: self.label_of(ctx.path()),
            started: std::time::Instant::now(),
            deadline: ctx.deadline(),
        };
        Box::pin(Timed {
            chain: next.run(ctx),
            pending: Some(pending),
        })
    }

    /// Counts the push once its handler has returned: `code` 0, or the code of its error.
    fn push(&self, ctx: PushCtx, next: PushNext) -> BoxFuture<'static, Result<(), Status>> {
        let label = self.label_of(ctx.path());
        let metrics = self.clone();
        Box::pin(async move {
            let outcome = next.run(ctx).await;
            let code = outcome.as_ref().map_or_else(Status::code, |()| code::OK);
            metrics.record(|| {
                metrics::counter!(PUSHES_TOTAL, SERVICE_METHOD_LABEL => label, CODE_LABEL => code.to_string())
                    .increment(1);
            });
            outcome
        })
    }
}

/// A CALL being timed: recorded once, when its chain answers, panics or is dropped.
struct PendingCall {
    metrics: Metrics,
    label: SharedString,
    started: std::time::Instant,
    deadline: Option<Instant>,
}

impl PendingCall {
    /// Records the CALL as answered with `code` now.
    fn finish(self, code: i32) {
        let seconds = self.started.elapsed().as_secs_f64();
        self.metrics.record_call(self.label, code, seconds);
    }
}

/// The rest of a CALL's chain, timed by [`Metrics`].
struct Timed {
    chain: BoxFuture<'static, Result<Reply, Status>>,
    /// `None` once recorded.
    pending: Option<PendingCall>,
}

impl Future for Timed {
    type Output = Result<Reply, Status>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let chain = &mut self.chain;
        let polled = panic::catch_unwind(AssertUnwindSafe(|| chain.as_mut().poll(cx)));
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(outcome)) => {
                let code = match &outcome {
                    Ok(reply) => reply.status.as_ref().map_or(code::OK, Status::code),
                    Err(status) => status.code(),
                };
                if let Some(pending) = self.pending.take() {
                    pending.finish(code);
                }
                Poll::Ready(outcome)
            }
            Err(payload) => {
                if let Some(pending) = self.pending.take() {
                    pending.finish(code::INTERNAL_SERVER_ERROR);
                }
                panic::resume_unwind(payload)
            }
        }
    }
}

impl Drop for Timed {
    /// A chain dropped before it answered was stopped at the caller's deadline (408) or
    /// dropped with its session (102).
    fn drop(&mut self) {
        if let Some(pending) = self.pending.take() {
            let code = match pending.deadline {
                Some(deadline) if Instant::now() >= deadline => code::HANDLE_TIMEOUT,
                _ => code::CONN_CLOSED,
            };
            pending.finish(code);
        }
    }
}

impl Plugin for Metrics {
    fn name(&self) -> &str {
        "metrics"
    }

    /// Learns `service_method` as a route name, a value the `service_method` label may take.
    /// Never refuses, never renames.
    fn post_reg(&self, service_method: &mut String) -> Result<(), Status> {
        self.inner
            .routes
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(Arc::from(service_method.as_str()));
        Ok(())
    }

    /// Counts the session in the open-sessions gauge (once, however often it is called), and
    /// marks it so that its [`post_disconnect`](Plugin::post_disconnect) takes it out.
    fn post_open(&self, session: &Session) -> Result<(), Status> {
        if session
            .attributes()
            .insert(self.inner.open_key.clone(), ())
            .is_none()
        {
            self.record(|| metrics::gauge!(SESSIONS_OPEN).increment(1.0));
        }
        Ok(())
    }

    /// Takes the session out of the open-sessions gauge if its `post_open` counted it: a
    /// session refused by an earlier plugin's `post_open` was never counted, and is not
    /// taken out.
    fn post_disconnect(&self, session: &Session) {
        if session.attributes().remove(&self.inner.open_key).is_some() {
            self.record(|| metrics::gauge!(SESSIONS_OPEN).decrement(1.0));
        }
    }
}

impl fmt::Debug for Metrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let routes = self
            .inner
            .routes
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("Metrics")
            .field("routes", &routes)
            .field("own_recorder", &self.inner.recorder.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_registered_paths_become_labels() {
        let metrics = Metrics::new();
        let mut name = String::from("/math/add");
        metrics.post_reg(&mut name).expect("never refuses");
        assert_eq!(name, "/math/add", "never renames");
        assert_eq!(&*metrics.label_of("/math/add"), "/math/add");
        assert_eq!(&*metrics.label_of("/math/sub"), UNKNOWN_SERVICE_METHOD);
        assert_eq!(&*metrics.label_of("/math/add?x=1"), UNKNOWN_SERVICE_METHOD);
        assert_eq!(&*metrics.label_of(""), UNKNOWN_SERVICE_METHOD);
    }

    #[test]
    fn clones_share_the_route_names() {
        let metrics = Metrics::new();
        let clone = metrics.clone();
        clone
            .post_reg(&mut String::from("/a"))
            .expect("never refuses");
        assert_eq!(&*metrics.label_of("/a"), "/a");
    }
}
