//! The whole telerpc stack under test: a server [`Peer`] routing `Hello.Say` through a
//! [`Router`] to an async handler, and a client [`Peer`] whose dialed sessions call it, with
//! the protobuf codec over rawproto: what a user of the `telerpc` crate writes. Every setting
//! is the default but the codec. Both peers may carry a number of plugins that implement no
//! hook ([`NoOp`]), to measure what attaching plugins costs.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use telerpc::codec::id;
use telerpc::peer::NetAddr;
use telerpc::plugin::noop::NoOp;
use telerpc::{CallCtx, Peer, PeerConfig, Proto, Router, Status};

use crate::frames::SERVICE_METHOD;
use crate::session_echo::SessionCaller;
use crate::BenchmarkMessage;

/// The benchmark's handler: answers the request with [`BenchmarkMessage::reply_to`].
async fn say(
    _ctx: CallCtx,
    Proto(request): Proto<BenchmarkMessage>,
) -> Result<Proto<BenchmarkMessage>, Status> {
    Ok(Proto(BenchmarkMessage::reply_to(&request)))
}

/// The peers' config: protobuf bodies by default and `plugins` [`NoOp`] plugins, everything
/// else the default.
fn config(plugins: usize) -> PeerConfig {
    (0..plugins).fold(
        PeerConfig::default().with_default_codec(id::PROTOBUF),
        |config, _| config.with_plugin(Arc::new(NoOp)),
    )
}

/// A server peer with `plugins` no-op plugins, listening on 127.0.0.1 on a port the OS
/// chooses; returns it and its address.
pub async fn serve(plugins: usize) -> io::Result<(Peer, SocketAddr)> {
    let router = Router::new().call(SERVICE_METHOD, say);
    let peer = Peer::new(
        config(plugins)
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router)),
    );
    let addrs = peer.listen().await.map_err(io::Error::other)?;
    let addr = addrs
        .first()
        .and_then(|addr| addr.address().parse().ok())
        .ok_or_else(|| io::Error::other("the peer listens on no TCP address"))?;
    Ok((peer, addr))
}

/// A client peer with `plugins` no-op plugins and `connections` sessions dialed to `addr`, and
/// `callers` callers on them, caller `i` on session `i % connections`.
pub async fn callers(
    addr: SocketAddr,
    connections: usize,
    callers: usize,
    plugins: usize,
) -> Result<(Peer, Vec<SessionCaller>), Status> {
    let peer = Peer::new(config(plugins));
    let mut sessions = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        sessions.push(peer.dial(NetAddr::from(addr)).await?);
    }
    Ok((peer, SessionCaller::spread(&sessions, callers)))
}
