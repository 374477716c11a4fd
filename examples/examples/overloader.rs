//! Overload protection with the `overloader` plugin.
//!
//! The server allows one connection and one call per second to `/search`. The client's first
//! connection is served; a second one is closed by the server at once. On the first, a burst
//! of four calls to `/search` gets one answer and three refusals, 429 Too Many Requests with
//! the limit hit as the cause, while `/echo`, which has no limit of its own, answers every
//! call. Both peers then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example overloader
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::plugin::overloader::Overloader;
use telerpc::{CallCtx, Peer, PeerConfig, Router, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/overloader.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the connections and calls on loopback TCP, handing every line the example reports to
/// `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

async fn echo(_ctx: CallCtx, n: i64) -> Result<i64, Status> {
    Ok(n)
}

/// The server, the connections, the calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let overloader = Overloader::new()
        .max_connections(1)
        .max_handler_qps("/search", 1);
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(
                Router::new().call("/search", echo).call("/echo", echo),
            ))
            .with_plugin(Arc::new(overloader)),
    );
    let addr = server.listen().await?[0].clone();

    let client = Peer::new(PeerConfig::default());
    let first = client.dial(addr.clone()).await?;
    let n: i64 = first.call("/echo", &1).await?;
    print(&format!("first connection: served ({n})"));
    let second = client.dial(addr).await?;
    match second.call::<i64, _>("/echo", &2).await {
        Ok(_) => print("second connection: served"),
        Err(status) => print(&format!("second connection: closed ({})", status.code())),
    }

    for n in 1..=4 {
        match first.call::<i64, _>("/search", &n).await {
            Ok(n) => print(&format!("/search {n}: answered")),
            Err(status) => print(&format!(
                "/search {n}: refused {} {}: {}",
                status.code(),
                status.message(),
                status.cause().unwrap_or_default()
            )),
        }
    }
    let mut answered = 0;
    for n in 1..=4 {
        answered += i32::from(first.call::<i64, _>("/echo", &n).await.is_ok());
    }
    print(&format!("/echo: {answered} of 4 answered"));

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
