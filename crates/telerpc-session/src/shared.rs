//! [`Shared`]: the state every handle of one session shares, and the session's life: start,
//! connection lost, reconnect, graceful close, end.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use telerpc_socket::{code, Message, SocketInfo, SocketReader, SocketWriter, Status};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::time::Instant;

use crate::execution::Executor;
use crate::in_flight::InFlight;
use crate::link::Link;
use crate::pending::Pending;
use crate::queue::Queue;
use crate::seq::SeqCounter;
use crate::stats::Counters;
use crate::{
    reader, writer, EventListener, Execution, Handler, Health, Session, SessionConfig, SessionError,
};

/// What every handle of one session shares.
pub(crate) struct Shared {
    /// A process-unique number, the session's key in its cron.
    serial: u64,
    /// Id and attributes: the first socket's info, kept across reconnects.
    info: Arc<SocketInfo>,
    pub(crate) config: SessionConfig,
    pub(crate) handler: Option<Arc<dyn Handler>>,
    listener: Option<Arc<dyn EventListener>>,
    redial: bool,
    pub(crate) seq: SeqCounter,
    pub(crate) pending: Pending,
    pub(crate) queue: Queue,
    health: watch::Sender<Health>,
    /// Set by the first [`end`](Self::end): the session ends once.
    ended: AtomicBool,
    link: Mutex<Option<Arc<Link>>>,
    pub(crate) in_flight: InFlight,
    pub(crate) counters: Counters,
    /// The bound on handlers in flight for [`Execution::Spawn`] (this session's own) and
    /// [`Execution::Pool`] (shared).
    limit: Option<Arc<Semaphore>>,
}

/// A process-unique serial for sessions and links.
pub(crate) fn next_serial() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The graceful close, on its own task so that it completes even if no one waits for it.
async fn closing(shared: Arc<Shared>) {
    let grace_over = Instant::now() + shared.config.close_grace();
    if tokio::time::timeout_at(grace_over, shared.in_flight.idle())
        .await
        .is_err()
    {
        tracing::debug!(id = %shared.info.id(), "close grace over with work in flight");
    }
    let link = shared.link().clone();
    if let Some(link) = link {
        link.finish();
        if tokio::time::timeout_at(grace_over, link.writer_done())
            .await
            .is_err()
        {
            tracing::debug!(id = %shared.info.id(), "close grace over before the queue was written");
        }
    }
    shared.end();
}

impl Shared {
    /// The state of a session about to start on a socket described by `info`.
    pub(crate) fn new(
        info: Arc<SocketInfo>,
        config: SessionConfig,
        handler: Option<Arc<dyn Handler>>,
        listener: Option<Arc<dyn EventListener>>,
        redial: bool,
    ) -> Self {
        let limit = match config.execution() {
            Execution::Spawn { max_in_flight } => {
                Some(Arc::new(Semaphore::new((*max_in_flight).max(1))))
            }
            Execution::Pool(pool) => Some(Arc::clone(pool.permits())),
            Execution::Inline | Execution::Ordered { .. } => None,
        };
        Self {
            serial: next_serial(),
            info,
            queue: Queue::new(config.queue_capacity()),
            counters: Counters::new(Instant::now()),
            config,
            handler,
            listener,
            redial,
            seq: SeqCounter::new(),
            pending: Pending::new(),
            health: watch::Sender::new(Health::Open),
            ended: AtomicBool::new(false),
            link: Mutex::new(None),
            in_flight: InFlight::default(),
            limit,
        }
    }

    /// A handle on this session.
    pub(crate) fn session(self: &Arc<Self>) -> Session {
        Session {
            shared: Arc::clone(self),
        }
    }

    /// Whether new work is taken on, outbound calls and pushes as inbound CALLs and PUSHes:
    /// the session is open or reconnecting, not closing or closed.
    pub(crate) fn serving(&self) -> bool {
        matches!(*self.health.borrow(), Health::Open | Health::Reconnecting)
    }

    /// Resolves with the health once it satisfies `done` ([`Health::Closed`] if the session
    /// is gone).
    pub(crate) fn until(
        &self,
        done: fn(Health) -> bool,
    ) -> impl Future<Output = Health> + Send + 'static {
        let mut health = self.health.subscribe();
        async move {
            health
                .wait_for(|health| done(*health))
                .await
                .map_or(Health::Closed, |health| *health)
        }
    }

    /// Where the session is in its life.
    pub(crate) fn health(&self) -> Health {
        *self.health.borrow()
    }

    /// The session's info: id and attributes.
    pub(crate) fn info(&self) -> &Arc<SocketInfo> {
        &self.info
    }

    /// Replaces the session's id, and the current connection's.
    pub(crate) fn set_id(&self, id: Arc<str>) {
        if let Some(link) = self.link().as_ref() {
            link.info.set_id(Arc::clone(&id));
        }
        self.info.set_id(id);
    }

    /// Begins a graceful close, once: an open session drains on a task of its own; a
    /// reconnecting one has nothing to drain and ends now.
    pub(crate) fn begin_close(self: &Arc<Self>) {
        let before = self.set_health(|health| match health {
            Health::Open => Some(Health::Closing),
            _ => None,
        });
        match before {
            Health::Open => {
                tokio::spawn(closing(Arc::clone(self)));
            }
            Health::Reconnecting => self.end(),
            Health::Closing | Health::Closed => {}
        }
    }

    /// Attaches a new connection to a reconnecting session; see
    /// [`Session::attach`](crate::Session::attach).
    pub(crate) fn reattach<R, W>(
        self: &Arc<Self>,
        reader: SocketReader<R>,
        writer: SocketWriter<W>,
    ) -> Result<(), Status>
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        if self.health() != Health::Reconnecting {
            return Err(Status::from_code(code::INVALID_OP)
                .with_cause("the session is not waiting for a connection"));
        }
        reader.info().set_id(self.info.id());
        let link = self.connect(reader, writer);
        let before = self.set_health(|health| match health {
            Health::Reconnecting => Some(Health::Open),
            _ => None,
        });
        if before != Health::Reconnecting {
            link.abort();
            return Err(Status::from_code(code::INVALID_OP)
                .with_cause("the session ended while the connection was attached"));
        }
        tracing::debug!(id = %self.info.id(), peer = %link.info.peer_addr(), "session reattached");
        Ok(())
    }

    /// Moves the health to what `next` says, if it says anything; returns the health before.
    fn set_health(&self, next: impl FnOnce(Health) -> Option<Health>) -> Health {
        let mut before = Health::Closed;
        self.health.send_if_modified(|health| {
            before = *health;
            match next(*health) {
                Some(next) => {
                    *health = next;
                    true
                }
                None => false,
            }
        });
        before
    }

    /// Registers with the cron, if the config has one.
    pub(crate) fn join_cron(self: &Arc<Self>) {
        if let Some(cron) = self.config.cron() {
            cron.register(self.serial, Arc::downgrade(self));
        }
    }

    /// Attaches a connection: a new link, its writer and reader tasks, and its ordered worker
    /// when the execution is [`Execution::Ordered`]. The link becomes the current one before
    /// any task runs, so a task that finds it lost at once is heard.
    pub(crate) fn connect<R, W>(
        self: &Arc<Self>,
        reader: SocketReader<R>,
        writer: SocketWriter<W>,
    ) -> Arc<Link>
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let link = Arc::new(Link::new(next_serial(), Arc::clone(reader.info())));
        *self.link() = Some(Arc::clone(&link));
        // `end` marks the session closed before it takes the link: if it ran meanwhile, it
        // may not have seen this one.
        if self.is_closed() {
            link.abort();
        }
        let (executor, worker) = match (self.config.execution(), &self.limit) {
            (Execution::Ordered { queue }, _) => {
                let (jobs, queued) = mpsc::channel((*queue).max(1));
                let worker = tokio::spawn(crate::execution::ordered_worker(queued));
                (Executor::Ordered(jobs), Some(worker.abort_handle()))
            }
            (_, Some(limit)) => (Executor::Limited(Arc::clone(limit)), None),
            (_, None) => (Executor::Inline, None),
        };
        let writer = Arc::new(tokio::sync::Mutex::new(writer));
        let reader = tokio::spawn(reader::run(
            Arc::clone(self),
            Arc::clone(&link),
            reader,
            Arc::clone(&writer),
            executor,
        ));
        let writer = tokio::spawn(writer::run(Arc::clone(self), Arc::clone(&link), writer));
        link.set_tasks(reader.abort_handle(), worker, writer);
        link
    }

    /// The current link's connection is lost: `error` says why, `None` for a clean end of
    /// stream. Ends the session, or with redial makes it wait for a new connection. A link
    /// that is no longer the current one is ignored.
    pub(crate) fn link_lost(self: &Arc<Self>, link: &Link, error: Option<SessionError>) {
        if let Some(error) = &error {
            self.report(error);
        }
        let current = self
            .link()
            .as_ref()
            .is_some_and(|current| current.serial == link.serial);
        if !current {
            return;
        }
        tracing::debug!(id = %self.info.id(), "connection lost");
        if !self.redial {
            self.end();
            return;
        }
        if self.health() != Health::Open {
            self.end();
            return;
        }
        // The calls of the lost connection fail before anyone can see `Reconnecting`: a call
        // made once it shows waits for the next connection and must not be failed with them.
        link.abort();
        let failed = self.pending.fail_all();
        let before = self.set_health(|health| match health {
            Health::Open => Some(Health::Reconnecting),
            _ => None,
        });
        if before != Health::Open {
            self.end();
            return;
        }
        tracing::debug!(id = %self.info.id(), failed, "waiting for a new connection");
    }

    /// Ends the session, once: refuses everything from now on, fails every pending call with
    /// 102, drops the connection and its handlers, leaves the cron, fires `on_close`, and only
    /// then reports [`Health::Closed`], so whoever awaits the end sees `on_close` done.
    pub(crate) fn end(self: &Arc<Self>) {
        if self.ended.swap(true, Ordering::AcqRel) {
            return;
        }
        self.set_health(|_| Some(Health::Closing));
        let failed = self.pending.close();
        let link = self.link().clone();
        if let Some(link) = link {
            link.abort();
        }
        self.queue.close_if_free();
        if let Some(cron) = self.config.cron() {
            cron.unregister(self.serial);
        }
        tracing::debug!(id = %self.info.id(), failed, "session closed");
        if let Some(listener) = &self.listener {
            listener.on_close(&self.session());
        }
        let plugins = self.config.plugins();
        if !plugins.is_empty() {
            let session = self.session();
            plugins
                .iter()
                .for_each(|plugin| plugin.post_disconnect(&session));
        }
        self.set_health(|_| Some(Health::Closed));
    }

    /// Tells the listener about `error`.
    pub(crate) fn report(self: &Arc<Self>, error: &SessionError) {
        tracing::debug!(id = %self.info.id(), %error, "session error");
        if let Some(listener) = &self.listener {
            listener.on_error(&self.session(), error);
        }
    }

    /// Tells the listener about a message read.
    pub(crate) fn heard(self: &Arc<Self>, message: &Message) {
        if let Some(listener) = &self.listener {
            listener.on_message(&self.session(), message);
        }
    }

    /// Asks the listener whether the session may start.
    pub(crate) fn open(self: &Arc<Self>) -> Result<(), Status> {
        let session = self.session();
        if let Some(listener) = &self.listener {
            listener.on_open(&session)?;
        }
        self.config
            .plugins()
            .each(|plugin| plugin.post_open(&session))
    }

    /// One tick of the cron: `on_cron`, unless the session has ended.
    pub(crate) fn cron_tick(self: &Arc<Self>) {
        if let Some(listener) = &self.listener {
            if !self.is_closed() {
                listener.on_cron(&self.session());
            }
        }
    }

    /// Whether the session has ended, or is ending.
    pub(crate) fn is_closed(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    fn link(&self) -> MutexGuard<'_, Option<Arc<Link>>> {
        self.link.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The current (or last) connection's info, for its addresses.
    pub(crate) fn link_info(&self) -> Arc<SocketInfo> {
        self.link()
            .as_ref()
            .map_or_else(|| Arc::clone(&self.info), |link| Arc::clone(&link.info))
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("serial", &self.serial)
            .field("id", &self.info.id())
            .field("health", &*self.health.borrow())
            .finish_non_exhaustive()
    }
}
