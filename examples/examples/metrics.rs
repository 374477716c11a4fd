//! Per-handler metrics exported to Prometheus: the metrics plugin records every call's route,
//! status code and latency, every push and the open sessions, and a Prometheus recorder
//! renders them in its text format.
//!
//! The server's router serves `/math/add` and `/math/div` (which fails 400 on a division by
//! zero) with `Metrics` attached, and its peer keeps the sessions gauge. The client makes two
//! good calls, one failing call, one call to a method that does not exist (recorded as
//! `unknown`, never under the caller's made-up name) and one push. The example then prints
//! the lines of the rendered Prometheus text that name telerpc's metrics. The recorder here
//! is the plugin's own (`Metrics::with_recorder`) and is rendered with
//! `PrometheusHandle::render`, so nothing listens on a port: a real server would install it
//! globally and serve `handle.render()` on its `/metrics` endpoint. Both peers then shut down
//! and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example metrics
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use metrics_exporter_prometheus::PrometheusBuilder;
use telerpc::peer::NetAddr;
use telerpc::plugin::metrics::Metrics;
use telerpc::{CallCtx, Peer, PeerConfig, PushCtx, Router, Status};
use tokio::sync::mpsc;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// The buckets of the latency histogram, in seconds.
const BUCKETS: [f64; 6] = [0.001, 0.005, 0.025, 0.1, 0.5, 2.5];

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/metrics.rs`, which includes this file as a module, can run it.)
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

/// The server, the calls, the rendered metrics and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let recorder = PrometheusBuilder::new()
        .set_buckets(&BUCKETS)?
        .build_recorder();
    let prometheus = recorder.handle();
    let metrics = Metrics::with_recorder(Arc::new(recorder));

    let (said, mut heard) = mpsc::unbounded_channel();
    let router = metrics
        .attach(Router::new())
        .call("/math/add", |_ctx: CallCtx, numbers: Vec<i64>| async move {
            Ok::<_, Status>(numbers.iter().sum::<i64>())
        })
        .call(
            "/math/div",
            |_ctx: CallCtx, (a, b): (i64, i64)| async move {
                a.checked_div(b)
                    .ok_or_else(|| Status::new(400, "division by zero"))
            },
        )
        .push("/chat/say", move |_ctx: PushCtx, text: String| {
            let said = said.clone();
            async move {
                said.send(text)
                    .map_err(|_| Status::new(500, "nobody listens"))
            }
        });
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router))
            .with_plugin(Arc::new(metrics.clone())),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;
    let sum: i64 = session.call("/math/add", &[1, 2, 3]).await?;
    let more: i64 = session.call("/math/add?trace=1", &[4, 5]).await?;
    print(&format!("client: /math/add gave {sum} and {more}"));
    let failed = session.call::<i64, _>("/math/div", &(1, 0)).await;
    print(&format!(
        "client: /math/div by zero gave {:?}",
        failed.map_err(|s| s.code())
    ));
    let unknown = session.call::<i64, _>("/made/up/by/the/caller", &0).await;
    print(&format!(
        "client: an unknown method gave {:?}",
        unknown.map_err(|s| s.code())
    ));
    session.push("/chat/say", "hello").await?;
    if let Some(text) = heard.recv().await {
        print(&format!("server: heard {text:?}"));
    }

    for line in prometheus.render().lines() {
        let shown = line.starts_with("# TYPE telerpc_")
            || line.starts_with("telerpc_calls_total")
            || line.starts_with("telerpc_call_duration_seconds_count")
            || line.starts_with("telerpc_pushes_total")
            || line.starts_with("telerpc_sessions_open");
        if shown {
            print(&format!("prometheus: {line}"));
        }
    }

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
