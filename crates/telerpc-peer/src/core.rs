//! [`Core`]: what every session of a peer is made of, and how connections become sessions.

use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use telerpc_session::endpoint::{
    connect, ConnectionCounter, ConnectionSlot, DialError, Dialer, Stream, Target,
};
use telerpc_session::{EventListener, Handler, PreSession, Session, SessionConfig};
use telerpc_socket::Status;

use crate::events::PeerEvents;
use crate::gate::Gate;
use crate::hub::SessionHub;
use crate::lifecycle::Lifecycle;
use crate::logging::Logged;
use crate::peer::PeerInner;
use crate::transport::{PeerSocket, Transport};
use crate::{statuses, tls, NetAddr, PeerConfig};

/// The parts every session of one peer shares, whichever way it came: the config, the
/// handler chain (gate, logging, the user's handler), the event listener, the hub, the
/// lifecycle, the connection limit and the transport.
///
/// The accept loops hold it, not the [`Peer`](crate::Peer): dropping every peer handle stops
/// the loops, while the sessions go on until they end.
pub(crate) struct Core {
    config: PeerConfig,
    session_config: SessionConfig,
    handler: Arc<dyn Handler>,
    events: Arc<dyn EventListener>,
    hub: SessionHub,
    lifecycle: Arc<Lifecycle>,
    counter: Arc<ConnectionCounter>,
    transport: Arc<Transport>,
    dialer: Dialer,
}

impl Core {
    /// The core of the peer `peer` (not yet alive: the core is part of it).
    pub(crate) fn new(config: PeerConfig, peer: Weak<PeerInner>) -> Self {
        let lifecycle = Arc::new(Lifecycle::default());
        let hub = SessionHub::default();
        let logged = config
            .handler()
            .map(|handler| Arc::new(Logged::new(Arc::clone(handler), *config.logging())) as _);
        let handler: Arc<dyn Handler> = Arc::new(Gate::new(logged, Arc::clone(&lifecycle)));
        let events: Arc<dyn EventListener> = Arc::new(PeerEvents::new(
            peer,
            hub.clone(),
            Arc::clone(&lifecycle),
            config.listener().cloned(),
            *config.logging(),
        ));
        let session_config = config.session_config();
        let transport = Arc::new(Transport::new(
            config.socket_config(),
            config.tls_acceptor().cloned(),
            config.tls_connector().cloned(),
            config.handshake_timeout(),
            Arc::clone(&lifecycle),
        ));
        let mut dialer = Dialer::new()
            .config(session_config.clone())
            .handler(Arc::clone(&handler))
            .listener(Arc::clone(&events))
            .redial(config.redial());
        if let Some(timeout) = config.dial_timeout() {
            dialer = dialer.dial_timeout(timeout);
        }
        Self {
            counter: ConnectionCounter::new(config.max_connections()),
            config,
            session_config,
            handler,
            events,
            hub,
            lifecycle,
            transport,
            dialer,
        }
    }

    pub(crate) fn config(&self) -> &PeerConfig {
        &self.config
    }

    pub(crate) fn session_config(&self) -> &SessionConfig {
        &self.session_config
    }

    pub(crate) fn hub(&self) -> &SessionHub {
        &self.hub
    }

    pub(crate) fn lifecycle(&self) -> &Arc<Lifecycle> {
        &self.lifecycle
    }

    pub(crate) fn counter(&self) -> &Arc<ConnectionCounter> {
        &self.counter
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Starts a session of the peer on `socket`.
    async fn start(&self, socket: PeerSocket) -> Result<Session, Status> {
        Session::builder()
            .config(self.session_config.clone())
            .handler(Arc::clone(&self.handler))
            .listener(Arc::clone(&self.events))
            .start(socket)
            .await
    }

    /// Runs the plugins' [`post_accept`](telerpc_session::Plugin::post_accept) hooks on an
    /// accepted or served connection, within the handshake timeout (then 408). A refused
    /// connection is dropped, and so closed.
    async fn admit(&self, mut socket: PeerSocket) -> Result<PeerSocket, Status> {
        let plugins = self.config.plugins();
        if !plugins.is_empty() {
            let mut pre = PreSession::new(&mut socket, false);
            tokio::time::timeout(
                self.config.handshake_timeout(),
                plugins.post_accept(&mut pre),
            )
            .await
            .map_err(|_| statuses::hooks_timed_out())??;
        }
        Ok(socket)
    }

    /// Serves a connection an accept loop admitted, holding its slot until its session ends.
    /// A connection that cannot be set up (a failed TLS handshake) or whose session is
    /// refused is closed and logged at debug level.
    pub(crate) async fn serve_accepted(self: Arc<Self>, stream: Stream, slot: ConnectionSlot) {
        let peer = stream.peer_addr().ok();
        let socket = match self.transport.accepted(stream).await {
            Ok(socket) => socket,
            Err(error) => {
                tracing::debug!(?peer, %error, "could not set up an accepted connection");
                return;
            }
        };
        let socket = match self.admit(socket).await {
            Ok(socket) => socket,
            Err(status) => {
                tracing::debug!(?peer, %status, "a plugin refused an accepted connection");
                return;
            }
        };
        match self.start(socket).await {
            Ok(session) => hold(&session, slot),
            Err(status) => tracing::debug!(?peer, %status, "an accepted session was refused"),
        }
    }

    /// Serves a connection handed over, within the peer's connection limit; `setup` turns it
    /// into a socket.
    pub(crate) async fn serve(
        &self,
        setup: impl Future<Output = io::Result<PeerSocket>>,
    ) -> Result<Session, Status> {
        if self.lifecycle.is_draining() {
            return Err(statuses::shutting_down());
        }
        let slot = self
            .counter
            .admit()
            .ok_or_else(|| statuses::over_the_limit(self.counter.max()))?;
        let socket = setup.await.map_err(statuses::setup_failed)?;
        let socket = self.admit(socket).await?;
        let session = self.start(socket).await?;
        hold(&session, slot);
        Ok(session)
    }

    /// Dials `addr` (see [`Peer::dial`](crate::Peer::dial)).
    pub(crate) async fn dial(&self, addr: &NetAddr) -> Result<Session, Status> {
        if self.lifecycle.is_draining() {
            return Err(statuses::shutting_down());
        }
        let target = addr.target().await.map_err(|source| DialError::Connect {
            target: Target::tcp(addr.address()),
            source,
        })?;
        let server_name = tls::server_name(addr, self.config.tls_server_name());
        if self.transport.dials_tls() && server_name.is_none() {
            return Err(DialError::Setup {
                target,
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "a TLS dial needs a server name: set one in the peer's config",
                ),
            }
            .into());
        }
        let transport = Arc::clone(&self.transport);
        let plugins = self.config.plugins().clone();
        let dialed_before = Arc::new(AtomicBool::new(false));
        let handshake = self.config.handshake_timeout();
        self.dialer
            .dial_with(&target, move |target| {
                let transport = Arc::clone(&transport);
                let server_name = server_name.clone();
                let plugins = plugins.clone();
                let redial = dialed_before.swap(true, Ordering::Relaxed);
                async move {
                    let stream = connect(&target, None).await?;
                    let mut socket =
                        transport
                            .dialed(stream, server_name)
                            .await
                            .map_err(|source| DialError::Setup {
                                target: target.clone(),
                                source,
                            })?;
                    let mut pre = PreSession::new(&mut socket, redial);
                    let hooks = tokio::time::timeout(handshake, plugins.post_dial(&mut pre));
                    let refused = match hooks.await {
                        Ok(Ok(())) => return Ok(socket),
                        Ok(Err(status)) => status,
                        Err(_) => statuses::hooks_timed_out(),
                    };
                    let source = io::Error::new(io::ErrorKind::PermissionDenied, refused);
                    Err(DialError::Setup { target, source })
                }
            })
            .await
    }
}

/// Holds `slot` until `session` ends, on a small task of its own.
fn hold(session: &Session, slot: ConnectionSlot) {
    let closed = session.closed();
    tokio::spawn(async move {
        closed.await;
        drop(slot);
    });
}
