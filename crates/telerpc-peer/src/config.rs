//! [`PeerConfig`]: what a peer listens on, how it dials, what its sessions are made of.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use telerpc_codec::id;
use telerpc_session::endpoint::RedialPolicy;
use telerpc_session::{
    EventListener, Execution, Handler, Plugin, Plugins, SessionConfig, DEFAULT_CALL_TIMEOUT,
};
use telerpc_socket::{Proto, RawProto, SocketConfig, DEFAULT_FRAME_LIMIT};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::{LogConfig, NetAddr};

/// How long an accepted connection's TLS handshake may take unless another limit is set:
/// 10 s.
pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings of a [`Peer`](crate::Peer): set with the `with_*` builder methods, read with
/// the methods named after them.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`listen_addrs`](Self::listen_addrs) | none | the addresses [`Peer::listen`](crate::Peer::listen) serves, each on its [`Network`](crate::Network) |
/// | [`default_codec`](Self::default_codec) | [`id::JSON`], as eRPC | the body codec of calls, pushes and broadcasts unless one is set per message |
/// | [`proto`](Self::proto) | [`RawProto`], as eRPC | the framing of every connection |
/// | [`frame_limit`](Self::frame_limit) | [`DEFAULT_FRAME_LIMIT`] (64 MiB) | the largest frame read or written |
/// | [`dial_timeout`](Self::dial_timeout) | none: the OS's limit | each dial's time limit (a TLS handshake included), redials too |
/// | [`call_timeout`](Self::call_timeout) | [`DEFAULT_CALL_TIMEOUT`] (30 s) | a call's deadline unless one is set per call |
/// | [`redial`](Self::redial) | off | what a dialed session does when its connection is lost |
/// | [`max_connections`](Self::max_connections) | no limit | the most accepted and served connections live at once, across every listen address |
/// | [`execution`](Self::execution) | [`Execution::default()`] | where handlers run, and how many at once |
/// | [`logging`](Self::logging) | [`LogConfig::default()`] | details, cost and slow-message logging |
/// | [`tls_acceptor`](Self::tls_acceptor) | none: plain | TLS for every accepted and served connection |
/// | [`tls_connector`](Self::tls_connector) | none: plain | TLS for every dialed connection |
/// | [`tls_server_name`](Self::tls_server_name) | none: the dialed host | the name a TLS dial verifies the certificate against |
/// | [`handshake_timeout`](Self::handshake_timeout) | [`DEFAULT_HANDSHAKE_TIMEOUT`] (10 s) | an accepted connection's TLS handshake time limit |
/// | [`handler`](Self::handler) | none: CALLs answered 404 | what answers the CALLs and handles the PUSHes of every session, accepted or dialed |
/// | [`listener`](Self::listener) | none | the user's listener of every session's events |
/// | [`plugins`](Self::plugins) | none | the [`Plugin`]s run at every hook point of the peer |
///
/// Everything else of a session is [`SessionConfig::default()`]'s; see
/// [`session_config`](Self::session_config).
///
/// ```
/// use std::time::Duration;
/// use telerpc_peer::{NetAddr, PeerConfig};
/// use telerpc_session::endpoint::RedialPolicy;
///
/// let config = PeerConfig::default()
///     .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
///     .with_listen_addr(NetAddr::unix("/tmp/telerpc-doc.sock"))
///     .with_dial_timeout(Duration::from_secs(3))
///     .with_redial(RedialPolicy::from_redial_times(-1))
///     .with_max_connections(10_000);
/// assert_eq!(config.listen_addrs().len(), 2);
/// assert_eq!(config.session_config().call_timeout(), Duration::from_secs(30));
/// ```
#[derive(Clone)]
pub struct PeerConfig {
    listen_addrs: Vec<NetAddr>,
    default_codec: u8,
    proto: Arc<dyn Proto>,
    frame_limit: usize,
    dial_timeout: Option<Duration>,
    call_timeout: Duration,
    redial: RedialPolicy,
    max_connections: Option<usize>,
    execution: Execution,
    logging: LogConfig,
    tls_acceptor: Option<TlsAcceptor>,
    tls_connector: Option<TlsConnector>,
    tls_server_name: Option<ServerName<'static>>,
    handshake_timeout: Duration,
    handler: Option<Arc<dyn Handler>>,
    listener: Option<Arc<dyn EventListener>>,
    plugins: Plugins,
}

impl Default for PeerConfig {
    /// The defaults of the table above.
    fn default() -> Self {
        Self {
            listen_addrs: Vec::new(),
            default_codec: id::JSON,
            proto: Arc::new(RawProto::default()),
            frame_limit: DEFAULT_FRAME_LIMIT,
            dial_timeout: None,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            redial: RedialPolicy::off(),
            max_connections: None,
            execution: Execution::default(),
            logging: LogConfig::default(),
            tls_acceptor: None,
            tls_connector: None,
            tls_server_name: None,
            handshake_timeout: DEFAULT_HANDSHAKE_TIMEOUT,
            handler: None,
            listener: None,
            plugins: Plugins::new(),
        }
    }
}

impl PeerConfig {
    /// Adds an address to listen on.
    pub fn with_listen_addr(mut self, addr: NetAddr) -> Self {
        self.listen_addrs.push(addr);
        self
    }

    /// Sets the body codec used unless one is set per message.
    pub fn with_default_codec(mut self, codec_id: u8) -> Self {
        self.default_codec = codec_id;
        self
    }

    /// Sets the framing of every connection.
    pub fn with_proto(mut self, proto: Arc<dyn Proto>) -> Self {
        self.proto = proto;
        self
    }

    /// Sets the largest frame read or written, in bytes.
    pub fn with_frame_limit(mut self, frame_limit: usize) -> Self {
        self.frame_limit = frame_limit;
        self
    }

    /// Sets each dial's time limit.
    pub fn with_dial_timeout(mut self, timeout: Duration) -> Self {
        self.dial_timeout = Some(timeout);
        self
    }

    /// Sets the deadline of calls for which none is set per call.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Sets what a dialed session does when its connection is lost.
    pub fn with_redial(mut self, policy: RedialPolicy) -> Self {
        self.redial = policy;
        self
    }

    /// Limits the accepted and served connections live at once; `None` removes the limit.
    pub fn with_max_connections(mut self, max: impl Into<Option<usize>>) -> Self {
        self.max_connections = max.into();
        self
    }

    /// Sets where handlers run.
    pub fn with_execution(mut self, execution: Execution) -> Self {
        self.execution = execution;
        self
    }

    /// Sets the message logging.
    pub fn with_logging(mut self, logging: LogConfig) -> Self {
        self.logging = logging;
        self
    }

    /// Serves every accepted and served connection over TLS with `acceptor` (see
    /// [`acceptor_from_pem`](crate::acceptor_from_pem)).
    pub fn with_tls_acceptor(mut self, acceptor: TlsAcceptor) -> Self {
        self.tls_acceptor = Some(acceptor);
        self
    }

    /// Dials every connection over TLS with `connector` (see
    /// [`connector_from_pem`](crate::connector_from_pem)).
    pub fn with_tls_connector(mut self, connector: TlsConnector) -> Self {
        self.tls_connector = Some(connector);
        self
    }

    /// Sets the name every TLS dial verifies the server's certificate against, instead of
    /// the dialed host (needed to dial a Unix socket over TLS).
    pub fn with_tls_server_name(mut self, name: ServerName<'static>) -> Self {
        self.tls_server_name = Some(name);
        self
    }

    /// Sets an accepted connection's TLS handshake time limit.
    pub fn with_handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// Sets what answers the CALLs and handles the PUSHes of every session (a router, or a
    /// handler of one's own).
    pub fn with_handler(mut self, handler: Arc<dyn Handler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Sets the user's listener of every session's events.
    pub fn with_listener(mut self, listener: Arc<dyn EventListener>) -> Self {
        self.listener = Some(listener);
        self
    }

    /// The addresses to listen on.
    pub fn listen_addrs(&self) -> &[NetAddr] {
        &self.listen_addrs
    }

    /// The body codec used unless one is set per message.
    pub fn default_codec(&self) -> u8 {
        self.default_codec
    }

    /// The framing of every connection.
    pub fn proto(&self) -> &Arc<dyn Proto> {
        &self.proto
    }

    /// The largest frame read or written, in bytes.
    pub fn frame_limit(&self) -> usize {
        self.frame_limit
    }

    /// Each dial's time limit, if any.
    pub fn dial_timeout(&self) -> Option<Duration> {
        self.dial_timeout
    }

    /// The deadline of calls for which none is set per call.
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// What a dialed session does when its connection is lost.
    pub fn redial(&self) -> RedialPolicy {
        self.redial
    }

    /// The most accepted and served connections live at once, if limited.
    pub fn max_connections(&self) -> Option<usize> {
        self.max_connections
    }

    /// Where handlers run.
    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    /// The message logging.
    pub fn logging(&self) -> &LogConfig {
        &self.logging
    }

    /// The TLS acceptor of accepted and served connections, if any.
    pub fn tls_acceptor(&self) -> Option<&TlsAcceptor> {
        self.tls_acceptor.as_ref()
    }

    /// The TLS connector of dialed connections, if any.
    pub fn tls_connector(&self) -> Option<&TlsConnector> {
        self.tls_connector.as_ref()
    }

    /// The name TLS dials verify, if set.
    pub fn tls_server_name(&self) -> Option<&ServerName<'static>> {
        self.tls_server_name.as_ref()
    }

    /// An accepted connection's TLS handshake time limit.
    pub fn handshake_timeout(&self) -> Duration {
        self.handshake_timeout
    }

    /// The handler, if any.
    pub fn handler(&self) -> Option<&Arc<dyn Handler>> {
        self.handler.as_ref()
    }

    /// The user's event listener, if any.
    pub fn listener(&self) -> Option<&Arc<dyn EventListener>> {
        self.listener.as_ref()
    }

    /// Adds `plugin` after the others: its connection hooks run on every connection of the
    /// peer, its message hooks on every message of its sessions, its
    /// [`post_listen`](Plugin::post_listen) on every address it listens on.
    pub fn with_plugin(mut self, plugin: Arc<dyn Plugin>) -> Self {
        self.plugins = self.plugins.with(plugin);
        self
    }

    /// The peer's plugins, in order.
    pub fn plugins(&self) -> &Plugins {
        &self.plugins
    }

    /// The socket settings of every connection: the protocol and the frame limit, the rest
    /// [`SocketConfig::default()`]'s.
    pub fn socket_config(&self) -> SocketConfig {
        SocketConfig::default()
            .with_proto(Arc::clone(&self.proto))
            .with_frame_limit(self.frame_limit)
    }

    /// The config of every session of the peer: [`SessionConfig::default()`] with this
    /// config's socket settings, default codec, call timeout, execution and plugins.
    pub fn session_config(&self) -> SessionConfig {
        SessionConfig::default()
            .with_socket(self.socket_config())
            .with_default_codec(self.default_codec)
            .with_call_timeout(self.call_timeout)
            .with_execution(self.execution.clone())
            .with_plugins(self.plugins.clone())
    }
}

impl fmt::Debug for PeerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerConfig")
            .field("listen_addrs", &self.listen_addrs)
            .field("default_codec", &self.default_codec)
            .field("proto", &self.proto.name())
            .field("frame_limit", &self.frame_limit)
            .field("dial_timeout", &self.dial_timeout)
            .field("call_timeout", &self.call_timeout)
            .field("redial", &self.redial)
            .field("max_connections", &self.max_connections)
            .field("execution", &self.execution)
            .field("logging", &self.logging)
            .field("tls_acceptor", &self.tls_acceptor.is_some())
            .field("tls_connector", &self.tls_connector.is_some())
            .field("tls_server_name", &self.tls_server_name)
            .field("handshake_timeout", &self.handshake_timeout)
            .field("handler", &self.handler.is_some())
            .field("plugins", &self.plugins)
            .field("listener", &self.listener.is_some())
            .finish()
    }
}
