//! One server peer broadcasting a PUSH to every client dialed in, through its session hub.
//!
//! A server peer listens on loopback TCP; five client peers dial it and each calls
//! `/room/join` with its name, which the server uses to rename that session in its
//! [hub](telerpc::peer::SessionHub) (so it can be found by name). The server then broadcasts
//! `/news/flash` to every session of its hub, and a second time only to the even-numbered
//! clients (a broadcast with a filter). Each client's push handler records what it heard; the
//! program prints who heard what and how many received each broadcast, then shuts every peer
//! down and ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example broadcast
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::{peer_of, NetAddr};
use telerpc::{CallCtx, Peer, PeerConfig, PushCtx, Router, Status};
use tokio::sync::mpsc;

/// Whatever can go wrong in the demo.
pub(crate) type DemoError = Box<dyn Error + Send + Sync>;

/// How many client peers dial in.
pub(crate) const CLIENTS: usize = 5;

/// The whole exchange must end within this, or the demo fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(4);

/// How long each peer's graceful shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the demo, printing each line to standard output. (`pub(crate)` so that
/// `tests/broadcast.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), DemoError> {
    run(&|line| println!("{line}")).await
}

/// Runs the broadcast on loopback TCP, handing every line the demo reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    tokio::time::timeout(DEADLINE, demo(print))
        .await
        .map_err(|_| "the broadcast did not end in time")?
}

/// The server's `/room/join`: names the caller's session in the hub after the caller, and
/// answers how many sessions the hub holds.
async fn join(ctx: CallCtx, name: String) -> Result<usize, Status> {
    let server = peer_of(ctx.session()).ok_or_else(|| Status::new(500, "the server is gone"))?;
    server.hub().set_id(ctx.session(), name);
    Ok(server.hub().count())
}

async fn demo(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
            .with_handler(Arc::new(Router::new().call("/room/join", join))),
    );
    let addr = server.listen().await?.remove(0);
    print(&format!("server listening on {addr}"));

    // Every client records what it hears as (its name, the news).
    let (heard, mut hearing) = mpsc::unbounded_channel::<(String, String)>();
    let mut clients = Vec::new();
    for n in 0..CLIENTS {
        let name = format!("client-{n}");
        let (heard, me) = (heard.clone(), name.clone());
        let router = Router::new().push("/news/flash", move |_ctx: PushCtx, news: String| {
            let (heard, me) = (heard.clone(), me.clone());
            async move {
                heard
                    .send((me, news))
                    .map_err(|_| Status::new(500, "nobody listens"))
            }
        });
        let client = Peer::new(
            PeerConfig::default()
                .with_dial_timeout(Duration::from_secs(1))
                .with_handler(Arc::new(router)),
        );
        let session = client.dial(addr.clone()).await?;
        // Once the call is answered, the server's end of the session is in its hub.
        let members: usize = session.call("/room/join", &name).await?;
        print(&format!("{name} joined; the server's hub holds {members}"));
        clients.push(client);
    }
    drop(heard);
    print(&format!(
        "the server's hub holds {} sessions",
        server.hub().count()
    ));

    let everyone = server
        .broadcast("/news/flash", "hello, everyone")
        .timeout(Duration::from_secs(1))
        .await?;
    print(&format!(
        "broadcast to everyone: sent {}, failed {}",
        everyone.sent,
        everyone.failed.len()
    ));
    let received = collect(&mut hearing, everyone.sent, print).await?;
    print(&format!(
        "{received} of {CLIENTS} clients received the broadcast to everyone"
    ));

    let even = server
        .broadcast("/news/flash", "hello, even clients")
        .filter(|session| {
            session
                .id()
                .strip_prefix("client-")
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| n % 2 == 0)
        })
        .await?;
    print(&format!(
        "broadcast to the even clients: sent {}, failed {}",
        even.sent,
        even.failed.len()
    ));
    let received = collect(&mut hearing, even.sent, print).await?;
    print(&format!(
        "{received} of {CLIENTS} clients received the broadcast to the even clients"
    ));

    for client in &clients {
        client.shutdown(SHUTDOWN).await;
    }
    let report = server.shutdown(SHUTDOWN).await;
    print(&format!("server shut down, graceful: {}", report.graceful));
    Ok(())
}

/// Waits for `expected` pushes to be heard, printing them in the clients' order, and returns
/// how many distinct clients heard one.
async fn collect(
    hearing: &mut mpsc::UnboundedReceiver<(String, String)>,
    expected: usize,
    print: &dyn Fn(&str),
) -> Result<usize, DemoError> {
    let mut heard = Vec::with_capacity(expected);
    while heard.len() < expected {
        let one = hearing
            .recv()
            .await
            .ok_or("every client stopped listening")?;
        heard.push(one);
    }
    heard.sort();
    for (name, news) in &heard {
        print(&format!("{name} received {news:?}"));
    }
    heard.dedup_by(|a, b| a.0 == b.0);
    Ok(heard.len())
}
