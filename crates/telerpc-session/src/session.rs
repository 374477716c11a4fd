//! [`Session`]: the handle over one connection, and the state behind it.
//!
//! # Structure, and the redial hook for `endpoint/`
//!
//! A session is a handle (`Arc<Shared>`). What outlives any one connection lives in
//! [`Shared`]: id and attributes (the first socket's
//! [`SocketInfo`](telerpc_socket::SocketInfo)), the seq counter, the pending calls, the
//! outbound [`Queue`](crate::queue::Queue), the health, the counters. Each connection is a
//! [`Link`](crate::link::Link) (reader task, writer task, ordered worker, addresses), the
//! part a reconnect replaces. The hook for a dialer that redials is public API:
//!
//! - [`SessionBuilder::redial`](crate::SessionBuilder::redial)`(true)`: losing the
//!   connection no longer ends the session. Pending calls fail with 102 at once, the health
//!   becomes [`Health::Reconnecting`], and calls and pushes made meanwhile queue up, each
//!   bounded by its own deadline.
//! - [`Session::disconnected`]: resolves with `Reconnecting` when the connection is lost
//!   (redial now) or `Closed` when the session has ended (stop).
//! - [`Session::attach`]: gives the session its new connection; the health goes back to
//!   `Open`, the same id and attributes carry on, queued frames leave on the new connection.
//! - [`Session::close`]: gives up; everything still waiting fails with 102.
//!
//! ```text
//! loop {
//!     match session.disconnected().await {
//!         Health::Closed => break,
//!         _ => { let socket = redial().await?; session.attach(socket)?; }
//!     }
//! }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use telerpc_codec::{DecodeBody, EncodeBody, Raw};
use telerpc_socket::{Address, Attributes, Message, Socket, Status};
use tokio::io::{AsyncRead, AsyncWrite};

use crate::shared::Shared;
use crate::{Call, Health, Push, SessionBuilder, SessionConfig, Stats};

/// One connection between equal peers: either end calls the other, pushes to it, and routes
/// what arrives to its [`Handler`](crate::Handler), both directions over one connection.
///
/// A session is a cheap handle: clones share everything. It lives as long as its connection,
/// whether or not a handle is kept; [`closed`](Self::closed) tells when it has ended.
///
/// - [`call`](Self::call) sends a CALL and resolves with the decoded reply; every call has a
///   deadline. [`push`](Self::push) sends a PUSH.
/// - Both encode in the caller's task: the body with the codec, then the whole frame with the
///   session's protocol. A frame over the frame limit is refused at once with 104. Frames then
///   wait in a bounded outbound queue ([`QueuePolicy`](crate::QueuePolicy)) for the writer task,
///   which writes everything queued in as few writes as it can.
/// - Seqs: a per-session counter, pre-incremented for every CALL and PUSH this side sends (the
///   first is 1), wrapping within `i32`; a REPLY echoes its CALL's (spec §2).
/// - [`close`](Self::close) drains gracefully; losing the connection fails every pending call
///   with 102 at once. No call waits past its deadline or the session's end.
///
/// ```
/// use telerpc_session::Session;
/// use telerpc_socket::{code, Socket};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), telerpc_socket::Status> {
/// let (a, b) = tokio::io::duplex(64 * 1024);
/// let alice = Session::builder().start(Socket::new(a)).await?;
/// let _bob = Session::builder().start(Socket::new(b)).await?; // no handler: every CALL gets 404
///
/// let status = alice.call::<i64, _>("/math/add", &[1, 2, 3]).await.unwrap_err();
/// assert_eq!(status.code(), code::NOT_FOUND);
/// alice.push("/chat/say", "hi").await?; // dropped by bob: no handler
///
/// alice.close().await;
/// assert_eq!(alice.call::<i64, _>("/math/add", &[1]).await.unwrap_err().code(), code::CONN_CLOSED);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Session {
    pub(crate) shared: Arc<Shared>,
}

impl Session {
    /// A builder: set the config, handler and listener, then
    /// [`start`](SessionBuilder::start) the session on a socket.
    pub fn builder() -> SessionBuilder {
        SessionBuilder::default()
    }

    /// A CALL to `service_method` with `arg` as the body, resolving to the reply decoded as
    /// `R` (see [`Call`] for the options and every outcome).
    ///
    /// ```no_run
    /// # async fn f(session: telerpc_session::Session) -> Result<(), telerpc_socket::Status> {
    /// use std::time::Duration;
    /// let sum: i64 = session.call("/math/add", &[1, 2, 3]).await?;
    /// let sum = session
    ///     .call::<i64, _>("/math/add", &[1, 2, 3])
    ///     .meta("author", "telerpc")
    ///     .timeout(Duration::from_secs(1))
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn call<'a, R, A>(&'a self, service_method: &'a str, arg: &'a A) -> Call<'a, A, R>
    where
        R: DecodeBody + Send + 'static,
        A: EncodeBody + ?Sized,
    {
        Call::new(self, service_method, arg)
    }

    /// A CALL like [`call`](Self::call) that resolves to the whole REPLY message, with no body
    /// type to name: `session.call(..).raw()` without the turbofish.
    pub fn call_raw<'a, A>(&'a self, service_method: &'a str, arg: &'a A) -> Call<'a, A, Message>
    where
        A: EncodeBody + ?Sized,
    {
        Call::<A, Raw>::new(self, service_method, arg).raw()
    }

    /// A PUSH to `service_method` with `arg` as the body, resolving once the frame is queued
    /// (see [`Push`]).
    pub fn push<'a, A>(&'a self, service_method: &'a str, arg: &'a A) -> Push<'a, A>
    where
        A: EncodeBody + ?Sized,
    {
        Push::new(self, service_method, arg)
    }

    /// Closes the session gracefully and resolves once it has ended.
    ///
    /// New calls and pushes are refused with 102 at once, and so are CALLs arriving from the
    /// peer. In-flight work (handlers running or queued, calls awaiting replies) is waited for
    /// up to the config's [`close_grace`](SessionConfig::close_grace); then what is queued is
    /// written, the connection is shut down, whatever remains fails with 102, and
    /// [`on_close`](crate::EventListener::on_close) fires. A session waiting to reconnect ends at
    /// once. Calling it again, or on an ended session, only waits for the end. The close goes
    /// on even if this future is dropped.
    ///
    /// A handler of this session is itself in-flight work: awaiting the close from inside one
    /// waits for the whole grace. A handler that ends its session should spawn the close, or
    /// not await it.
    pub async fn close(&self) {
        self.shared.begin_close();
        self.closed().await;
    }

    /// Resolves once the session has ended ([`Health::Closed`]).
    pub fn closed(&self) -> impl Future<Output = ()> + Send + 'static {
        let closed = self.shared.until(|health| health == Health::Closed);
        async move {
            closed.await;
        }
    }

    /// Where the session is in its life.
    pub fn health(&self) -> Health {
        self.shared.health()
    }

    /// The session's id: the first socket's id (the peer's address, `socket-<n>`, or what
    /// [`set_id`](Self::set_id) set). It stays the same across reconnects.
    pub fn id(&self) -> Arc<str> {
        self.shared.info().id()
    }

    /// Replaces the session's id, for every handle and for the socket's own logs.
    pub fn set_id(&self, id: impl Into<Arc<str>>) {
        self.shared.set_id(id.into());
    }

    /// The session's attributes: the first socket's, kept across reconnects.
    pub fn attributes(&self) -> &Attributes {
        self.shared.info().attributes()
    }

    /// This end's address on the current (or last) connection.
    pub fn local_addr(&self) -> Address {
        self.shared.link_info().local_addr().clone()
    }

    /// The peer's address on the current (or last) connection.
    pub fn peer_addr(&self) -> Address {
        self.shared.link_info().peer_addr().clone()
    }

    /// A snapshot of the session's traffic. Takes no lock.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot(self.shared.queue.len())
    }

    /// The session's config.
    pub fn config(&self) -> &SessionConfig {
        &self.shared.config
    }

    /// Resolves when the connection is lost ([`Health::Reconnecting`], for a session started
    /// with [`redial`](SessionBuilder::redial)) or the session has ended ([`Health::Closed`]),
    /// with that health. A dialer waits on it, then redials and [`attach`](Self::attach)es.
    pub fn disconnected(&self) -> impl Future<Output = Health> + Send + 'static {
        self.shared
            .until(|health| matches!(health, Health::Reconnecting | Health::Closed))
    }

    /// Gives a session that lost its connection ([`Health::Reconnecting`]) a new one: the
    /// health goes back to [`Health::Open`], the id and attributes carry on (the new socket's
    /// id is set to the session's), and frames queued meanwhile leave on it.
    /// [`on_open`](crate::EventListener::on_open) does not fire again.
    ///
    /// The socket must be built with the session config's
    /// [`socket`](SessionConfig::socket) settings. Fails with status 1 Invalid Operation, and
    /// drops the socket, if the session is not reconnecting.
    pub fn attach<R, W>(&self, socket: Socket<R, W>) -> Result<(), Status>
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let (reader, writer) = socket.split();
        self.shared.reattach(reader, writer)
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id())
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}
