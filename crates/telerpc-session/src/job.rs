//! [`Job`]: one inbound CALL or PUSH on its way through a handler.
//!
//! A job starts on the task that read it ([`Job::start`]): the handler is called and its
//! future polled once, right there. Most handlers finish on that first poll (they decode,
//! compute and encode without waiting for anything); their answer is [`Started::Done`] and
//! joins the reader's batch of replies, with no task spawned, no timer armed and no hop
//! through the outbound queue per reply. A handler that has to wait comes back
//! [`Started::Waiting`]: the rest of its run ([`Waiting::finish`]) goes where the session's
//! [`Execution`](crate::Execution) says, under the caller's deadline.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};

use bytestring::ByteString;
use telerpc_socket::MessageType;
use telerpc_xfer::XferPipe;
use tokio::time::Instant;

use crate::in_flight::Working;
use crate::link::Link;
use crate::respond::send_reply;
use crate::shared::Shared;
use crate::unwind::{catch, CatchUnwind};
use crate::{statuses, BoxFuture, Handler, Reply, Request, SessionError};

/// An inbound CALL or PUSH to run through the handler, counted as in flight from the moment
/// it is read until it is done or dropped.
pub(crate) struct Job {
    link: Arc<Link>,
    handler: Arc<dyn Handler>,
    request: Request,
    working: Working,
}

/// A CALL answered: the REPLY to send, and where it goes.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The seq of the CALL answered.
    pub(crate) seq: i32,
    /// The CALL's transfer filters, which the REPLY goes through too.
    pub(crate) xfer_pipe: XferPipe,
    /// The handler's answer.
    pub(crate) reply: Reply,
    /// The CALL counted as in flight until its REPLY is queued.
    pub(crate) working: Working,
}

/// What the first poll of a job's handler gave.
pub(crate) enum Started {
    /// The handler finished: the CALL's answer, or `None` for a PUSH.
    Done(Option<Answer>),
    /// The handler waits for something: the rest of its run.
    Waiting(Waiting),
}

/// The handler of a CALL or PUSH that did not finish on its first poll.
pub(crate) struct Waiting {
    link: Arc<Link>,
    method: ByteString,
    work: Work,
    working: Working,
}

/// A handler's future, by the kind of message it handles.
enum Work {
    /// A CALL's: answered with its reply, or 408 once `deadline` passes.
    Call {
        future: CatchUnwind<BoxFuture<'static, Reply>>,
        seq: i32,
        xfer_pipe: XferPipe,
        deadline: Option<Instant>,
    },
    /// A PUSH's.
    Push(CatchUnwind<BoxFuture<'static, ()>>),
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

    /// Calls the handler and polls its future once, on the calling task. A panic is caught:
    /// a CALL is then answered 500.
    pub(crate) fn start(self) -> Started {
        let Self {
            link,
            handler,
            request,
            working,
        } = self;
        let shared = working.shared();
        let message = request.message();
        let method = message.service_method.clone();
        let work = if message.mtype == MessageType::Call {
            let (seq, xfer_pipe) = (message.seq, message.xfer_pipe.clone());
            let deadline = request.deadline();
            let mut future = match catch(|| handler.call(request)) {
                Ok(future) => CatchUnwind(future),
                Err(panic) => {
                    let reply = panicked(shared, &method, panic);
                    return Started::Done(Some(Answer {
                        seq,
                        xfer_pipe,
                        reply,
                        working,
                    }));
                }
            };
            if let Poll::Ready(outcome) = poll_once(&mut future) {
                let reply = outcome.unwrap_or_else(|panic| panicked(shared, &method, panic));
                return Started::Done(Some(Answer {
                    seq,
                    xfer_pipe,
                    reply,
                    working,
                }));
            }
            Work::Call {
                future,
                seq,
                xfer_pipe,
                deadline,
            }
        } else {
            let mut future = match catch(|| handler.push(request)) {
                Ok(future) => CatchUnwind(future),
                Err(panic) => {
                    panicked(shared, &method, panic);
                    return Started::Done(None);
                }
            };
            if let Poll::Ready(outcome) = poll_once(&mut future) {
                if let Err(panic) = outcome {
                    panicked(shared, &method, panic);
                }
                return Started::Done(None);
            }
            Work::Push(future)
        };
        Started::Waiting(Waiting {
            link,
            method,
            work,
            working,
        })
    }

    /// Runs the whole job on the calling task: [`start`](Self::start), then the reply queued
    /// or the rest of the handler's run.
    pub(crate) async fn run(self) {
        let link = Arc::clone(&self.link);
        match self.start() {
            Started::Done(Some(answer)) => send_reply(&link, answer).await,
            Started::Done(None) => {}
            Started::Waiting(waiting) => waiting.finish().await,
        }
    }
}

impl Waiting {
    /// Runs the handler to its end: for a CALL, then queues its reply (408 if the caller's
    /// deadline passes first, 500 if it panics). Dropped at once if the connection ends
    /// meanwhile.
    pub(crate) async fn finish(self) {
        let Self {
            link,
            method,
            work,
            working,
        } = self;
        let aborted = link.aborted();
        let shared = Arc::clone(working.shared());
        let work = async {
            match work {
                Work::Call {
                    future,
                    seq,
                    xfer_pipe,
                    deadline,
                } => {
                    let reply = answer(&shared, future, deadline, &method).await;
                    send_reply(
                        &link,
                        Answer {
                            seq,
                            xfer_pipe,
                            reply,
                            working,
                        },
                    )
                    .await;
                }
                Work::Push(future) => {
                    if let Err(panic) = future.await {
                        panicked(&shared, &method, panic);
                    }
                    drop(working);
                }
            }
        };
        tokio::select! {
            biased;
            () = aborted => tracing::debug!("a handler was dropped: its connection ended"),
            () = work => {}
        }
    }
}

/// Polls `future` once, outside any task: whatever it waits on is registered again when the
/// task that finishes it polls it.
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

/// The rest of a CALL's handler: its reply, 408 at the caller's deadline, 500 on a panic.
async fn answer(
    shared: &Arc<Shared>,
    future: CatchUnwind<BoxFuture<'static, Reply>>,
    deadline: Option<Instant>,
    method: &ByteString,
) -> Reply {
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

impl std::fmt::Debug for Waiting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Waiting")
            .field("link", &self.link.serial)
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}
