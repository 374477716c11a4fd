//! What the plugin tests share: time limits, a listening server and a dialing client over
//! loopback TCP, their shutdown, and rawproto frames on bare TCP streams.

// Each test binary compiles this module for itself and uses a different subset of it.
#![allow(dead_code)]

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use telerpc_peer::{NetAddr, Peer, PeerConfig};
use telerpc_plugin::Plugin;
use telerpc_router::Router;
use telerpc_session::Session;
use telerpc_socket::{Message, Proto, RawProto, Status, DEFAULT_FRAME_LIMIT};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Every test that waits on the network ends within this, unless it says otherwise.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// How long the tests give a peer to shut down.
pub(crate) const SHUTDOWN: Duration = Duration::from_secs(2);

/// Runs `future`, failing the test if it takes longer than [`DEADLINE`].
pub(crate) async fn within<F: Future>(future: F) -> F::Output {
    within_for(DEADLINE, future).await
}

/// Runs `future`, failing the test if it takes longer than `limit`.
pub(crate) async fn within_for<F: Future>(limit: Duration, future: F) -> F::Output {
    tokio::time::timeout(limit, future)
        .await
        .expect("the test hung")
}

/// Polls `condition` every few milliseconds until it holds; the caller bounds the wait.
pub(crate) async fn eventually(mut condition: impl FnMut() -> bool) {
    while !condition() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// `config` with each of `plugins` added, in order.
pub(crate) fn with_plugins(config: PeerConfig, plugins: Vec<Arc<dyn Plugin>>) -> PeerConfig {
    plugins
        .into_iter()
        .fold(config, |config, plugin| config.with_plugin(plugin))
}

/// A peer configured by `config`, listening on a free loopback TCP port, and its address.
pub(crate) async fn listening(config: PeerConfig) -> (Peer, NetAddr) {
    let peer = Peer::new(config.with_listen_addr(NetAddr::tcp("127.0.0.1:0")));
    let addr = peer.listen().await.expect("listens").remove(0);
    (peer, addr)
}

/// A peer serving `router` with `plugins`, listening on a free loopback TCP port, and its
/// address.
pub(crate) async fn serve(router: Router, plugins: Vec<Arc<dyn Plugin>>) -> (Peer, NetAddr) {
    listening(with_plugins(
        PeerConfig::default().with_handler(Arc::new(router)),
        plugins,
    ))
    .await
}

/// A client peer of the default configuration, and its session to `addr`.
pub(crate) async fn connect(addr: NetAddr) -> (Peer, Session) {
    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await.expect("dials");
    (client, session)
}

/// A peer serving `router` with `plugins` on loopback TCP, a client peer of the default
/// configuration, and the client's session to the server.
pub(crate) async fn dialed(router: Router, plugins: Vec<Arc<dyn Plugin>>) -> (Peer, Peer, Session) {
    let (server, addr) = serve(router, plugins).await;
    let (client, session) = connect(addr).await;
    (server, client, session)
}

/// Shuts `peers` down one after the other, each within [`SHUTDOWN`].
pub(crate) async fn shut_down(peers: &[&Peer]) {
    for peer in peers {
        peer.shutdown(SHUTDOWN).await;
    }
}

/// A bare TCP listener on a free loopback port, for [`dial_bare`].
pub(crate) async fn bare_listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").await.expect("binds")
}

/// `client` dialing `listener` in the background: the dial under way, and the stream the
/// listener accepted from it.
pub(crate) async fn dial_bare(
    client: &Peer,
    listener: &TcpListener,
) -> (JoinHandle<Result<Session, Status>>, TcpStream) {
    let addr = NetAddr::tcp(listener.local_addr().expect("an address").to_string());
    let dialing = tokio::spawn({
        let client = client.clone();
        async move { client.dial(addr).await }
    });
    let (stream, _) = listener.accept().await.expect("accepts");
    (dialing, stream)
}

/// The rawproto bytes of `message`.
pub(crate) fn frame(message: &Message) -> Vec<u8> {
    let mut out = BytesMut::new();
    RawProto::default()
        .encode(message, DEFAULT_FRAME_LIMIT, &mut out)
        .expect("encodes");
    out.to_vec()
}

/// Writes `message` to `stream` as one rawproto frame.
pub(crate) async fn send_frame(stream: &mut TcpStream, message: &Message) {
    stream
        .write_all(&frame(message))
        .await
        .expect("the frame is written");
}
