//! Deadlines: calls time out with 408, late replies are dropped, and the callee sees the
//! caller's deadline and is stopped at it.

mod support;

use std::sync::Arc;
use std::time::Duration;

use telerpc_codec::CodecRegistry;
use telerpc_session::{BoxFuture, Handler, Reply, Request, SessionConfig, TIMEOUT_META_KEY};
use telerpc_socket::{code, MessageType};
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use support::{duplex_sockets, raw_call, recv, reply_with, start, within, FnHandler, Recorder};

/// When a request arrived, and the deadline it carried.
type Arrival = (Instant, Option<Instant>);

/// A handler that sleeps for the body's number of milliseconds, then answers it; it reports
/// each request's arrival and deadline.
fn sleeper() -> (Arc<dyn Handler>, mpsc::UnboundedReceiver<Arrival>) {
    let (seen, deadlines) = mpsc::unbounded_channel();
    let handler = FnHandler::new(move |request: Request| -> BoxFuture<'static, Reply> {
        let _ = seen.send((Instant::now(), request.deadline()));
        Box::pin(async move {
            let millis: u64 = match request.body_as() {
                Ok(millis) => millis,
                Err(status) => return status.into(),
            };
            tokio::time::sleep(Duration::from_millis(millis)).await;
            reply_with(&request, &millis)
        })
    });
    (handler, deadlines)
}

#[tokio::test(start_paused = true)]
async fn a_call_times_out_with_408_its_late_reply_is_dropped_and_the_session_goes_on() {
    within(async {
        let (a, b) = duplex_sockets(64 * 1024);
        let recorder = Arc::new(Recorder::default());
        let caller = start(a, SessionConfig::default(), None, Some(recorder.clone())).await;
        let (handler, _deadlines) = sleeper();
        let _callee = start(b, SessionConfig::default(), Some(handler), None).await;

        let started = Instant::now();
        let status = caller
            .call::<u64, _>("/sleep", &200_u64)
            .timeout(Duration::from_millis(50))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code::HANDLE_TIMEOUT);
        assert_eq!(started.elapsed(), Duration::from_millis(50));

        // The callee stops its handler at the same deadline and answers 408 (whichever side
        // noticed first, the caller has the 408); then the session goes on.
        let quick: u64 = caller.call("/sleep", &1_u64).await.unwrap();
        assert_eq!(quick, 1);
        let replies: Vec<_> = recorder
            .seen
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.mtype == MessageType::Reply)
            .map(|m| (m.seq, m.status.as_ref().map(|s| s.code())))
            .collect();
        assert_eq!(replies, [(1, Some(code::HANDLE_TIMEOUT)), (2, None)]);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_late_reply_is_dropped_and_the_next_call_gets_its_own() {
    within(async {
        let (caller_socket, mut peer) = duplex_sockets(64 * 1024);
        let caller = start(caller_socket, SessionConfig::default(), None, None).await;

        let first = caller
            .call::<i64, _>("/x", &1)
            .timeout(Duration::from_millis(10))
            .await
            .unwrap_err();
        assert_eq!(first.code(), code::HANDLE_TIMEOUT);
        assert!(
            first.cause().unwrap().contains("timed out after 10ms"),
            "{first}"
        );
        let late = recv(&mut peer).await;

        let second = tokio::spawn({
            let caller = caller.clone();
            async move { caller.call::<i64, _>("/x", &2).await }
        });
        let call = recv(&mut peer).await;
        assert_ne!(call.seq, late.seq);
        let mut reply = telerpc_socket::Message::reply_to(&late);
        reply
            .set_body(CodecRegistry::standard(), reply.body_codec, &111)
            .unwrap();
        peer.send(&reply).await.unwrap();
        let mut reply = telerpc_socket::Message::reply_to(&call);
        reply
            .set_body(CodecRegistry::standard(), reply.body_codec, &222)
            .unwrap();
        peer.send(&reply).await.unwrap();
        assert_eq!(second.await.unwrap(), Ok(222));
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn the_callee_sees_the_callers_deadline_from_the_timeout_meta() {
    within(async {
        let (a, b) = duplex_sockets(64 * 1024);
        let caller = start(a, SessionConfig::default(), None, None).await;
        let (handler, mut deadlines) = sleeper();
        let _callee = start(b, SessionConfig::default(), Some(handler), None).await;

        let answer: u64 = caller
            .call("/sleep", &5_u64)
            .timeout(Duration::from_millis(1500))
            .await
            .unwrap();
        assert_eq!(answer, 5);
        let (arrived, deadline) = deadlines.recv().await.unwrap();
        assert_eq!(deadline, Some(arrived + Duration::from_millis(1500)));

        let default: u64 = caller.call("/sleep", &0_u64).await.unwrap();
        assert_eq!(default, 0);
        let (arrived, deadline) = deadlines.recv().await.unwrap();
        assert_eq!(
            deadline,
            Some(arrived + Duration::from_secs(30)),
            "the config's default"
        );
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_handler_past_the_deadline_is_dropped_and_answered_408() {
    within(async {
        let (dropped_tx, dropped) = oneshot::channel::<()>();
        let dropped_tx = std::sync::Mutex::new(Some(dropped_tx));
        let handler = FnHandler::new(move |_request: Request| -> BoxFuture<'static, Reply> {
            let guard = DropSignal(dropped_tx.lock().unwrap().take());
            Box::pin(async move {
                let _guard = guard;
                std::future::pending::<Reply>().await
            })
        });
        let (mut peer, socket) = duplex_sockets(64 * 1024);
        let _session = start(socket, SessionConfig::default(), Some(handler), None).await;

        let mut call = raw_call(9, "/forever", &());
        call.meta.append(TIMEOUT_META_KEY, "50");
        let sent = Instant::now();
        peer.send(&call).await.unwrap();
        let reply = recv(&mut peer).await;
        assert_eq!(reply.seq, 9);
        let status = reply.status.expect("an error status");
        assert_eq!(status.code(), code::HANDLE_TIMEOUT);
        assert!(status.cause().unwrap().contains("deadline"), "{status}");
        assert_eq!(sent.elapsed(), Duration::from_millis(50));
        dropped.await.expect("the handler's future was dropped");
    })
    .await;
}

/// Signals when dropped.
struct DropSignal(Option<oneshot::Sender<()>>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        if let Some(signal) = self.0.take() {
            let _ = signal.send(());
        }
    }
}

#[tokio::test(start_paused = true)]
async fn dropping_a_call_cancels_it() {
    within(async {
        let (socket, mut peer) = duplex_sockets(64 * 1024);
        let session = start(socket, SessionConfig::default(), None, None).await;

        let call = session
            .call::<i64, _>("/x", &1)
            .timeout(Duration::from_secs(3600));
        let abandoned = tokio::time::timeout(Duration::from_millis(5), call).await;
        assert!(abandoned.is_err());
        let sent = recv(&mut peer).await;
        assert!(sent.meta.get(TIMEOUT_META_KEY).is_some());

        // Nothing is in flight any more: the close does not wait for the grace.
        let started = Instant::now();
        session.close().await;
        assert_eq!(started.elapsed(), Duration::ZERO);
    })
    .await;
}
