//! [`SessionConfig`]: how a session frames, encodes, queues, times out and runs handlers.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use telerpc_codec::{id, CodecRegistry};
use telerpc_socket::SocketConfig;

use crate::{Cron, Execution, Plugin, Plugins, QueuePolicy};

/// How long a call waits for its reply unless [`Call::timeout`](crate::Call::timeout) says
/// otherwise: 30 s.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(30);

/// How many frames the outbound queue holds: 1024.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1024;

/// How long [`Session::close`](crate::Session::close) waits for in-flight work: 10 s.
pub const DEFAULT_CLOSE_GRACE: Duration = Duration::from_secs(10);

/// The settings of a session. Cheap to clone (shared parts are behind `Arc`s), so an endpoint
/// hands one config to all its sessions.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`socket`](Self::socket) | [`SocketConfig::default()`] | protocol and frame limit for encoding outbound frames |
/// | [`codecs`](Self::codecs) | [`CodecRegistry::standard()`] | body codecs by id |
/// | [`default_codec`](Self::default_codec) | [`id::JSON`] | the codec of call and push bodies unless one is set per message |
/// | [`call_timeout`](Self::call_timeout) | [`DEFAULT_CALL_TIMEOUT`] (30 s) | a call's deadline unless one is set per call; also bounds a push's wait for queue room |
/// | [`queue_capacity`](Self::queue_capacity) | [`DEFAULT_QUEUE_CAPACITY`] (1024 frames) | the outbound queue's size |
/// | [`queue_policy`](Self::queue_policy) | [`QueuePolicy::Wait`] | what a call or push does when the queue is full |
/// | [`close_grace`](Self::close_grace) | [`DEFAULT_CLOSE_GRACE`] (10 s) | how long a close waits for in-flight work |
/// | [`execution`](Self::execution) | [`Execution::default()`]: a task per message whose handler waits, at most 1024 at once | where handlers run |
/// | [`cron`](Self::cron) | none | the shared timer that drives [`on_cron`](crate::EventListener::on_cron) |
/// | [`plugins`](Self::plugins) | none | the [`Plugin`]s whose hooks run on every message |
///
/// The session encodes frames with [`socket`](Self::socket)'s protocol and frame limit, so the
/// [`Socket`](telerpc_socket::Socket) it starts on must be built with the same
/// [`SocketConfig`] (the socket decodes with its own).
///
/// ```
/// use std::time::Duration;
/// use telerpc_session::{Execution, QueuePolicy, SessionConfig};
///
/// let config = SessionConfig::default()
///     .with_call_timeout(Duration::from_secs(5))
///     .with_queue_capacity(256)
///     .with_queue_policy(QueuePolicy::FailFast)
///     .with_execution(Execution::Ordered { queue: 64 });
/// assert_eq!(config.queue_capacity(), 256);
/// assert_eq!(config.call_timeout(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone)]
pub struct SessionConfig {
    socket: SocketConfig,
    codecs: Arc<CodecRegistry>,
    default_codec: u8,
    call_timeout: Duration,
    queue_capacity: usize,
    queue_policy: QueuePolicy,
    close_grace: Duration,
    execution: Execution,
    cron: Option<Cron>,
    plugins: Plugins,
}

impl Default for SessionConfig {
    /// The defaults of the table above. Built once per process and cloned, so sessions made
    /// with the default config share one protocol, filter registry and codec registry.
    fn default() -> Self {
        static DEFAULT: OnceLock<SessionConfig> = OnceLock::new();
        DEFAULT.get_or_init(Self::build_default).clone()
    }
}

impl SessionConfig {
    fn build_default() -> Self {
        Self {
            socket: SocketConfig::default(),
            codecs: Arc::clone(CodecRegistry::standard()),
            default_codec: id::JSON,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            queue_policy: QueuePolicy::default(),
            close_grace: DEFAULT_CLOSE_GRACE,
            execution: Execution::default(),
            cron: None,
            plugins: Plugins::new(),
        }
    }

    /// Sets the socket settings whose protocol and frame limit encode outbound frames.
    pub fn with_socket(mut self, socket: SocketConfig) -> Self {
        self.socket = socket;
        self
    }

    /// Sets the codec registry.
    pub fn with_codecs(mut self, codecs: Arc<CodecRegistry>) -> Self {
        self.codecs = codecs;
        self
    }

    /// Sets the codec of call and push bodies for which none is set per message.
    pub fn with_default_codec(mut self, codec_id: u8) -> Self {
        self.default_codec = codec_id;
        self
    }

    /// Sets the deadline of calls for which none is set per call.
    pub fn with_call_timeout(mut self, timeout: Duration) -> Self {
        self.call_timeout = timeout;
        self
    }

    /// Sets the outbound queue's capacity in frames; at least 1.
    pub fn with_queue_capacity(mut self, frames: usize) -> Self {
        self.queue_capacity = frames.max(1);
        self
    }

    /// Sets what a call or push does when the outbound queue is full.
    pub fn with_queue_policy(mut self, policy: QueuePolicy) -> Self {
        self.queue_policy = policy;
        self
    }

    /// Sets how long [`Session::close`](crate::Session::close) waits for in-flight work.
    pub fn with_close_grace(mut self, grace: Duration) -> Self {
        self.close_grace = grace;
        self
    }

    /// Sets where handlers run.
    pub fn with_execution(mut self, execution: Execution) -> Self {
        self.execution = execution;
        self
    }

    /// Sets the shared timer that drives [`on_cron`](crate::EventListener::on_cron).
    pub fn with_cron(mut self, cron: Cron) -> Self {
        self.cron = Some(cron);
        self
    }

    /// Adds `plugin` after the others: its message hooks run on every message of the session
    /// (see [`Plugin`] for the order).
    pub fn with_plugin(mut self, plugin: Arc<dyn Plugin>) -> Self {
        self.plugins = self.plugins.with(plugin);
        self
    }

    /// Sets the whole list of plugins.
    pub fn with_plugins(mut self, plugins: Plugins) -> Self {
        self.plugins = plugins;
        self
    }

    /// The socket settings.
    pub fn socket(&self) -> &SocketConfig {
        &self.socket
    }

    /// The codec registry.
    pub fn codecs(&self) -> &Arc<CodecRegistry> {
        &self.codecs
    }

    /// The codec of bodies for which none is set per message.
    pub fn default_codec(&self) -> u8 {
        self.default_codec
    }

    /// The deadline of calls for which none is set per call.
    pub fn call_timeout(&self) -> Duration {
        self.call_timeout
    }

    /// The outbound queue's capacity in frames.
    pub fn queue_capacity(&self) -> usize {
        self.queue_capacity
    }

    /// What a call or push does when the outbound queue is full.
    pub fn queue_policy(&self) -> QueuePolicy {
        self.queue_policy
    }

    /// How long a close waits for in-flight work.
    pub fn close_grace(&self) -> Duration {
        self.close_grace
    }

    /// Where handlers run.
    pub fn execution(&self) -> &Execution {
        &self.execution
    }

    /// The plugins whose message hooks run on every message, in order.
    pub fn plugins(&self) -> &Plugins {
        &self.plugins
    }

    /// The shared timer of [`on_cron`](crate::EventListener::on_cron), if any.
    pub fn cron(&self) -> Option<&Cron> {
        self.cron.as_ref()
    }
}
