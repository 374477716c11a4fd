//! The acceptor and dialer: sessions over TCP and Unix sockets with a shared handler and
//! listener, the limit on live sessions, refused sessions, dial failures, shutdown.

mod endpoint_support;

use std::sync::Arc;
use std::time::Duration;

use endpoint_support::{
    echo, eventually, full_listener, inet, unix_path, within, Echo, Events, DEADLINE,
};
use telerpc_session::endpoint::{Acceptor, Dialer, Target};
use telerpc_session::{Health, SessionConfig};
use telerpc_socket::{code, Address};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// An acceptor whose sessions echo and are counted by `events`, closing quickly.
fn acceptor(events: &Arc<Events>) -> Acceptor {
    Acceptor::new()
        .config(SessionConfig::default().with_close_grace(Duration::from_millis(100)))
        .handler(Arc::new(Echo))
        .listener(Arc::clone(events) as _)
}

#[tokio::test]
async fn serves_tcp_sessions_with_one_handler_and_listener() {
    within(async {
        let events = Arc::new(Events::default());
        let server = acceptor(&events)
            .bind(&Target::tcp("127.0.0.1:0"))
            .await
            .unwrap();
        let addr = inet(server.local_addr());
        assert_ne!(addr.port(), 0);

        let dialer = Dialer::new().dial_timeout(DEADLINE);
        let alice = dialer.dial(&Target::from(addr)).await.unwrap();
        let bob = dialer.dial(&Target::from(addr)).await.unwrap();
        assert_eq!(echo(&alice, "from alice").await.unwrap(), "from alice");
        assert_eq!(echo(&bob, "from bob").await.unwrap(), "from bob");

        assert_eq!(events.opened(), 2);
        assert_eq!(server.counter().live(), 2);
        let mut peers: Vec<_> = server.sessions().iter().map(|s| s.peer_addr()).collect();
        peers.sort_by_key(|peer| inet(peer).port());
        let mut expected = vec![alice.local_addr(), bob.local_addr()];
        expected.sort_by_key(|local| inet(local).port());
        assert_eq!(peers, expected);

        // Shutdown closes every session: the dialers see their sessions end.
        server.shutdown().await.unwrap();
        alice.closed().await;
        bob.closed().await;
        eventually(|| events.closed() == 2).await;
        let refused = dialer.dial(&Target::from(addr)).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
    })
    .await;
}

#[tokio::test]
async fn serves_unix_sessions() {
    within(async {
        let path = unix_path("server");
        let events = Arc::new(Events::default());
        let server = acceptor(&events).bind(&Target::unix(&path)).await.unwrap();
        assert_eq!(server.local_addr(), &Address::Unix(Some(path.clone())));

        let session = Dialer::new().dial(&Target::unix(&path)).await.unwrap();
        assert_eq!(echo(&session, "over unix").await.unwrap(), "over unix");
        assert_eq!(session.peer_addr(), Address::Unix(Some(path.clone())));

        server.shutdown().await.unwrap();
        session.closed().await;
        assert!(!path.exists(), "the socket file is removed");
    })
    .await;
}

#[tokio::test]
async fn refuses_over_the_limit_and_frees_a_slot_when_a_session_ends() {
    within(async {
        let events = Arc::new(Events::default());
        let server = acceptor(&events)
            .max_connections(1)
            .bind(&Target::tcp("127.0.0.1:0"))
            .await
            .unwrap();
        let target = Target::from(inet(server.local_addr()));
        let dialer = Dialer::new();

        let first = dialer.dial(&target).await.unwrap();
        assert_eq!(echo(&first, "one").await.unwrap(), "one");

        // Over the limit: accepted and closed at once.
        let mut extra = TcpStream::connect(inet(server.local_addr())).await.unwrap();
        let mut buf = [0; 1];
        assert_eq!(extra.read(&mut buf).await.unwrap(), 0);
        assert_eq!(server.counter().refused(), 1);
        assert_eq!(events.opened(), 1);

        // The first session ends; its slot frees once the server's side has ended too.
        first.close().await;
        eventually(|| server.counter().live() == 0).await;
        let second = dialer.dial(&target).await.unwrap();
        assert_eq!(echo(&second, "two").await.unwrap(), "two");
        assert_eq!(server.counter().live(), 1);
        assert_eq!(
            (server.counter().admitted(), server.counter().refused()),
            (2, 1)
        );

        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_session_refused_by_on_open_is_closed_and_frees_its_slot() {
    within(async {
        let events = Arc::new(Events::refusing());
        let server = acceptor(&events)
            .max_connections(1)
            .bind(&Target::tcp("127.0.0.1:0"))
            .await
            .unwrap();
        let target = Target::from(inet(server.local_addr()));

        let session = Dialer::new().dial(&target).await.unwrap();
        session.closed().await;
        assert_eq!(session.health(), Health::Closed);
        eventually(|| events.closed() == 1).await;
        assert_eq!(events.opened(), 1);
        eventually(|| server.counter().live() == 0).await;
        assert!(server.sessions().is_empty());

        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_dialer_refused_by_its_own_on_open_returns_the_status() {
    within(async {
        let server = Acceptor::new()
            .bind(&Target::tcp("127.0.0.1:0"))
            .await
            .unwrap();
        let events = Arc::new(Events::refusing());
        let refused = Dialer::new()
            .listener(Arc::clone(&events) as _)
            .dial(&Target::from(inet(server.local_addr())))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), code::UNAUTHORIZED);
        assert_eq!((events.opened(), events.closed()), (1, 1));
        server.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn dialing_nothing_is_dial_failed() {
    within(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        let status = Dialer::new()
            .dial_timeout(DEADLINE)
            .dial(&Target::from(addr))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code::DIAL_FAILED);
        assert!(status.cause().unwrap().contains(&addr.to_string()));

        let missing = unix_path("nobody");
        let status = Dialer::new()
            .dial(&Target::unix(&missing))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code::DIAL_FAILED);
    })
    .await;
}

#[tokio::test]
async fn dropping_the_server_stops_accepting_and_keeps_its_sessions() {
    within(async {
        let events = Arc::new(Events::default());
        let server = acceptor(&events)
            .bind(&Target::tcp("127.0.0.1:0"))
            .await
            .unwrap();
        let addr = inet(server.local_addr());
        let session = Dialer::new().dial(&Target::from(addr)).await.unwrap();
        assert_eq!(echo(&session, "kept").await.unwrap(), "kept");

        drop(server);
        // Connections made before the loop noticed are accepted or reset; then none is.
        while TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let refused = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        assert_eq!(echo(&session, "still kept").await.unwrap(), "still kept");
        assert_eq!(events.closed(), 0);
        session.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_dial_timeout_is_dial_failed() {
    within(async {
        let (_listener, addr, _filling) = full_listener().await;
        let started = std::time::Instant::now();
        let status = Dialer::new()
            .dial_timeout(Duration::from_millis(300))
            .dial(&Target::from(addr))
            .await
            .unwrap_err();
        assert!(started.elapsed() >= Duration::from_millis(300));
        assert_eq!(status.code(), code::DIAL_FAILED);
        assert!(status.cause().unwrap().contains("timed out"), "{status}");
    })
    .await;
}
