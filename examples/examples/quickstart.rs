//! The quickstart of eRPC's README, in Rust: a server peer serving a `Math` controller, a
//! client peer calling it, and the server pushing a status to the client.
//!
//! The server listens on `127.0.0.1:0` with a router made from the controller
//! `#[telerpc::service] impl Math`, whose `add` method serves `/math/add`. The client dials
//! it, calls `/math/add` with `[1, 2, 3]` through the generated typed client `MathClient`, and
//! prints the sum. Right after the call, the server pushes `/push/status` to every session it
//! holds (as eRPC's README does with `RangeSession`); the client's own router handles that
//! push and the client prints it. Both peers then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example quickstart
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::{CallCtx, Peer, PeerConfig, PushCtx, Router, Status};
use tokio::sync::mpsc;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// The controller: every public async method is a service method, `add` serving `/math/add`.
pub(crate) struct Math;

// The macro takes only `pub async fn` as service methods, which the workspace's
// `unreachable_pub` lint flags in a binary.
#[telerpc::service]
#[allow(unreachable_pub)]
impl Math {
    /// Adds the numbers it is given.
    pub async fn add(&self, _ctx: CallCtx, args: Vec<i64>) -> Result<i64, Status> {
        Ok(args.iter().sum())
    }
}

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/quickstart.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the whole exchange on loopback TCP, handing every line it reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// The server, the client, the call, the push and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    // The server peer: listens on a free loopback port, routes to the `Math` controller.
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(Router::new().service(Math))),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    // The client peer: its router handles the pushes the server sends.
    let (pushed, mut heard) = mpsc::unbounded_channel();
    let client_router = Router::new().push("/push/status", move |_ctx: PushCtx, text: String| {
        let pushed = pushed.clone();
        async move {
            pushed
                .send(text)
                .map_err(|_| Status::new(500, "nobody listens"))
        }
    });
    let client = Peer::new(PeerConfig::default().with_handler(Arc::new(client_router)));
    let session = client.dial(addr).await?;
    print(&format!(
        "client dialed the server: session {}",
        session.id()
    ));

    // The call, through the typed client the controller macro generated.
    let math = MathClient::new(session.clone());
    let sum = math.add(&[1, 2, 3]).await?;
    print(&format!("client called /math/add with [1, 2, 3]: {sum}"));

    // The server pushes to every session it holds, the client's included.
    let report = server
        .broadcast("/push/status", "this is a broadcast from the server")
        .await?;
    print(&format!(
        "server pushed /push/status to {} session(s)",
        report.sent
    ));
    let status = heard
        .recv()
        .await
        .ok_or("the client's push handler is gone")?;
    print(&format!("client got the push /push/status: {status}"));

    // Both peers shut down gracefully.
    let client_report = client.shutdown(SHUTDOWN).await;
    let server_report = server.shutdown(SHUTDOWN).await;
    print(&format!(
        "shut down: client graceful={}, server graceful={}",
        client_report.graceful, server_report.graceful
    ));
    Ok(())
}
