//! Graceful shutdown: calls in flight get their replies, later calls the shutting-down
//! status; the deadline cuts off what never ends, in every execution mode.

mod support;

use std::time::Duration;

use support::{echo, eventually, start_server, within, Service};
use telerpc_peer::{NetAddr, Peer, PeerConfig, PeerError, CUT_OFF_GRACE, SHUTTING_DOWN_CAUSE};
use telerpc_session::Execution;
use telerpc_socket::code;
use tokio::time::Instant;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_flight_get_their_replies_and_later_calls_are_refused() {
    within(async {
        let service = Service::new("server");
        let (server, addr) = start_server(&service, PeerConfig::default()).await;
        let client =
            Peer::new(PeerConfig::default().with_handler(Service::new("client").handler()));
        let session = client.dial(addr.clone()).await.unwrap();

        let mut in_flight = Vec::new();
        for _ in 0..8 {
            let session = session.clone();
            in_flight.push(tokio::spawn(async move {
                session.call::<String, _>("/hold", &()).await
            }));
        }
        eventually(|| service.started() == 8).await;

        let shutting_down = {
            let server = server.clone();
            tokio::spawn(async move { server.shutdown(Duration::from_secs(5)).await })
        };
        eventually(|| server.is_shutting_down()).await;

        // A call arriving now is refused with the shutting-down status, not run.
        let refused = echo(&session, "late").await.unwrap_err();
        assert_eq!(refused.code(), code::CONN_CLOSED);
        assert_eq!(refused.cause(), Some(SHUTTING_DOWN_CAUSE));
        assert_eq!(service.started(), 8);
        // Nothing new is taken on.
        assert_eq!(
            server.dial(addr.clone()).await.unwrap_err().cause(),
            Some(SHUTTING_DOWN_CAUSE)
        );
        let (a, _b) = tokio::io::duplex(1024);
        assert_eq!(
            server.serve_conn(a).await.unwrap_err().cause(),
            Some(SHUTTING_DOWN_CAUSE)
        );
        assert!(matches!(
            server.listen().await,
            Err(PeerError::ShuttingDown)
        ));
        let refused_dial = Peer::new(PeerConfig::default())
            .dial(addr)
            .await
            .unwrap_err();
        assert_eq!(refused_dial.code(), code::DIAL_FAILED);

        // The handlers in flight finish: every reply arrives.
        assert!(!shutting_down.is_finished());
        service.release();
        for call in in_flight {
            assert_eq!(call.await.unwrap().unwrap(), "released");
        }
        let report = shutting_down.await.unwrap();
        assert!(report.graceful, "{report:?}");
        assert_eq!((report.sessions, report.cut_off), (1, 0));
        assert_eq!(server.hub().count(), 0);
        session.closed().await;
        assert_eq!(client.hub().count(), 0);

        // Shutting down again finds nothing to do.
        let again = server.shutdown(Duration::from_secs(1)).await;
        assert!(again.graceful);
        assert_eq!(again.sessions, 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_cuts_off_a_handler_that_never_ends() {
    within(async {
        let executions = [
            Execution::default(),
            Execution::Inline,
            Execution::Ordered { queue: 4 },
        ];
        for execution in executions {
            let service = Service::new("server");
            let (server, addr) = start_server(
                &service,
                PeerConfig::default().with_execution(execution.clone()),
            )
            .await;
            let client = Peer::new(PeerConfig::default());
            let session = client.dial(addr).await.unwrap();
            let never = {
                let session = session.clone();
                tokio::spawn(async move { session.call::<(), _>("/never", &()).await })
            };
            eventually(|| service.started() == 1).await;

            let timeout = Duration::from_millis(300);
            let started = Instant::now();
            let report = server.shutdown(timeout).await;
            let took = started.elapsed();
            assert!(
                took >= timeout,
                "{execution:?}: returned early, after {took:?}"
            );
            assert!(
                took < timeout + CUT_OFF_GRACE + Duration::from_millis(200),
                "{execution:?}: took {took:?}"
            );
            assert!(!report.graceful, "{execution:?}: {report:?}");
            assert_eq!((report.cut_off, report.lingering), (1, 0), "{execution:?}");
            assert_eq!(server.hub().count(), 0);

            let outcome = within(never).await.unwrap();
            assert_eq!(
                outcome.unwrap_err().code(),
                code::CONN_CLOSED,
                "{execution:?}"
            );
            client.shutdown(Duration::from_secs(1)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_awaiting_its_reply_does_not_hold_the_caller_past_its_deadline() {
    within(async {
        let service = Service::new("server");
        let (server, addr) = start_server(&service, PeerConfig::default()).await;
        let client = Peer::new(PeerConfig::default());
        let session = client.dial(addr).await.unwrap();
        let waiting = {
            let session = session.clone();
            tokio::spawn(async move { session.call::<(), _>("/never", &()).await })
        };
        eventually(|| service.started() == 1).await;

        // The client has no handler running: only its own call is in flight, and the
        // session's close would wait for it; the deadline cuts it off.
        let started = Instant::now();
        let report = client.shutdown(Duration::from_millis(200)).await;
        assert!(
            started.elapsed()
                < Duration::from_millis(200) + CUT_OFF_GRACE + Duration::from_millis(200)
        );
        assert_eq!((report.cut_off, report.lingering), (1, 0), "{report:?}");
        assert_eq!(
            waiting.await.unwrap().unwrap_err().code(),
            code::CONN_CLOSED
        );
        eventually(|| server.hub().count() == 0).await;
        server.shutdown(Duration::from_millis(200)).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_dropped_without_a_shutdown_stops_listening() {
    within(async {
        let dir = support::TempDir::new("drop");
        let path = dir.path().join("dropped.sock");
        let peer = Peer::new(PeerConfig::default().with_listen_addr(NetAddr::unix(&path)));
        let addrs = peer.listen().await.unwrap();
        assert!(path.exists());
        drop(peer);
        eventually(|| !path.exists()).await;
        let refused = Peer::new(PeerConfig::default())
            .dial(addrs[0].clone())
            .await
            .unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
    })
    .await;
}
