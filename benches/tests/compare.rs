//! The systems telerpc is compared with answer the benchmark call correctly over loopback TCP:
//! gRPC over tonic and tarpc. A few calls each, no timing. Built with the `compare` feature only.
#![cfg(feature = "compare")]

use std::time::Duration;

use telerpc_benches::harness::{self, Load};
use telerpc_benches::{tarpc_echo, tonic_echo};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

const LOAD: Load = Load {
    callers: 4,
    calls: 40,
    warmup: 1,
};

/// How long a whole test may take: far more than 40 calls over loopback need.
const TEST_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tonic_answers_every_call() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(tonic_echo::serve(listener, async {
            let _ = stopped.await;
        }));

        let callers = tonic_echo::callers(addr, 2, LOAD.callers).await.unwrap();
        let summary = harness::run(LOAD, callers).await;
        assert_eq!((summary.calls, summary.errors), (40, 0));

        stop.send(()).unwrap();
        serving.await.unwrap().unwrap();
    })
    .await
    .expect("the tonic test timed out");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tarpc_answers_every_call() {
    tokio::time::timeout(TEST_TIMEOUT, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = tokio::spawn(tarpc_echo::serve(listener, async {
            let _ = stopped.await;
        }));

        let callers = tarpc_echo::callers(addr, 2, LOAD.callers).await.unwrap();
        let summary = harness::run(LOAD, callers).await;
        assert_eq!((summary.calls, summary.errors), (40, 0));

        stop.send(()).unwrap();
        serving.await.unwrap().unwrap();
    })
    .await
    .expect("the tarpc test timed out");
}
