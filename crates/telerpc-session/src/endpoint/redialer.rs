//! [`Redialer`]: the task that gives a dialed session a new connection when it loses one.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use super::connect::DialError;
use super::connection::Connection;
use super::dial::within;
use super::redial::RedialPolicy;
use super::target::Target;
use crate::{Health, Session};

/// Redials a session's target with its opener after each lost connection, as its
/// [`RedialPolicy`] says, and [`attach`](Session::attach)es the new connection; closes the
/// session when the attempts run out. Built on the session's redial hook:
/// [`Session::disconnected`], [`Session::attach`], [`Session::close`].
pub(super) struct Redialer<O> {
    target: Target,
    timeout: Option<Duration>,
    policy: RedialPolicy,
    open: O,
}

/// How one round of redialing ended.
enum Round {
    /// A new connection is attached.
    Attached,
    /// The session ended meanwhile.
    Ended,
    /// Every attempt failed.
    Exhausted,
}

impl<O, F, C> Redialer<O>
where
    O: Fn(Target) -> F,
    F: Future<Output = Result<C, DialError>>,
    C: Connection,
{
    pub(super) fn new(
        target: Target,
        timeout: Option<Duration>,
        policy: RedialPolicy,
        open: O,
    ) -> Self {
        Self {
            target,
            timeout,
            policy,
            open,
        }
    }

    /// Watches `session` until it ends, redialing each time it loses its connection.
    pub(super) async fn run(self, session: Session) {
        while session.disconnected().await == Health::Reconnecting {
            match self.round(&session).await {
                Round::Attached => {}
                Round::Ended => return,
                Round::Exhausted => {
                    tracing::warn!(
                        id = %session.id(),
                        target = %self.target,
                        "redial attempts exhausted; closing the session"
                    );
                    session.close().await;
                    return;
                }
            }
        }
    }

    /// Dials until a connection is attached, the attempts run out or the session ends.
    async fn round(&self, session: &Session) -> Round {
        let mut delays = self.policy.backoff().delays();
        let mut attempt = 0;
        while self.policy.attempts().allows(attempt) {
            if attempt > 0 {
                let delay = delays.next_delay();
                tokio::select! {
                    () = session.closed() => return Round::Ended,
                    () = tokio::time::sleep(delay) => {}
                }
            }
            let opening = within(&self.target, self.timeout, (self.open)(self.target.clone()));
            let opened = tokio::select! {
                () = session.closed() => return Round::Ended,
                opened = opening => opened,
            };
            match opened {
                Ok(connection) => {
                    return match connection.attach(session) {
                        Ok(()) => {
                            tracing::info!(
                                id = %session.id(),
                                target = %self.target,
                                attempt,
                                "redialed"
                            );
                            Round::Attached
                        }
                        Err(status) => {
                            tracing::debug!(id = %session.id(), %status, "redialed too late");
                            Round::Ended
                        }
                    };
                }
                Err(error) => {
                    tracing::debug!(id = %session.id(), attempt, %error, "redial failed");
                }
            }
            attempt = attempt.saturating_add(1);
        }
        Round::Exhausted
    }
}

impl<O> fmt::Debug for Redialer<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redialer")
            .field("target", &self.target)
            .field("timeout", &self.timeout)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}
