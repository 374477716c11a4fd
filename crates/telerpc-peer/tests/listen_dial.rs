//! Listening on several addresses at once, dialing, calling back over a dialed session,
//! serving handed-over connections, the connection limit, and redial through the peer.

mod support;

use std::time::Duration;

use support::{echo, eventually, start_server, within, Service, TempDir};
use telerpc_peer::{peer_of, NetAddr, Network, Peer, PeerConfig, PeerError};
use telerpc_session::endpoint::{Backoff, RedialPolicy, Stream};
use telerpc_session::{Health, Session};
use telerpc_socket::{code, Address, Socket};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listens_on_tcp4_unix_and_tcp6_at_once() {
    within(async {
        let dir = TempDir::new("listen");
        let socket_path = dir.path().join("peer.sock");
        let service = Service::new("server");
        let server = Peer::new(
            PeerConfig::default()
                .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
                .with_listen_addr(NetAddr::unix(&socket_path))
                .with_listen_addr(NetAddr::tcp6("[::1]:0"))
                .with_handler(service.handler()),
        );
        assert!(server.listen_addrs().is_empty());
        let addrs = server.listen().await.unwrap();
        assert_eq!(server.listen_addrs(), addrs);
        let networks: Vec<Network> = addrs.iter().map(NetAddr::network).collect();
        assert_eq!(networks, [Network::Tcp4, Network::Unix, Network::Tcp6]);
        assert!(addrs[0].address().starts_with("127.0.0.1:"));
        assert!(!addrs[0].address().ends_with(":0"), "{}", addrs[0]);
        assert!(addrs[2].address().starts_with("[::1]:"));
        assert!(!addrs[2].address().ends_with(":0"), "{}", addrs[2]);
        assert_eq!(addrs[1], NetAddr::unix(&socket_path));
        assert!(socket_path.exists());
        assert!(matches!(
            server.listen().await,
            Err(PeerError::AlreadyListening)
        ));

        let client = Peer::new(PeerConfig::default());
        for addr in &addrs {
            let session = client.dial(addr.clone()).await.unwrap();
            let text = format!("over {addr}");
            assert_eq!(echo(&session, &text).await.unwrap(), text);
        }
        assert_eq!(client.hub().count(), 3);
        eventually(|| server.hub().count() == 3).await;
        assert_eq!(service.started(), 3);

        let report = server.shutdown(Duration::from_secs(2)).await;
        assert!(report.graceful, "{report:?}");
        assert_eq!(report.sessions, 3);
        assert!(server.listen_addrs().is_empty());
        assert!(!socket_path.exists(), "the socket file is removed");
        eventually(|| client.hub().count() == 0).await;
        let refused = client.dial(addrs[0].clone()).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_that_cannot_be_bound_serves_nothing() {
    within(async {
        let (taken, addr) = start_server(&Service::new("first"), PeerConfig::default()).await;
        let second = Peer::new(
            PeerConfig::default()
                .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
                .with_listen_addr(addr.clone()),
        );
        match second.listen().await {
            Err(PeerError::Bind { addr: failed, .. }) => assert_eq!(failed, addr),
            other => panic!("expected a bind error, got {other:?}"),
        }
        assert!(second.listen_addrs().is_empty());
        let wrong_family =
            Peer::new(PeerConfig::default().with_listen_addr(NetAddr::tcp6("127.0.0.1:0")));
        assert!(matches!(
            wrong_family.listen().await,
            Err(PeerError::Bind { .. })
        ));
        taken.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_calls_the_client_back_over_the_dialed_session() {
    within(async {
        let (server, addr) = start_server(&Service::new("server"), PeerConfig::default()).await;
        let client_service = Service::new("client");
        let client = Peer::new(PeerConfig::default().with_handler(client_service.handler()));
        let session = client.dial(addr).await.unwrap();

        // The server's handler calls the client's `/name` over the session the client dialed.
        let called_back: String = session.call("/callback", &()).await.unwrap();
        assert_eq!(called_back, "client");

        // The server finds the session in its hub and calls the client on its own.
        eventually(|| server.hub().count() == 1).await;
        let mut accepted = None;
        server.hub().range(|session| {
            accepted = Some(session.clone());
            false
        });
        let accepted = accepted.unwrap();
        let name: String = accepted.call("/name", &()).await.unwrap();
        assert_eq!(name, "client");
        assert_eq!(client_service.started(), 2);

        // Handlers reach their peer through the session.
        let sessions: usize = session.call("/sessions", &()).await.unwrap();
        assert_eq!(sessions, 1);
        assert!(peer_of(&accepted).is_some_and(|found| found.ptr_eq(&server)));
        assert!(peer_of(&session).is_some_and(|found| found.ptr_eq(&client)));

        client.shutdown(Duration::from_secs(1)).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_connections_handed_over() {
    within(async {
        let service = Service::new("server");
        let server = Peer::new(PeerConfig::default().with_handler(service.handler()));
        let client =
            Peer::new(PeerConfig::default().with_handler(Service::new("client").handler()));

        // Both ends of a duplex, each served by a peer.
        let (a, b) = tokio::io::duplex(64 * 1024);
        let served = server.serve_conn(a).await.unwrap();
        let dialing = client.serve_conn(b).await.unwrap();
        assert!(served.id().starts_with("socket-"));
        assert_eq!(served.peer_addr(), Address::Unknown);
        assert_eq!(echo(&dialing, "duplex").await.unwrap(), "duplex");
        let name: String = served.call("/name", &()).await.unwrap();
        assert_eq!(name, "client");
        assert_eq!(server.hub().count(), 1);
        assert_eq!(server.connections().live(), 1);

        // A plain session, not a peer's, on the other end.
        let (c, d) = tokio::io::duplex(64 * 1024);
        server.serve_conn(c).await.unwrap();
        let plain = Session::builder().start(Socket::new(d)).await.unwrap();
        assert_eq!(echo(&plain, "plain").await.unwrap(), "plain");
        assert!(peer_of(&plain).is_none());
        assert_eq!(server.hub().count(), 2);
        plain.close().await;
        eventually(|| server.hub().count() == 1).await;
        eventually(|| server.connections().live() == 1).await;

        // A TCP socket accepted elsewhere keeps its addresses.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let listening = listener.local_addr().unwrap();
        let (dialed, accepted) =
            tokio::join!(client.dial(NetAddr::from(listening)), listener.accept());
        let (stream, from) = accepted.unwrap();
        let session = server.serve_stream(Stream::Tcp(stream)).await.unwrap();
        assert_eq!(&*session.id(), from.to_string());
        assert_eq!(echo(&dialed.unwrap(), "tcp").await.unwrap(), "tcp");

        client.shutdown(Duration::from_secs(1)).await;
        let report = server.shutdown(Duration::from_secs(1)).await;
        assert!(report.graceful, "{report:?}");
        assert_eq!(server.hub().count(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_limit_holds_across_every_address() {
    within(async {
        let dir = TempDir::new("limit");
        let socket_path = dir.path().join("limited.sock");
        let server = Peer::new(
            PeerConfig::default()
                .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
                .with_listen_addr(NetAddr::unix(&socket_path))
                .with_max_connections(1)
                .with_handler(Service::new("server").handler()),
        );
        let addrs = server.listen().await.unwrap();
        let client = Peer::new(PeerConfig::default());

        let first = client.dial(addrs[0].clone()).await.unwrap();
        assert_eq!(echo(&first, "in").await.unwrap(), "in");

        // Over the limit on the other address: accepted and closed at once.
        let second = client.dial(addrs[1].clone()).await.unwrap();
        second.closed().await;
        assert_eq!(
            echo(&second, "out").await.unwrap_err().code(),
            code::CONN_CLOSED
        );
        assert_eq!(server.connections().refused(), 1);
        assert_eq!(server.hub().count(), 1);

        // Handed-over connections count too.
        let (a, _b) = tokio::io::duplex(1024);
        assert_eq!(
            server.serve_conn(a).await.unwrap_err().code(),
            code::CONN_CLOSED
        );
        assert_eq!(server.connections().refused(), 2);

        // Once the first leaves, there is room again.
        first.close().await;
        eventually(|| server.connections().live() == 0).await;
        let third = client.dial(addrs[1].clone()).await.unwrap();
        assert_eq!(echo(&third, "again").await.unwrap(), "again");
        assert_eq!(server.connections().admitted(), 2);

        client.shutdown(Duration::from_secs(1)).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dialed_session_redials_after_a_server_restart() {
    within(async {
        let (first_server, addr) =
            start_server(&Service::new("first"), PeerConfig::default()).await;
        let client = Peer::new(
            PeerConfig::default()
                .with_dial_timeout(Duration::from_secs(1))
                .with_redial(RedialPolicy::unlimited().with_backoff(Backoff::new(
                    Duration::from_millis(10),
                    Duration::from_millis(50),
                ))),
        );
        let session = client.dial(addr.clone()).await.unwrap();
        let id = session.id();
        assert_eq!(echo(&session, "before").await.unwrap(), "before");

        first_server.shutdown(Duration::from_secs(1)).await;
        assert_eq!(session.disconnected().await, Health::Reconnecting);
        assert_eq!(
            client.hub().count(),
            1,
            "a redialing session stays in the hub"
        );

        let second_server = Peer::new(
            PeerConfig::default()
                .with_listen_addr(addr)
                .with_handler(Service::new("second").handler()),
        );
        second_server.listen().await.unwrap();
        let after: String = session
            .call("/echo", "after")
            .timeout(Duration::from_secs(5))
            .await
            .unwrap();
        assert_eq!(after, "after");
        let name: String = session.call("/name", &()).await.unwrap();
        assert_eq!(name, "second");
        assert_eq!(session.id(), id);
        assert!(client.hub().get(&id).is_some());
        eventually(|| second_server.hub().count() == 1).await;

        client.shutdown(Duration::from_secs(1)).await;
        assert_eq!(client.hub().count(), 0);
        second_server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
