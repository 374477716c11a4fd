//! [`Acceptor`] and [`Server`]: a session for every accepted connection.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use telerpc_socket::Address;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};

use super::accept::{AcceptLoop, ConnectionCounter, ConnectionSlot};
use super::backoff::Backoff;
use super::listener::Listener;
use super::stream::Stream;
use super::target::Target;
use crate::{EventListener, Handler, Session, SessionConfig};

/// The listening side of an endpoint: what every accepted session is made of, and how
/// connections are accepted. [`bind`](Self::bind) or [`serve`](Self::serve) starts a
/// [`Server`].
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`config`](Self::config) | [`SessionConfig::default()`] | every session's config; its [`socket`](SessionConfig::socket) settings frame the connections (TCP options included) |
/// | [`handler`](Self::handler) | none: CALLs answered 404 | every session's handler |
/// | [`listener`](Self::listener) | none | every session's event listener |
/// | [`max_connections`](Self::max_connections) | no limit | live sessions at most; see [`AcceptLoop`] |
/// | [`accept_backoff`](Self::accept_backoff) | [`Backoff::ACCEPT`] | the wait after a temporary accept error |
///
/// Each accepted connection becomes a session on its own task, started as
/// [`SessionBuilder::start`](crate::SessionBuilder::start) does: a connection whose socket
/// cannot be set up, or that [`on_open`](EventListener::on_open) refuses, is closed and logged
/// at debug level. A session holds its [`ConnectionSlot`] until it ends.
///
/// ```
/// use telerpc_session::endpoint::{Acceptor, Target};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let server = Acceptor::new()
///     .max_connections(1000)
///     .bind(&Target::tcp("127.0.0.1:0"))
///     .await?;
/// assert_eq!(server.counter().live(), 0);
/// server.shutdown().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Acceptor {
    config: SessionConfig,
    handler: Option<Arc<dyn Handler>>,
    listener: Option<Arc<dyn EventListener>>,
    max_connections: Option<usize>,
    backoff: Backoff,
}

impl Default for Acceptor {
    fn default() -> Self {
        Self::new()
    }
}

impl Acceptor {
    /// Default sessions, no limit, [`Backoff::ACCEPT`].
    pub fn new() -> Self {
        Self {
            config: SessionConfig::default(),
            handler: None,
            listener: None,
            max_connections: None,
            backoff: Backoff::ACCEPT,
        }
    }

    /// Sets every session's config.
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets every session's handler.
    pub fn handler(mut self, handler: Arc<dyn Handler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Sets every session's event listener.
    pub fn listener(mut self, listener: Arc<dyn EventListener>) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Limits the live sessions to `max`; `None` removes the limit. A connection over the
    /// limit is accepted and closed at once.
    pub fn max_connections(mut self, max: impl Into<Option<usize>>) -> Self {
        self.max_connections = max.into();
        self
    }

    /// Sets the backoff after temporary accept errors.
    pub fn accept_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// Binds `target` and serves it; see [`serve`](Self::serve).
    pub async fn bind(self, target: &Target) -> io::Result<Server> {
        Ok(self.serve(Listener::bind(target).await?))
    }

    /// Serves `listener` on a task of its own (so within a tokio runtime) until
    /// [`Server::shutdown`], or until the [`Server`] is dropped.
    pub fn serve(self, listener: Listener) -> Server {
        let local_addr = listener.local_addr().clone();
        let accept = AcceptLoop::new(listener)
            .with_max_connections(self.max_connections)
            .with_backoff(self.backoff);
        let counter = accept.counter();
        let sessions = Arc::new(Registry::default());
        let (stop, shutdown) = watch::channel(false);
        let registry = Arc::clone(&sessions);
        let accepting = tokio::spawn(accept.run(
            move |stream, slot| {
                tokio::spawn(serve_connection(
                    self.clone(),
                    Arc::clone(&registry),
                    stream,
                    slot,
                ));
            },
            shutdown,
        ));
        tracing::debug!(local = %local_addr, "serving");
        Server {
            local_addr,
            counter,
            sessions,
            stop,
            accepting,
        }
    }
}

/// Runs one accepted connection's session to its end, holding its slot until then.
async fn serve_connection(
    acceptor: Acceptor,
    registry: Arc<Registry>,
    stream: Stream,
    slot: ConnectionSlot,
) {
    let socket = match stream.into_socket(acceptor.config.socket()) {
        Ok(socket) => socket,
        Err(error) => {
            tracing::debug!(%error, "could not set up an accepted connection");
            return;
        }
    };
    let mut builder = Session::builder().config(acceptor.config);
    if let Some(handler) = acceptor.handler {
        builder = builder.handler(handler);
    }
    if let Some(listener) = acceptor.listener {
        builder = builder.listener(listener);
    }
    let session = match socket.start(builder).await {
        Ok(session) => session,
        Err(status) => {
            tracing::debug!(%status, "an accepted session was refused");
            return;
        }
    };
    match registry.insert(&session) {
        // A small task of its own waits for the end, so that this one, sized for starting
        // the session, does not stay alive as long as the session does.
        Some(key) => {
            let closed = session.closed();
            tokio::spawn(async move {
                closed.await;
                registry.remove(key);
                drop(slot);
            });
        }
        // The server shut down while the session started.
        None => session.close().await,
    }
}

/// The live sessions of a server, by a key of its own; `None` once the server has shut down.
#[derive(Debug)]
struct Registry {
    sessions: Mutex<Option<HashMap<u64, Session>>>,
    next: AtomicU64,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            sessions: Mutex::new(Some(HashMap::new())),
            next: AtomicU64::new(0),
        }
    }
}

impl Registry {
    /// Registers `session` and returns its key, or `None` if the server has shut down.
    fn insert(&self, session: &Session) -> Option<u64> {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        self.sessions().as_mut()?.insert(key, session.clone());
        Some(key)
    }

    fn remove(&self, key: u64) {
        if let Some(sessions) = self.sessions().as_mut() {
            sessions.remove(&key);
        }
    }

    fn list(&self) -> Vec<Session> {
        self.sessions()
            .as_ref()
            .map(|sessions| sessions.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Every live session; from now on no session is registered.
    fn close(&self) -> Vec<Session> {
        self.sessions()
            .take()
            .map(|sessions| sessions.into_values().collect())
            .unwrap_or_default()
    }

    fn sessions(&self) -> MutexGuard<'_, Option<HashMap<u64, Session>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running [`Acceptor`]: its address, its counts, its live sessions.
///
/// [`shutdown`](Self::shutdown) stops accepting and closes every session. Dropping the server
/// stops accepting too (the listener is closed), but leaves the live sessions running.
pub struct Server {
    local_addr: Address,
    counter: Arc<ConnectionCounter>,
    sessions: Arc<Registry>,
    stop: watch::Sender<bool>,
    accepting: JoinHandle<io::Result<()>>,
}

impl Server {
    /// The address actually bound: with port 0, the port the OS chose.
    pub fn local_addr(&self) -> &Address {
        &self.local_addr
    }

    /// The connection counts: live sessions, admitted and refused connections.
    pub fn counter(&self) -> &ConnectionCounter {
        &self.counter
    }

    /// A handle on every live session.
    pub fn sessions(&self) -> Vec<Session> {
        self.sessions.list()
    }

    /// Stops accepting (the listener is closed), then closes every live session gracefully,
    /// as [`Session::close`] does, and resolves once all have ended. A session still starting
    /// is closed as soon as it has started.
    ///
    /// Returns the error that ended the accept loop early, if one did.
    pub async fn shutdown(self) -> io::Result<()> {
        self.stop.send_replace(true);
        let accepted = self.accepting.await.unwrap_or_else(|error| {
            Err(io::Error::other(format!("the accept loop failed: {error}")))
        });
        let mut closing = JoinSet::new();
        for session in self.sessions.close() {
            closing.spawn(async move { session.close().await });
        }
        let sessions = closing.len();
        while closing.join_next().await.is_some() {}
        tracing::debug!(local = %self.local_addr, sessions, "server shut down");
        accepted
    }
}

impl fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acceptor")
            .field("config", &self.config)
            .field("handler", &self.handler.is_some())
            .field("listener", &self.listener.is_some())
            .field("max_connections", &self.max_connections)
            .field("backoff", &self.backoff)
            .finish()
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("local_addr", &self.local_addr)
            .field("counter", &self.counter)
            .finish_non_exhaustive()
    }
}
