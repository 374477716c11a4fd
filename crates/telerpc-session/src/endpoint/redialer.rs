//! [`Redialer`]: the task that gives a dialed session a new connection when it loses one.

use std::time::Duration;

use super::dial::open;
use super::redial::RedialPolicy;
use super::target::Target;
use crate::{Health, Session};

/// Redials a session's target after each lost connection, as its [`RedialPolicy`] says, and
/// [`attach`](Session::attach)es the new connection; closes the session when the attempts run
/// out. Built on the session's redial hook: [`Session::disconnected`], [`Session::attach`],
/// [`Session::close`].
#[derive(Debug)]
pub(super) struct Redialer {
    target: Target,
    timeout: Option<Duration>,
    policy: RedialPolicy,
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

impl Redialer {
    pub(super) fn new(target: Target, timeout: Option<Duration>, policy: RedialPolicy) -> Self {
        Self {
            target,
            timeout,
            policy,
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
            let opened = tokio::select! {
                () = session.closed() => return Round::Ended,
                opened = open(&self.target, self.timeout, session.config().socket()) => opened,
            };
            match opened {
                Ok(socket) => {
                    return match socket.attach(session) {
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
