//! eRPC's heartbeat: an idle client kept alive by its pings, and a peer that falls silent
//! without closing found and closed by the server.
//!
//! The server runs `Heartbeat::pong()`: it swallows pings, learns each client's rate from them
//! and closes a session that stays silent for twice that rate. The first client runs
//! `Heartbeat::ping(1 s)`: it stays idle for 2.5 s, its pings arrive (the server's session has
//! read them, and no handler saw them), and its session is still open. Then a raw TCP
//! connection sends one ping, as an eRPC peer would, and falls silent without closing, as a
//! crashed host would: the server closes it about 2 s later. Both peers then shut down and the
//! program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example heartbeat
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::codec::id;
use telerpc::peer::NetAddr;
use telerpc::plugin::heartbeat::{Heartbeat, RATE_META_KEY, SERVICE_METHOD};
use telerpc::socket::{MessageType, Socket};
use telerpc::{Message, Peer, PeerConfig, Session};
use tokio::net::TcpStream;
use tokio::time::Instant;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(8);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// The client's ping rate.
const RATE: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/heartbeat.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs both clients on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// The server, the idle client, the silent one, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_plugin(Arc::new(Heartbeat::pong())),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let client = Peer::new(PeerConfig::default().with_plugin(Arc::new(Heartbeat::ping(RATE))));
    let session = client.dial(addr.clone()).await?;
    tokio::time::sleep(RATE * 5 / 2).await;
    let served = the_session_of(&server).ok_or("the server has no session")?;
    print(&format!(
        "after 2.5 s idle: the server read {} pings, the client's session is {:?}",
        served.stats().messages_in,
        session.health()
    ));

    // A peer that pings once, then neither reads nor writes nor closes.
    let mut silent = Socket::new(TcpStream::connect(addr.address()).await?);
    let mut ping = Message::new(MessageType::Push, 1, SERVICE_METHOD);
    ping.meta.append(RATE_META_KEY, "1");
    ping.body_codec = id::JSON;
    silent.send(&ping).await?;
    let pinged = Instant::now();
    while server.hub().count() < 2 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    while server.hub().count() > 1 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let silence = pinged.elapsed().as_secs_f64();
    print(&format!(
        "the silent peer's session was closed {silence:.1} s after its last ping"
    ));
    drop(silent);

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}

/// One session of `peer`, if it has any.
fn the_session_of(peer: &Peer) -> Option<Session> {
    let mut found = None;
    peer.hub().range(|session| {
        found = Some(session.clone());
        false
    });
    found
}
