//! Graceful close: in-flight work drains, new work is refused with 102, and the grace bounds
//! the wait.

mod support;

use std::sync::Arc;
use std::time::Duration;

use telerpc_session::{BoxFuture, Health, Reply, Request, Session, SessionConfig};
use telerpc_socket::code;
use tokio::sync::{mpsc, Semaphore};
use tokio::time::Instant;

use support::{duplex_sockets, reply_with, start, within, FnHandler};

/// A handler that reports each call's start, then answers `n` with `n + 1` once `gate` lets
/// it through.
fn gated(
    gate: Arc<Semaphore>,
) -> (
    Arc<dyn telerpc_session::Handler>,
    mpsc::UnboundedReceiver<i64>,
) {
    let (started_tx, started) = mpsc::unbounded_channel();
    let handler = FnHandler::new(move |request: Request| -> BoxFuture<'static, Reply> {
        let (gate, started) = (Arc::clone(&gate), started_tx.clone());
        Box::pin(async move {
            let n: i64 = request.body_as().unwrap();
            let _ = started.send(n);
            gate.acquire().await.unwrap().forget();
            reply_with(&request, &(n + 1))
        })
    });
    (handler, started)
}

async fn pair(
    config: SessionConfig,
    gate: &Arc<Semaphore>,
) -> (Session, Session, mpsc::UnboundedReceiver<i64>) {
    let (handler, started) = gated(Arc::clone(gate));
    let (a, b) = duplex_sockets(64 * 1024);
    let client = start(a, config.clone(), None, None).await;
    let server = start(b, config, Some(handler), None).await;
    (client, server, started)
}

fn call(session: &Session, n: i64) -> tokio::task::JoinHandle<Result<i64, telerpc_socket::Status>> {
    let session = session.clone();
    tokio::spawn(async move { session.call::<i64, _>("/gated", &n).await })
}

#[tokio::test]
async fn a_handler_in_progress_finishes_and_its_reply_arrives() {
    within(async {
        let gate = Arc::new(Semaphore::new(0));
        let (client, server, mut started) = pair(SessionConfig::default(), &gate).await;

        let in_progress = call(&client, 1);
        assert_eq!(started.recv().await, Some(1));
        // The close begins at its first poll, then waits for the handler.
        let closing = server.close();
        tokio::pin!(closing);
        tokio::select! {
            biased;
            () = &mut closing => panic!("closed before its handler finished"),
            () = std::future::ready(()) => {}
        }
        assert_eq!(server.health(), Health::Closing);

        // New work is refused while closing: the server's own calls, and calls from the peer.
        let own = server.call::<i64, _>("/gated", &2).await.unwrap_err();
        assert_eq!(own.code(), code::CONN_CLOSED);
        let refused = client.call::<i64, _>("/gated", &3).await.unwrap_err();
        assert_eq!(refused.code(), code::CONN_CLOSED);

        gate.add_permits(1);
        assert_eq!(in_progress.await.unwrap(), Ok(2));
        closing.await;
        assert_eq!(server.health(), Health::Closed);
        client.closed().await;
        assert_eq!(
            client
                .call::<i64, _>("/gated", &4)
                .await
                .unwrap_err()
                .code(),
            code::CONN_CLOSED
        );
    })
    .await;
}

#[tokio::test]
async fn a_close_waits_for_its_own_calls_replies() {
    within(async {
        let gate = Arc::new(Semaphore::new(0));
        let (client, _server, mut started) = pair(SessionConfig::default(), &gate).await;

        let awaiting = call(&client, 10);
        assert_eq!(started.recv().await, Some(10));
        let closing = client.close();
        tokio::pin!(closing);
        tokio::select! {
            biased;
            () = &mut closing => panic!("closed before its call's reply"),
            () = std::future::ready(()) => {}
        }
        assert_eq!(client.health(), Health::Closing);
        gate.add_permits(1);
        assert_eq!(awaiting.await.unwrap(), Ok(11));
        closing.await;
        assert_eq!(client.health(), Health::Closed);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn past_the_grace_what_remains_fails_with_102() {
    within(async {
        let gate = Arc::new(Semaphore::new(0));
        let grace = Duration::from_millis(200);
        let config = SessionConfig::default().with_close_grace(grace);
        let (client, server, mut started) = pair(config, &gate).await;

        let stuck = call(&client, 1);
        assert_eq!(started.recv().await, Some(1));
        let began = Instant::now();
        server.close().await;
        assert_eq!(began.elapsed(), grace);
        let status = stuck.await.unwrap().unwrap_err();
        assert_eq!(status.code(), code::CONN_CLOSED, "{status}");
        client.closed().await;
    })
    .await;
}
