//! [`Peer`]: one type for both roles: it listens, dials and serves connections, and keeps
//! every session it has.

use std::fmt;
use std::mem;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use telerpc_session::endpoint::{ConnectionCounter, Stream};
use telerpc_session::{Session, SessionConfig};
use telerpc_socket::Status;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::core::Core;
use crate::listen::{bind, Served};
use crate::{NetAddr, PeerConfig, PeerError, SessionHub};

/// A peer: listens on any number of addresses, dials others, serves connections handed to
/// it, and routes every session, whichever way it came, to one handler. Either end of a
/// session may call the other: a server calls its clients back over the sessions they
/// dialed, exactly as they call it.
///
/// A `Peer` is a cheap handle; clones share everything. Its life:
///
/// 1. [`Peer::new`] with a [`PeerConfig`]: nothing is bound yet.
/// 2. [`listen`](Self::listen) binds every configured address and serves each on a task of
///    its own; [`dial`](Self::dial), [`serve_conn`](Self::serve_conn) and
///    [`serve_stream`](Self::serve_stream) add sessions. Every session is in the
///    [`hub`](Self::hub) while it lives and holds a [`PeerHandle`](crate::PeerHandle)
///    ([`peer_of`](crate::peer_of)).
/// 3. [`shutdown`](Self::shutdown) stops it gracefully within a deadline.
///
/// Dropping every handle without a shutdown stops accepting (the listeners close); sessions
/// go on until they end, and [`peer_of`](crate::peer_of) then finds no peer.
///
/// ```
/// use std::sync::Arc;
/// use telerpc_peer::{NetAddr, Peer, PeerConfig};
/// use telerpc_session::{BoxFuture, Handler, Reply, Request};
///
/// /// Answers every call with its own body.
/// struct Echo;
///
/// impl Handler for Echo {
///     fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
///         let message = request.into_message();
///         Box::pin(async move { Reply::with_body(message.body_codec, message.body) })
///     }
///
///     fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
///         Box::pin(async {})
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let server = Peer::new(
///     PeerConfig::default()
///         .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
///         .with_handler(Arc::new(Echo)),
/// );
/// let addrs = server.listen().await?;
/// assert_ne!(addrs[0].address(), "127.0.0.1:0"); // the port the OS chose
///
/// let client = Peer::new(PeerConfig::default());
/// let session = client.dial(addrs[0].clone()).await?;
/// let echoed: String = session.call("/echo", "hello").await?;
/// assert_eq!(echoed, "hello");
/// assert_eq!(client.hub().count(), 1);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Peer {
    inner: Arc<PeerInner>,
}

/// What the handles of one peer share.
pub(crate) struct PeerInner {
    core: Arc<Core>,
    listening: Mutex<Listening>,
}

/// Where the peer is with its listeners.
#[derive(Debug, Default)]
enum Listening {
    /// Not serving yet: [`Peer::listen`] has not succeeded.
    #[default]
    Idle,
    /// Serving these addresses.
    Serving(Vec<Served>),
    /// Shut down: listening is over for good.
    Stopped,
}

impl Peer {
    /// A peer with `config`. Nothing is bound or spawned until it is used, so this needs no
    /// runtime.
    pub fn new(config: PeerConfig) -> Self {
        let inner = Arc::new_cyclic(|weak| PeerInner {
            core: Arc::new(Core::new(config, weak.clone())),
            listening: Mutex::new(Listening::Idle),
        });
        Self { inner }
    }

    pub(crate) fn from_inner(inner: Arc<PeerInner>) -> Self {
        Self { inner }
    }

    pub(crate) fn core(&self) -> &Arc<Core> {
        &self.inner.core
    }

    /// Binds every configured [listen address](PeerConfig::listen_addrs), each on its
    /// network, and serves them all, each on a task of its own (so within a tokio runtime),
    /// until [`shutdown`](Self::shutdown) or the last handle is dropped. Returns the
    /// addresses actually bound, in the configured order: a TCP address with port 0 reports
    /// the port the OS chose.
    ///
    /// Each accepted connection is admitted under the [connection
    /// limit](PeerConfig::max_connections) (one over it is closed at once), set up on a task
    /// of its own (its TLS handshake, if any), and becomes a session of the peer.
    ///
    /// Fails, serving nothing, if an address cannot be bound ([`PeerError::Bind`]); once it
    /// has succeeded, it fails with [`PeerError::AlreadyListening`] (of two concurrent calls,
    /// one serves), and after a shutdown began with [`PeerError::ShuttingDown`]. A call
    /// dropped before it completes serves nothing.
    pub async fn listen(&self) -> Result<Vec<NetAddr>, PeerError> {
        self.may_listen()?;
        let mut bound = Vec::new();
        for addr in self.core().config().listen_addrs() {
            let listener = bind(addr).await.map_err(|source| PeerError::Bind {
                addr: addr.clone(),
                source,
            })?;
            let plugins = self.core().config().plugins();
            let local = listener.local_addr().to_string();
            if let Err(status) = plugins.each(|plugin| plugin.post_listen(&local)) {
                return Err(PeerError::Refused {
                    addr: addr.clone(),
                    status,
                });
            }
            bound.push((addr, listener));
        }
        // Committed under the lock, and only if nothing changed while binding: a concurrent
        // `listen` won, or a shutdown began (and found nothing to stop). The listeners bound
        // here are then closed.
        let mut listening = self.inner.listening();
        self.may_listen_now(&listening)?;
        let served: Vec<Served> = bound
            .into_iter()
            .map(|(addr, listener)| Served::start(self.core(), addr, listener))
            .collect();
        let addrs = served.iter().map(|served| served.addr().clone()).collect();
        *listening = Listening::Serving(served);
        Ok(addrs)
    }

    /// Whether [`listen`](Self::listen) may serve now.
    fn may_listen(&self) -> Result<(), PeerError> {
        self.may_listen_now(&self.inner.listening())
    }

    fn may_listen_now(&self, listening: &Listening) -> Result<(), PeerError> {
        match listening {
            Listening::Serving(_) => Err(PeerError::AlreadyListening),
            Listening::Stopped => Err(PeerError::ShuttingDown),
            Listening::Idle if self.core().lifecycle().is_draining() => {
                Err(PeerError::ShuttingDown)
            }
            Listening::Idle => Ok(()),
        }
    }

    /// The addresses being served: empty before [`listen`](Self::listen) and after a
    /// shutdown.
    pub fn listen_addrs(&self) -> Vec<NetAddr> {
        match &*self.inner.listening() {
            Listening::Serving(served) => served.iter().map(|s| s.addr().clone()).collect(),
            Listening::Idle | Listening::Stopped => Vec::new(),
        }
    }

    /// Dials `addr` on its network and starts a session of the peer on the connection: over
    /// TLS with a [connector](PeerConfig::tls_connector), verifying the
    /// [server name](PeerConfig::tls_server_name) or else the dialed host; within the
    /// [dial timeout](PeerConfig::dial_timeout); redialing a lost connection as the
    /// [redial policy](PeerConfig::redial) says. The session joins the hub and is routed to
    /// the peer's handler like an accepted one, so the other end can call back over it.
    ///
    /// A `tcp` address is resolved at each dial; a `tcp4` or `tcp6` address is resolved
    /// once, here, and its first address of the family is dialed (and redialed).
    ///
    /// Fails with 105 Dial Failed ([`DialError`](telerpc_session::endpoint::DialError) as the
    /// cause) when the address does not resolve, no connection is made in time, or it cannot
    /// be set up (a failed TLS handshake); with 102 and
    /// [`SHUTTING_DOWN_CAUSE`](crate::SHUTTING_DOWN_CAUSE) once the peer is shutting down;
    /// with the status of a user's [`on_open`](telerpc_session::EventListener::on_open)
    /// that refuses the session.
    pub async fn dial(&self, addr: impl Into<NetAddr>) -> Result<Session, Status> {
        self.core().dial(&addr.into()).await
    }

    /// Serves an existing connection, any byte stream (a `tokio::io::duplex` end, a socket
    /// accepted elsewhere, a stream of one's own), as a session of the peer, over TLS with
    /// an [acceptor](PeerConfig::tls_acceptor). Its addresses are unknown, so the session's
    /// id is `socket-<n>`; [`serve_stream`](Self::serve_stream) keeps a TCP or Unix
    /// socket's addresses.
    ///
    /// The connection counts under the [connection limit](PeerConfig::max_connections) until
    /// its session ends. Fails with 102 over the limit or once the peer is shutting down,
    /// with 100 Wrong Connection when the connection cannot be set up (a failed TLS
    /// handshake), and with a user's `on_open` status if it refuses the session.
    pub async fn serve_conn<S>(&self, stream: S) -> Result<Session, Status>
    where
        S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let core = self.core();
        core.serve(core.transport().served(stream)).await
    }

    /// Serves a TCP or Unix connection accepted elsewhere as a session of the peer, as if
    /// one of its listeners had accepted it: the TCP options are applied, the addresses
    /// known (the id is the peer's address), TLS with an acceptor. Otherwise as
    /// [`serve_conn`](Self::serve_conn).
    pub async fn serve_stream(&self, stream: Stream) -> Result<Session, Status> {
        let core = self.core();
        core.serve(core.transport().accepted(stream)).await
    }

    /// Every live session of the peer.
    pub fn hub(&self) -> &SessionHub {
        self.core().hub()
    }

    /// The connection counts under the [limit](PeerConfig::max_connections): accepted and
    /// served connections live now, admitted and refused so far.
    pub fn connections(&self) -> &ConnectionCounter {
        self.core().counter()
    }

    /// The peer's config.
    pub fn config(&self) -> &PeerConfig {
        self.core().config()
    }

    /// The config every session of the peer gets (see [`PeerConfig::session_config`]).
    pub fn session_config(&self) -> &SessionConfig {
        self.core().session_config()
    }

    /// Whether a [`shutdown`](Self::shutdown) has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.core().lifecycle().is_draining()
    }

    /// Whether `self` and `other` are handles on the same peer.
    pub fn ptr_eq(&self, other: &Peer) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Stops listening for good, and resolves once every listener is closed.
    pub(crate) async fn stop_listening(&self) {
        let served = match self.inner.set_listening(Listening::Stopped) {
            Listening::Serving(served) => served,
            Listening::Idle | Listening::Stopped => Vec::new(),
        };
        for served in served {
            served.stop().await;
        }
    }
}

impl PeerInner {
    fn listening(&self) -> MutexGuard<'_, Listening> {
        self.listening
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Sets the listening state and returns the one before.
    fn set_listening(&self, next: Listening) -> Listening {
        mem::replace(&mut *self.listening(), next)
    }
}

impl fmt::Debug for Peer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Peer")
            .field("listen_addrs", &self.listen_addrs())
            .field("sessions", &self.hub().count())
            .field("shutting_down", &self.is_shutting_down())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::future::IntoFuture;
    use std::time::Duration;

    use super::*;

    /// Every future of the peer can be spawned on a multi-thread runtime.
    #[test]
    fn the_peer_and_its_futures_are_send() {
        fn send<T: Send>(_: T) {}
        fn shared<T: Send + Sync>() {}
        shared::<Peer>();
        shared::<SessionHub>();
        let peer = Peer::new(PeerConfig::default());
        send(peer.listen());
        send(peer.dial(NetAddr::tcp("127.0.0.1:1")));
        send(peer.serve_conn(tokio::io::empty()));
        send(peer.shutdown(Duration::from_secs(1)));
        send(peer.broadcast("/chat/say", "hi").into_future());
    }
}
