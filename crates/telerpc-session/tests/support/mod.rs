//! What the session tests share: time limits, session pairs over duplex pipes and TCP, a raw
//! peer that speaks frames by hand, and handlers and listeners that record what they see.

// Each test binary compiles this module for itself and uses a different subset of it.
#![allow(dead_code)]

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use telerpc_codec::{id, CodecRegistry};
use telerpc_session::{
    BoxFuture, EventListener, Handler, Reply, Request, Session, SessionConfig, SessionError,
};
use telerpc_socket::{Message, MessageType, Socket, Status, TcpSocket};
use tokio::io::{DuplexStream, ReadHalf, WriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// Every test must finish within this.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// Runs `future`, failing the test if it takes longer than [`DEADLINE`].
pub(crate) async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the test hung")
}

/// A socket over one end of a duplex pipe.
pub(crate) type DuplexSocket = Socket<ReadHalf<DuplexStream>, WriteHalf<DuplexStream>>;

/// Two sockets over a duplex pipe of `capacity` bytes each way.
pub(crate) fn duplex_sockets(capacity: usize) -> (DuplexSocket, DuplexSocket) {
    let (a, b) = tokio::io::duplex(capacity);
    (Socket::new(a), Socket::new(b))
}

/// Two connected TCP sockets over loopback.
pub(crate) async fn tcp_sockets() -> (TcpSocket, TcpSocket) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (accepted, dialed) = tokio::join!(
        listener.accept(),
        TcpStream::connect(listener.local_addr().unwrap())
    );
    let config = telerpc_socket::SocketConfig::default();
    let accepted = Socket::tcp(accepted.unwrap().0, config.clone()).unwrap();
    let dialed = Socket::tcp(dialed.unwrap(), config).unwrap();
    (dialed, accepted)
}

/// A session on `socket` with `config` and, when given, a handler and a listener.
pub(crate) async fn start<R, W>(
    socket: Socket<R, W>,
    config: SessionConfig,
    handler: Option<Arc<dyn Handler>>,
    listener: Option<Arc<dyn EventListener>>,
) -> Session
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let mut builder = Session::builder().config(config);
    if let Some(handler) = handler {
        builder = builder.handler(handler);
    }
    if let Some(listener) = listener {
        builder = builder.listener(listener);
    }
    builder.start(socket).await.expect("the session starts")
}

/// Two sessions over a duplex pipe, both with `handler`.
pub(crate) async fn duplex_pair(handler: Arc<dyn Handler>) -> (Session, Session) {
    let (a, b) = duplex_sockets(64 * 1024);
    let left = start(
        a,
        SessionConfig::default(),
        Some(Arc::clone(&handler)),
        None,
    )
    .await;
    let right = start(b, SessionConfig::default(), Some(handler), None).await;
    (left, right)
}

// Handlers.

/// A closure-backed handler: `call` answers CALLs, PUSHes go to `pushes`.
pub(crate) struct FnHandler<F> {
    call: F,
    pushes: Option<mpsc::UnboundedSender<Request>>,
}

impl<F> FnHandler<F>
where
    F: Fn(Request) -> BoxFuture<'static, Reply> + Send + Sync + 'static,
{
    /// Answers CALLs with `call`; drops PUSHes.
    pub(crate) fn new(call: F) -> Arc<Self> {
        Arc::new(Self { call, pushes: None })
    }

    /// Answers CALLs with `call`; hands every PUSH to the returned receiver.
    pub(crate) fn with_pushes(call: F) -> (Arc<Self>, mpsc::UnboundedReceiver<Request>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let handler = Arc::new(Self {
            call,
            pushes: Some(sender),
        });
        (handler, receiver)
    }
}

impl<F> Handler for FnHandler<F>
where
    F: Fn(Request) -> BoxFuture<'static, Reply> + Send + Sync + 'static,
{
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        (self.call)(request)
    }

    fn push(&self, request: Request) -> BoxFuture<'static, ()> {
        if let Some(pushes) = &self.pushes {
            let _ = pushes.send(request);
        }
        Box::pin(async {})
    }
}

/// A reply carrying `value` in the codec of `request`.
pub(crate) fn reply_with<T: serde::Serialize>(request: &Request, value: &T) -> Reply {
    Reply::encode(
        CodecRegistry::standard(),
        request.message().body_codec,
        value,
    )
    .expect("an encodable reply")
}

/// A handler that answers an `i64` body `n` with `3 * n`.
pub(crate) fn triple() -> Arc<dyn Handler> {
    FnHandler::new(|request: Request| -> BoxFuture<'static, Reply> {
        Box::pin(async move {
            match request.body_as::<i64>() {
                Ok(n) => reply_with(&request, &(3 * n)),
                Err(status) => status.into(),
            }
        })
    })
}

// Listeners.

/// What a [`Recorder`] saw.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    pub(crate) opened: AtomicUsize,
    pub(crate) closed: AtomicUsize,
    pub(crate) crons: AtomicUsize,
    pub(crate) messages: Mutex<Vec<Message>>,
    pub(crate) errors: Mutex<Vec<String>>,
}

/// A listener that records every event, refuses the open with `refuse` when set, and hands
/// each cron tick's instant to `ticks`.
#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub(crate) seen: Seen,
    pub(crate) refuse: Option<Status>,
    pub(crate) opened_session: Mutex<Option<Session>>,
    pub(crate) ticks: Option<mpsc::UnboundedSender<tokio::time::Instant>>,
    pub(crate) closes: Option<mpsc::UnboundedSender<()>>,
}

impl EventListener for Recorder {
    fn on_open(&self, session: &Session) -> Result<(), Status> {
        self.seen.opened.fetch_add(1, Ordering::SeqCst);
        *self.opened_session.lock().unwrap() = Some(session.clone());
        match &self.refuse {
            Some(status) => Err(status.clone()),
            None => Ok(()),
        }
    }

    fn on_close(&self, _session: &Session) {
        self.seen.closed.fetch_add(1, Ordering::SeqCst);
        if let Some(closes) = &self.closes {
            let _ = closes.send(());
        }
    }

    fn on_error(&self, _session: &Session, error: &SessionError) {
        self.seen.errors.lock().unwrap().push(error.to_string());
    }

    fn on_message(&self, _session: &Session, message: &Message) {
        self.seen.messages.lock().unwrap().push(message.clone());
    }

    fn on_cron(&self, _session: &Session) {
        self.seen.crons.fetch_add(1, Ordering::SeqCst);
        if let Some(ticks) = &self.ticks {
            let _ = ticks.send(tokio::time::Instant::now());
        }
    }
}

// The raw peer.

/// A CALL to `method` with the JSON body `value`.
pub(crate) fn raw_call<T: serde::Serialize>(seq: i32, method: &str, value: &T) -> Message {
    let mut call = Message::new(MessageType::Call, seq, method);
    call.set_body(CodecRegistry::standard(), id::JSON, value)
        .expect("a JSON body");
    call
}

/// Reads the next message from a raw peer socket, which must not end first.
pub(crate) async fn recv<R, W>(socket: &mut Socket<R, W>) -> Message
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    socket
        .recv()
        .await
        .expect("a readable frame")
        .expect("a message before the end of the stream")
}
