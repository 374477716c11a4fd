//! [`Dialer`]: the dialing side of an endpoint, a session per dial.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use telerpc_socket::{SocketConfig, Status};

use super::connect::{connect, DialError};
use super::connection::Connection;
use super::redial::RedialPolicy;
use super::redialer::Redialer;
use super::stream::EndpointSocket;
use super::target::Target;
use crate::{EventListener, Handler, Session, SessionConfig};

/// The dialing side of an endpoint: what a dialed session is made of, how long a dial may
/// take, and whether a lost connection is redialed. [`dial`](Self::dial) connects and starts
/// a [`Session`].
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`config`](Self::config) | [`SessionConfig::default()`] | the session's config; its [`socket`](SessionConfig::socket) settings frame the connection (TCP options included) |
/// | [`handler`](Self::handler) | none: CALLs answered 404 | the session's handler |
/// | [`listener`](Self::listener) | none | the session's event listener |
/// | [`dial_timeout`](Self::dial_timeout) | none: the OS's limit | each dial's time limit, redials included |
/// | [`redial`](Self::redial) | [`RedialPolicy::off()`] | what happens when the connection is lost |
///
/// **Redial.** With a policy that [`is_enabled`](RedialPolicy::is_enabled), losing the
/// connection does not end the session:
///
/// - calls waiting for a reply fail with 102 at once, and the session becomes
///   [`Reconnecting`](crate::Health::Reconnecting);
/// - the target is dialed again as the policy says (the first dial at once, then after each
///   failure the backoff's next delay), each dial bounded by the dial timeout;
/// - calls and pushes made meanwhile wait for the new connection, each up to its own deadline
///   (then 408), and leave on it;
/// - the session keeps its id and attributes (eRPC clears them: we do not), its config,
///   handler and listener; [`on_open`](EventListener::on_open) does not fire again;
/// - when the attempts run out, the session closes for good: whatever waits fails with 102
///   and [`on_close`](EventListener::on_close) fires once. [`Session::close`] during the
///   redial stops it the same way.
///
/// A redialing session lives, like an open one, until it is closed or its attempts run out,
/// whether or not a handle is kept.
///
/// ```
/// use std::time::Duration;
/// use telerpc_session::endpoint::{Acceptor, Dialer, RedialPolicy, Target};
/// use telerpc_socket::Address;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = Acceptor::new().bind(&Target::tcp("127.0.0.1:0")).await?;
/// let Address::Inet(addr) = server.local_addr().clone() else { unreachable!() };
///
/// let session = Dialer::new()
///     .dial_timeout(Duration::from_secs(1))
///     .redial(RedialPolicy::from_redial_times(3))
///     .dial(&Target::from(addr))
///     .await?;
/// assert_eq!(session.peer_addr(), Address::Inet(addr));
/// session.close().await;
/// server.shutdown().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Default)]
pub struct Dialer {
    config: SessionConfig,
    handler: Option<Arc<dyn Handler>>,
    listener: Option<Arc<dyn EventListener>>,
    timeout: Option<Duration>,
    redial: RedialPolicy,
}

impl Dialer {
    /// A default session, no dial timeout, no redial.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the session's config.
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the session's handler.
    pub fn handler(mut self, handler: Arc<dyn Handler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Sets the session's event listener.
    pub fn listener(mut self, listener: Arc<dyn EventListener>) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Sets each dial's time limit, name resolution included.
    pub fn dial_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets what happens when the connection is lost.
    pub fn redial(mut self, policy: RedialPolicy) -> Self {
        self.redial = policy;
        self
    }

    /// Dials `target` and starts a session on the connection (spawning its tasks, and the
    /// redial task when redial is on, so within a tokio runtime).
    ///
    /// Fails with 105 Dial Failed, the [`DialError`] as the cause, when no connection is made
    /// in time or it cannot be set up; with [`on_open`](EventListener::on_open)'s status when
    /// it refuses the session.
    pub async fn dial(&self, target: &Target) -> Result<Session, Status> {
        let config = self.config.socket().clone();
        self.dial_with(target, move |target| open(target, config.clone()))
            .await
    }

    /// Dials `target` with `open` and starts a session on the [`Connection`] it makes: the way
    /// to dial over a transport of one's own, such as TLS over [`connect`]'s stream. `open` is
    /// called for the first dial and again for every redial, each call bounded by the
    /// [`dial_timeout`](Self::dial_timeout) (then [`DialError::Timeout`]); everything else is
    /// as [`dial`](Self::dial) does.
    ///
    /// ```
    /// use telerpc_session::endpoint::{connect, Acceptor, DialError, Dialer, Stream, Target};
    /// use telerpc_socket::{Address, Socket, SocketConfig};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let server = Acceptor::new().bind(&Target::tcp("127.0.0.1:0")).await?;
    /// let Address::Inet(addr) = server.local_addr().clone() else { unreachable!() };
    ///
    /// // Frames the TCP stream as a generic socket: any stream wrapper would do.
    /// let session = Dialer::new()
    ///     .dial_with(&Target::from(addr), |target| async move {
    ///         let Stream::Tcp(tcp) = connect(&target, None).await? else { unreachable!() };
    ///         Ok::<_, DialError>(Socket::with_config(tcp, SocketConfig::default()))
    ///     })
    ///     .await?;
    /// session.close().await;
    /// server.shutdown().await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn dial_with<O, F, C>(&self, target: &Target, open: O) -> Result<Session, Status>
    where
        O: Fn(Target) -> F + Send + Sync + 'static,
        F: Future<Output = Result<C, DialError>> + Send + 'static,
        C: Connection,
    {
        let connection = within(target, self.timeout, open(target.clone())).await?;
        let mut builder = Session::builder()
            .config(self.config.clone())
            .redial(self.redial.is_enabled());
        if let Some(handler) = &self.handler {
            builder = builder.handler(Arc::clone(handler));
        }
        if let Some(listener) = &self.listener {
            builder = builder.listener(Arc::clone(listener));
        }
        let session = connection.start(builder).await?;
        tracing::debug!(id = %session.id(), %target, "dialed");
        if self.redial.is_enabled() {
            let redialer = Redialer::new(target.clone(), self.timeout, self.redial, open);
            tokio::spawn(redialer.run(session.clone()));
        }
        Ok(session)
    }
}

/// Runs one dial, `opening`, giving up after `timeout` (`None`: no limit of its own).
pub(super) async fn within<C>(
    target: &Target,
    timeout: Option<Duration>,
    opening: impl Future<Output = Result<C, DialError>>,
) -> Result<C, DialError> {
    match timeout {
        Some(timeout) => {
            tokio::time::timeout(timeout, opening)
                .await
                .map_err(|_| DialError::Timeout {
                    target: target.clone(),
                    timeout,
                })?
        }
        None => opening.await,
    }
}

/// Connects to `target` and frames the connection with `config`: [`Dialer::dial`]'s opener.
async fn open(target: Target, config: SocketConfig) -> Result<EndpointSocket, DialError> {
    connect(&target, None)
        .await?
        .into_socket(&config)
        .map_err(|source| DialError::Setup { target, source })
}

impl fmt::Debug for Dialer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dialer")
            .field("config", &self.config)
            .field("handler", &self.handler.is_some())
            .field("listener", &self.listener.is_some())
            .field("timeout", &self.timeout)
            .field("redial", &self.redial)
            .finish()
    }
}
