//! What the router tests share: a time limit, sessions serving routers over duplex pipes and
//! TCP, and a raw peer that writes frames by hand.

// Each test binary compiles this module for itself and uses a different subset of it.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use telerpc_router::Router;
use telerpc_session::Session;
use telerpc_socket::{Message, MessageType, Socket, SocketConfig};
use tokio::io::{DuplexStream, ReadHalf, WriteHalf};
use tokio::net::{TcpListener, TcpStream};

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

/// Two sessions over a duplex pipe, each routing with its router when it has one: the
/// first is the dialer.
pub(crate) async fn pair(left: Option<Router>, right: Option<Router>) -> (Session, Session) {
    let (a, b) = tokio::io::duplex(256 * 1024);
    (
        start(Socket::new(a), left).await,
        start(Socket::new(b), right).await,
    )
}

/// A client session without a router, and a server session routing with `router`, over a
/// duplex pipe.
pub(crate) async fn serve(router: Router) -> (Session, Session) {
    pair(None, Some(router)).await
}

/// A client session without a router, and a server session routing with `router`, over
/// loopback TCP.
pub(crate) async fn serve_tcp(router: Router) -> (Session, Session) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (accepted, dialed) = tokio::join!(
        listener.accept(),
        TcpStream::connect(listener.local_addr().unwrap())
    );
    let config = SocketConfig::default();
    let server = Socket::tcp(accepted.unwrap().0, config.clone()).unwrap();
    let client = Socket::tcp(dialed.unwrap(), config).unwrap();
    (start(client, None).await, start(server, Some(router)).await)
}

/// A raw socket that speaks frames by hand to a session routing with `router`.
pub(crate) async fn raw_peer(router: Router) -> (DuplexSocket, Session) {
    let (a, b) = tokio::io::duplex(256 * 1024);
    (Socket::new(a), start(Socket::new(b), Some(router)).await)
}

async fn start<R, W>(socket: Socket<R, W>, router: Option<Router>) -> Session
where
    R: tokio::io::AsyncRead + Send + Unpin + 'static,
    W: tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let mut builder = Session::builder();
    if let Some(router) = router {
        builder = builder.handler(Arc::new(router));
    }
    builder.start(socket).await.expect("the session starts")
}

/// A message of type `mtype` to `service_method`, whose body `body` is already encoded with
/// the codec `body_codec`.
pub(crate) fn message(
    mtype: MessageType,
    seq: i32,
    service_method: &str,
    body_codec: u8,
    body: &'static [u8],
) -> Message {
    let mut message = Message::new(mtype, seq, service_method);
    message.body_codec = body_codec;
    message.body = Bytes::from_static(body);
    message
}

/// The next message `socket` reads; the connection must not end first.
pub(crate) async fn recv(socket: &mut DuplexSocket) -> Message {
    within(socket.recv())
        .await
        .expect("the frame reads")
        .expect("the connection is open")
}
