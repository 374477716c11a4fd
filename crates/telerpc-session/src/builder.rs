//! [`SessionBuilder`]: what a session is made of, and starting it on a socket.

use std::fmt;
use std::sync::Arc;

use telerpc_socket::{Socket, Status};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::shared::Shared;
use crate::{EventListener, Handler, Session, SessionConfig};

/// Builds a [`Session`]: [`config`](Self::config), [`handler`](Self::handler),
/// [`listener`](Self::listener), then [`start`](Self::start) on a socket.
///
/// Every part is optional: without a handler, CALLs are answered 404 and PUSHes dropped;
/// without a listener, no event is reported.
#[derive(Default)]
pub struct SessionBuilder {
    config: SessionConfig,
    handler: Option<Arc<dyn Handler>>,
    listener: Option<Arc<dyn EventListener>>,
    redial: bool,
}

impl SessionBuilder {
    /// Sets the config (default: [`SessionConfig::default()`]).
    pub fn config(mut self, config: SessionConfig) -> Self {
        self.config = config;
        self
    }

    /// Sets the handler of inbound CALLs and PUSHes; one may serve many sessions.
    pub fn handler(mut self, handler: Arc<dyn Handler>) -> Self {
        self.handler = Some(handler);
        self
    }

    /// Sets the listener of the session's events; one may serve many sessions.
    pub fn listener(mut self, listener: Arc<dyn EventListener>) -> Self {
        self.listener = Some(listener);
        self
    }

    /// With `true`, the session outlives its connection: losing it fails pending calls with
    /// 102 and makes the session [`Reconnecting`](crate::Health::Reconnecting) until a new
    /// one is [`attach`](Session::attach)ed or the session is closed. For dialers that redial.
    /// Default `false`: losing the connection ends the session.
    pub fn redial(mut self, redial: bool) -> Self {
        self.redial = redial;
        self
    }

    /// Starts the session on `socket`, which must be built with the config's
    /// [`socket`](SessionConfig::socket) settings, and returns it once
    /// [`on_open`](EventListener::on_open) has accepted it.
    ///
    /// `on_open` runs before anything is read. If it refuses, the connection is shut down,
    /// the session ends ([`on_close`](EventListener::on_close) fires once) and its status is
    /// returned. Otherwise the session joins its cron and spawns its reader and writer tasks
    /// with `tokio::spawn`, so this must run within a tokio runtime (multi-thread or
    /// current-thread).
    pub async fn start<R, W>(self, socket: Socket<R, W>) -> Result<Session, Status>
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let (reader, mut writer) = socket.split();
        let shared = Arc::new(Shared::new(
            Arc::clone(reader.info()),
            self.config,
            self.handler,
            self.listener,
            self.redial,
        ));
        if let Err(status) = shared.open() {
            tracing::debug!(id = %reader.info().id(), %status, "session refused by on_open");
            shared.end();
            if let Err(error) = writer.abort().await {
                tracing::debug!(%error, "shutting down a refused connection failed");
            }
            return Err(status);
        }
        shared.join_cron();
        shared.connect(reader, writer);
        Ok(shared.session())
    }
}

impl fmt::Debug for SessionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("config", &self.config)
            .field("handler", &self.handler.is_some())
            .field("listener", &self.listener.is_some())
            .field("redial", &self.redial)
            .finish()
    }
}
