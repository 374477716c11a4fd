//! The systems the benchmark binaries measure answer the benchmark call correctly over
//! loopback TCP: the raw echo, the session tier and the bare socket tier. A few calls each, no
//! timing.

use std::sync::Arc;

use telerpc_benches::harness::{self, Load};
use telerpc_benches::session_echo::{self, BenchHandler};
use telerpc_benches::{raw_client, raw_echo, socket_echo, BenchmarkMessage};
use telerpc_socket::SocketConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const LOAD: Load = Load {
    callers: 4,
    calls: 40,
    warmup: 1,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_raw_echo_answers_every_call() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(raw_echo::serve(listener, async {
        let _ = stopped.await;
    }));

    let callers = raw_client::callers(addr, 2, LOAD.callers).await.unwrap();
    let summary = harness::run(LOAD, callers).await;
    assert_eq!((summary.calls, summary.errors), (40, 0));

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_tier_answers_every_call() {
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_socket_is_answered_by_the_socket_server() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(socket_echo::Counts::default());
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(socket_echo::serve(
        listener,
        SocketConfig::default(),
        Arc::clone(&counts),
        async {
            let _ = stopped.await;
        },
    ));

    let mut socket = socket_echo::connect(addr, SocketConfig::default())
        .await
        .unwrap();
    let request = BenchmarkMessage::request();
    assert!(socket_echo::call_once(&mut socket, &request).await);
    assert!(socket_echo::call_once(&mut socket, &request).await);
    assert_eq!((counts.accepted(), counts.answered()), (1, 2));

    stop.send(()).unwrap();
    serving.await.unwrap().unwrap();
}
