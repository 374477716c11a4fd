//! Losing the connection: every pending call fails with 102 at once; with redial, the session
//! waits for a new connection and carries on.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use telerpc_session::{Health, Session, SessionConfig};
use telerpc_socket::{code, MessageType};
use tokio::time::Instant;

use support::{duplex_sockets, recv, start, tcp_sockets, triple, within, Recorder};

const IN_FLIGHT: usize = 100;

/// Spawns `IN_FLIGHT` calls with a long deadline.
fn calls(session: &Session) -> Vec<tokio::task::JoinHandle<Result<i64, telerpc_socket::Status>>> {
    (0..IN_FLIGHT)
        .map(|n| {
            let session = session.clone();
            tokio::spawn(async move {
                session
                    .call::<i64, _>("/slow", &n)
                    .timeout(Duration::from_secs(60))
                    .await
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_reset_mid_call_fails_every_in_flight_call_with_102_promptly() {
    within(async {
        let (socket, mut peer) = tcp_sockets().await;
        let recorder = Arc::new(Recorder::default());
        let session = start(
            socket,
            SessionConfig::default(),
            None,
            Some(recorder.clone()),
        )
        .await;

        let pending = calls(&session);
        for _ in 0..IN_FLIGHT {
            assert_eq!(recv(&mut peer).await.mtype, MessageType::Call);
        }
        let (reader, _writer) = peer.split();
        socket2::SockRef::from(reader.get_ref().as_ref())
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        let reset = Instant::now();
        drop((reader, _writer));

        for call in pending {
            let status = call.await.unwrap().expect_err("the connection was reset");
            assert_eq!(status.code(), code::CONN_CLOSED, "{status}");
        }
        assert!(
            reset.elapsed() < Duration::from_secs(2),
            "calls ended {:?} after the reset",
            reset.elapsed()
        );
        session.closed().await;
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 1);
        assert_eq!(
            session
                .call::<i64, _>("/slow", &0)
                .await
                .unwrap_err()
                .code(),
            code::CONN_CLOSED
        );
    })
    .await;
}

#[tokio::test]
async fn the_peer_closing_cleanly_fails_pending_calls_with_102() {
    within(async {
        let (socket, mut peer) = duplex_sockets(64 * 1024);
        let session = start(socket, SessionConfig::default(), None, None).await;
        let pending = calls(&session);
        for _ in 0..IN_FLIGHT {
            recv(&mut peer).await;
        }
        peer.shutdown().await.unwrap();
        drop(peer);
        for call in pending {
            assert_eq!(call.await.unwrap().unwrap_err().code(), code::CONN_CLOSED);
        }
        assert_eq!(session.health(), Health::Closed);
    })
    .await;
}

#[tokio::test]
async fn with_redial_the_session_waits_for_a_new_connection_and_keeps_its_identity() {
    within(async {
        let (socket, mut first_peer) = duplex_sockets(64 * 1024);
        let recorder = Arc::new(Recorder::default());
        let session = Session::builder()
            .listener(recorder.clone())
            .redial(true)
            .start(socket)
            .await
            .unwrap();
        session.set_id("dialer-1");
        session.attributes().insert("user", String::from("ada"));

        // A call in flight when the connection drops fails with 102 at once.
        let lost = tokio::spawn({
            let session = session.clone();
            async move { session.call::<i64, _>("/triple", &1).await }
        });
        recv(&mut first_peer).await;
        drop(first_peer);
        assert_eq!(lost.await.unwrap().unwrap_err().code(), code::CONN_CLOSED);
        assert_eq!(session.disconnected().await, Health::Reconnecting);
        assert_eq!(session.health(), Health::Reconnecting);

        // A call made while reconnecting waits for the new connection.
        let waiting = tokio::spawn({
            let session = session.clone();
            async move {
                session
                    .call::<i64, _>("/triple", &7)
                    .timeout(Duration::from_secs(5))
                    .await
            }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());

        let (socket, peer_socket) = duplex_sockets(64 * 1024);
        let peer = start(peer_socket, SessionConfig::default(), Some(triple()), None).await;
        session.attach(socket).unwrap();
        assert_eq!(session.health(), Health::Open);
        assert_eq!(waiting.await.unwrap(), Ok(21));
        assert_eq!(session.call::<i64, _>("/triple", &2).await, Ok(6));

        assert_eq!(&*session.id(), "dialer-1");
        assert_eq!(
            session
                .attributes()
                .get::<String>("user")
                .as_deref()
                .map(String::as_str),
            Some("ada")
        );
        let (spare, _spare_peer) = duplex_sockets(1024);
        let refused = session.attach(spare).unwrap_err();
        assert_eq!(refused.code(), code::INVALID_OP, "attached while open");
        assert_eq!(recorder.seen.opened.load(Ordering::SeqCst), 1);
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 0);

        session.close().await;
        assert_eq!(session.disconnected().await, Health::Closed);
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 1);
        peer.closed().await;
    })
    .await;
}

#[tokio::test]
async fn closing_a_reconnecting_session_fails_what_waits_at_once() {
    within(async {
        let (socket, peer) = duplex_sockets(64 * 1024);
        let session = Session::builder().redial(true).start(socket).await.unwrap();
        drop(peer);
        assert_eq!(session.disconnected().await, Health::Reconnecting);

        let waiting = tokio::spawn({
            let session = session.clone();
            async move { session.call::<i64, _>("/triple", &7).await }
        });
        tokio::task::yield_now().await;
        session.close().await;
        assert_eq!(
            waiting.await.unwrap().unwrap_err().code(),
            code::CONN_CLOSED
        );
        assert_eq!(session.health(), Health::Closed);
    })
    .await;
}
