//! The systems the benchmark binaries measure answer the benchmark call correctly over
//! loopback TCP: the raw baseline, the socket tier (hand-built client and a bare socket), the
//! session tier and the whole stack. A few calls each, no timing.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use telerpc_benches::harness::{self, Load};
use telerpc_benches::session_echo::{self, BenchHandler};
use telerpc_benches::BenchmarkMessage;
use telerpc_benches::{full_stack, raw_client, raw_echo, socket_client, socket_echo};
use telerpc_socket::SocketConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const LOAD: Load = Load {
    callers: 4,
    calls: 40,
    warmup: 1,
};

/// How long a whole test may take: far more than 40 calls over loopback need.
const TEST_TIMEOUT: Duration = Duration::from_secs(30);

async fn within(test: impl Future<Output = ()>) {
    tokio::time::timeout(TEST_TIMEOUT, test)
        .await
        .expect("the test timed out");
}

/// Serves with `serve` on a fresh loopback listener, runs `client` against its address, then
/// stops the server and checks that it ended cleanly.
async fn against<S, C>(
    serve: impl FnOnce(TcpListener, oneshot::Receiver<()>) -> S,
    client: impl FnOnce(std::net::SocketAddr) -> C,
) where
    S: Future<Output = io::Result<()>> + Send + 'static,
    C: Future<Output = ()>,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(serve(listener, stopped));
    client(addr).await;
    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raw_baseline_answers_every_call() {
    within(against(
        |listener, stopped| {
            raw_echo::serve(listener, async {
                let _ = stopped.await;
            })
        },
        |addr| async move {
            let callers = raw_client::callers(addr, 2, LOAD.callers).await.unwrap();
            let summary = harness::run(LOAD, callers).await;
            assert_eq!((summary.calls, summary.errors), (40, 0));
        },
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_socket_tier_answers_every_call() {
    let counts = Arc::new(socket_echo::Counts::default());
    let served = Arc::clone(&counts);
    within(against(
        |listener, stopped| {
            socket_echo::serve(listener, SocketConfig::default(), served, async {
                let _ = stopped.await;
            })
        },
        |addr| async move {
            let callers = socket_client::callers(addr, 2, LOAD.callers).await.unwrap();
            let summary = harness::run(LOAD, callers).await;
            assert_eq!((summary.calls, summary.errors), (40, 0));

            let mut socket = socket_echo::connect(addr, SocketConfig::default())
                .await
                .unwrap();
            assert!(socket_echo::call_once(&mut socket, &BenchmarkMessage::request()).await);
        },
    ))
    .await;
    assert_eq!((counts.accepted(), counts.answered()), (3, 45));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_tier_answers_every_call() {
    within(async {
        let handler = Arc::new(BenchHandler::default());
        let (server, addr) = session_echo::serve(Arc::clone(&handler), SocketConfig::default())
            .await
            .unwrap();

        let (sessions, callers) = session_echo::callers(addr, 2, LOAD.callers).await.unwrap();
        let summary = harness::run(LOAD, callers).await;
        assert_eq!((summary.calls, summary.errors), (40, 0));
        assert_eq!(handler.answered(), 44);

        for session in sessions {
            session.close().await;
        }
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_stack_answers_every_call() {
    within(async {
        let (server, addr) = full_stack::serve(1).await.unwrap();
        let (client, callers) = full_stack::callers(addr, 2, LOAD.callers, 1).await.unwrap();
        let summary = harness::run(LOAD, callers).await;
        assert_eq!((summary.calls, summary.errors), (40, 0));
        client.shutdown(Duration::from_secs(1)).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
