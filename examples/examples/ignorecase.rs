//! Case-insensitive routing with the `ignorecase` plugin.
//!
//! The server registers `/Math/Add` on a router with the plugin, which serves it as
//! `/math/add`. The client calls it as `/math/add`, `/MATH/ADD?x=1` and `/Math/Add`: each call
//! is routed, and the handler sees the lowercased path and the query as it was sent. Both peers
//! then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example ignorecase
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::plugin::ignorecase::IgnoreCase;
use telerpc::{CallCtx, Peer, PeerConfig, Router, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/ignorecase.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the calls on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// Sums the numbers, and says which path and query the call was routed with.
async fn add(ctx: CallCtx, numbers: Vec<i64>) -> Result<String, Status> {
    let sum: i64 = numbers.iter().sum();
    Ok(format!(
        "{sum} (path {}, query {:?})",
        ctx.path(),
        ctx.query_string()
    ))
}

/// The server, the calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    // The plugin goes on the router: it lowercases the routes and every incoming path.
    let router = Router::new()
        .plugin(Arc::new(IgnoreCase))
        .call("/Math/Add", add);
    for path in router.call_paths() {
        print(&format!("server: route {path}"));
    }
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router)),
    );
    let addr = server.listen().await?[0].clone();

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;
    for name in ["/math/add", "/MATH/ADD?x=1", "/Math/Add"] {
        let answer: String = session.call(name, &[1, 2, 3]).await?;
        print(&format!("client: {name} -> {answer}"));
    }

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
