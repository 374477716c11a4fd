//! [`Job`]: one inbound CALL or PUSH on its way through a handler.

use std::sync::Arc;

use bytestring::ByteString;
use telerpc_socket::MessageType;

use crate::in_flight::Working;
use crate::link::Link;
use crate::respond::send_reply;
use crate::shared::Shared;
use crate::unwind::{catch, CatchUnwind};
use crate::{statuses, Handler, Reply, Request, SessionError};

/// An inbound CALL or PUSH to run through the handler, counted as in flight from the moment
/// it is read until it is done or dropped.
pub(crate) struct Job {
    link: Arc<Link>,
    handler: Arc<dyn Handler>,
    request: Request,
    working: Working,
}

impl Job {
    /// A job for `request`, which came on `link`.
    pub(crate) fn new(
        shared: &Arc<Shared>,
        link: Arc<Link>,
        handler: Arc<dyn Handler>,
        request: Request,
    ) -> Self {
        Self {
            link,
            handler,
            request,
            working: Working::new(shared),
        }
    }

    /// Runs the handler: for a CALL, then queues its reply (408 if the caller's deadline passes
    /// first, 500 if it panics). Dropped at once if the connection ends meanwhile.
    pub(crate) async fn run(self) {
        let Self {
            link,
            handler,
            request,
            working,
        } = self;
        let aborted = link.aborted();
        let shared = working.shared();
        let work = async {
            let message = request.message();
            let method = message.service_method.clone();
            if message.mtype == MessageType::Call {
                let (seq, xfer_pipe) = (message.seq, message.xfer_pipe.clone());
                let reply = answer(shared, &*handler, request, &method).await;
                send_reply(shared, &link, seq, xfer_pipe, reply).await;
            } else {
                handle_push(shared, &*handler, request, &method).await;
            }
        };
        tokio::select! {
            biased;
            () = aborted => tracing::debug!("a handler was dropped: its connection ended"),
            () = work => {}
        }
    }
}

/// The handler's answer to a CALL.
async fn answer(
    shared: &Arc<Shared>,
    handler: &dyn Handler,
    request: Request,
    method: &ByteString,
) -> Reply {
    let deadline = request.deadline();
    let future = match catch(|| handler.call(request)) {
        Ok(future) => CatchUnwind(future),
        Err(panic) => return panicked(shared, method, panic),
    };
    let outcome = match deadline {
        Some(deadline) => match tokio::time::timeout_at(deadline, future).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::debug!(%method, "a handler was stopped at the caller's deadline");
                return Reply::from(statuses::handler_timed_out());
            }
        },
        None => future.await,
    };
    outcome.unwrap_or_else(|panic| panicked(shared, method, panic))
}

/// Runs the handler of a PUSH.
async fn handle_push(
    shared: &Arc<Shared>,
    handler: &dyn Handler,
    request: Request,
    method: &ByteString,
) {
    let outcome = match catch(|| handler.push(request)) {
        Ok(future) => CatchUnwind(future).await,
        Err(panic) => Err(panic),
    };
    if let Err(panic) = outcome {
        panicked(shared, method, panic);
    }
}

/// Reports a handler's panic and gives the 500 reply it earns.
fn panicked(shared: &Arc<Shared>, method: &ByteString, panic: String) -> Reply {
    let status = statuses::handler_panicked(&panic);
    shared.report(&SessionError::HandlerPanicked {
        service_method: method.to_string(),
        panic,
    });
    Reply::from(status)
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("link", &self.link.serial)
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}
