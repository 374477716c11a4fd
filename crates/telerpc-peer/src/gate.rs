//! [`Gate`]: the handler every session of a peer gets, which lets work in while the peer runs
//! and keeps count of it for the shutdown.

use std::sync::Arc;

use telerpc_session::{BoxFuture, Handler, Reply, Request};

use crate::lifecycle::Lifecycle;
use crate::statuses;

/// Stands before the peer's handler (itself wrapped for logging):
///
/// - while the peer runs, each CALL and PUSH goes to the handler and counts as work in hand
///   until it is answered, so the shutdown can wait for it;
/// - once the peer drains, CALLs are answered 102 [`shutting_down`](statuses::shutting_down)
///   without reaching the handler, and PUSHes are dropped;
/// - at the shutdown deadline, handlers still running are dropped; their CALLs are answered
///   102 [`cut_off`](statuses::cut_off) (if the connection still carries it).
///
/// Without a handler, CALLs are answered 404 and PUSHes dropped, as a session without one
/// does.
pub(crate) struct Gate {
    inner: Option<Arc<dyn Handler>>,
    lifecycle: Arc<Lifecycle>,
}

impl Gate {
    pub(crate) fn new(inner: Option<Arc<dyn Handler>>, lifecycle: Arc<Lifecycle>) -> Self {
        Self { inner, lifecycle }
    }
}

impl Handler for Gate {
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        let Some(work) = self.lifecycle.enter() else {
            tracing::debug!(
                service_method = request.service_method(),
                "refused a call: the peer is shutting down"
            );
            return Box::pin(async { Reply::from(statuses::shutting_down()) });
        };
        let Some(inner) = &self.inner else {
            return Box::pin(async { Reply::from(statuses::no_handler()) });
        };
        let answer = inner.call(request);
        let cut = self.lifecycle.cutoff().cut();
        Box::pin(async move {
            let _work = work;
            tokio::select! {
                biased;
                reply = answer => reply,
                () = cut => Reply::from(statuses::cut_off()),
            }
        })
    }

    fn push(&self, request: Request) -> BoxFuture<'static, ()> {
        let (Some(work), Some(inner)) = (self.lifecycle.enter(), &self.inner) else {
            tracing::debug!(
                service_method = request.service_method(),
                "dropped a push: no handler, or the peer is shutting down"
            );
            return Box::pin(async {});
        };
        let handled = inner.push(request);
        let cut = self.lifecycle.cutoff().cut();
        Box::pin(async move {
            let _work = work;
            tokio::select! {
                biased;
                () = handled => {}
                () = cut => {}
            }
        })
    }
}
