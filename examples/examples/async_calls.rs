//! Many calls in flight at once over one session: 100 concurrent `/math/add` calls, each on a
//! task of its own in a `tokio::task::JoinSet`, all multiplexed over one connection.
//!
//! The server's handler waits a little before answering and counts how many of its runs
//! overlap, so the output shows the calls really were in flight together (one after the other
//! they would take 100 times as long). Each reply is checked against the sum it should be:
//! call `i` adds `[i, i + 1, i + 2]`, so it must answer `3 * i + 3`. Both peers then shut
//! down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example async_calls
//! ```

use std::error::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::{CallCtx, Peer, PeerConfig, Router, Status};
use tokio::task::JoinSet;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How many calls are made at once.
const CALLS: i64 = 100;

/// How long the handler takes to answer each call.
const WORK: Duration = Duration::from_millis(50);

/// How long each call and each shutdown may take.
const TIMEOUT: Duration = Duration::from_secs(2);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/async_calls.rs`, which includes this file as a module, can run it.)
#[tokio::main]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the calls on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, calls(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// Handlers running right now, and the most that ever ran at once.
#[derive(Default)]
struct Overlap {
    running: AtomicUsize,
    peak: AtomicUsize,
}

/// The server, the 100 concurrent calls, and the shutdown.
async fn calls(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let overlap = Arc::new(Overlap::default());
    let counted = Arc::clone(&overlap);
    let router = Router::new().call("/math/add", move |_ctx: CallCtx, args: Vec<i64>| {
        let overlap = Arc::clone(&counted);
        async move {
            let now = overlap.running.fetch_add(1, Ordering::SeqCst) + 1;
            overlap.peak.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(WORK).await;
            overlap.running.fetch_sub(1, Ordering::SeqCst);
            Ok::<_, Status>(args.iter().sum::<i64>())
        }
    });
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router)),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;

    // Every call on a task of its own, all over the one session.
    let started = tokio::time::Instant::now();
    let mut in_flight = JoinSet::new();
    for i in 0..CALLS {
        let session = session.clone();
        in_flight.spawn(async move {
            let sum: Result<i64, Status> = session
                .call("/math/add", &[i, i + 1, i + 2])
                .timeout(TIMEOUT)
                .await;
            (i, sum)
        });
    }
    print(&format!("client: {CALLS} calls in flight over one session"));

    let (mut correct, mut total) = (0, 0);
    while let Some(joined) = in_flight.join_next().await {
        let (i, sum) = joined?;
        let sum = sum?;
        if sum == 3 * i + 3 {
            correct += 1;
        } else {
            print(&format!("call {i}: wrong sum {sum}"));
        }
        total += sum;
    }
    let elapsed = started.elapsed();
    print(&format!(
        "{correct} of {CALLS} replies correct, their total {total}"
    ));
    print(&format!(
        "at most {} handlers ran at once; all calls took {} ms, one alone {} ms",
        overlap.peak.load(Ordering::SeqCst),
        elapsed.as_millis(),
        WORK.as_millis(),
    ));

    client.shutdown(TIMEOUT).await;
    server.shutdown(TIMEOUT).await;
    print("both peers shut down");
    Ok(())
}
