//! TLS: a self-signed certificate made by rcgen, written as PEM and loaded with the crate's
//! helpers; a round trip; clients that do not speak the server's TLS fail cleanly.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use support::{echo, eventually, start_server, within, Service, TempDir};
use telerpc_peer::rustls::pki_types::ServerName;
use telerpc_peer::{
    acceptor_from_pem, connector_from_pem, load_cert_chain, load_private_key, load_root_store,
    NetAddr, Peer, PeerConfig,
};
use telerpc_socket::code;

/// A self-signed certificate for `localhost` and 127.0.0.1, as PEM files in `dir`: the
/// certificate's path and the private key's.
fn self_signed(dir: &TempDir, name: &str) -> (PathBuf, PathBuf) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .expect("a certificate");
    let cert = dir.path().join(format!("{name}.crt.pem"));
    let key = dir.path().join(format!("{name}.key.pem"));
    std::fs::write(&cert, certified.cert.pem()).unwrap();
    std::fs::write(&key, certified.key_pair.serialize_pem()).unwrap();
    (cert, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_round_trip_and_clients_that_do_not_match_fail_cleanly() {
    within(async {
        let dir = TempDir::new("tls");
        let (cert, key) = self_signed(&dir, "server");
        assert_eq!(load_cert_chain(&cert).unwrap().len(), 1);
        assert!(load_private_key(&key).is_ok());
        assert_eq!(load_root_store(&cert).unwrap().len(), 1);

        let (server, addr) = start_server(
            &Service::new("server"),
            PeerConfig::default().with_tls_acceptor(acceptor_from_pem(&cert, &key).unwrap()),
        )
        .await;
        let client = Peer::new(
            PeerConfig::default()
                .with_dial_timeout(Duration::from_secs(2))
                .with_tls_connector(connector_from_pem(&cert).unwrap())
                .with_handler(Service::new("client").handler()),
        );

        // By IP address, then by name: the certificate covers both.
        let session = client.dial(addr.clone()).await.unwrap();
        assert_eq!(echo(&session, "secret").await.unwrap(), "secret");
        assert_eq!(session.peer_addr().to_string(), addr.address());
        let called_back: String = session.call("/callback", &()).await.unwrap();
        assert_eq!(called_back, "client");
        let port = addr.address().rsplit_once(':').unwrap().1;
        let by_name = client.dial(NetAddr::tcp(format!("localhost:{port}"))).await;
        assert_eq!(echo(&by_name.unwrap(), "by name").await.unwrap(), "by name");
        eventually(|| server.hub().count() == 2).await;
        // The server knows the TLS session by the client's address, as over plain TCP.
        assert!(server
            .hub()
            .get(&session.local_addr().to_string())
            .is_some());

        // A plain client: its connection is dropped by the failed handshake; its call fails
        // with 102 instead of hanging, and the server never counts it as a session.
        let plain = Peer::new(PeerConfig::default());
        let plain_session = plain.dial(addr.clone()).await.unwrap();
        let failed = echo(&plain_session, "in clear").await.unwrap_err();
        assert_eq!(failed.code(), code::CONN_CLOSED, "{failed}");
        plain_session.closed().await;
        assert_eq!(server.hub().count(), 2);

        // A client that does not trust the server's certificate: 105 Dial Failed.
        let (other_cert, _) = self_signed(&dir, "other");
        let distrustful = Peer::new(
            PeerConfig::default()
                .with_dial_timeout(Duration::from_secs(2))
                .with_tls_connector(connector_from_pem(&other_cert).unwrap()),
        );
        let refused = distrustful.dial(addr.clone()).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        assert_eq!(distrustful.hub().count(), 0);

        // A TLS client to a plain server: 105 Dial Failed.
        let (plain_server, plain_addr) =
            start_server(&Service::new("plain"), PeerConfig::default()).await;
        let mismatch = client.dial(plain_addr).await.unwrap_err();
        assert_eq!(mismatch.code(), code::DIAL_FAILED, "{mismatch}");

        // The TLS server still serves.
        assert_eq!(echo(&session, "still").await.unwrap(), "still");
        assert_eq!(server.hub().count(), 2);

        client.shutdown(Duration::from_secs(1)).await;
        plain.shutdown(Duration::from_secs(1)).await;
        plain_server.shutdown(Duration::from_secs(1)).await;
        let report = server.shutdown(Duration::from_secs(1)).await;
        assert!(report.graceful, "{report:?}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_handshake_that_never_comes_times_out() {
    within(async {
        let dir = TempDir::new("tls-idle");
        let (cert, key) = self_signed(&dir, "server");
        let (server, addr) = start_server(
            &Service::new("server"),
            PeerConfig::default()
                .with_tls_acceptor(acceptor_from_pem(&cert, &key).unwrap())
                .with_handshake_timeout(Duration::from_millis(100))
                .with_max_connections(1),
        )
        .await;
        // A connection that says nothing holds its slot until the handshake times out.
        let silent = tokio::net::TcpStream::connect(addr.address())
            .await
            .unwrap();
        eventually(|| server.connections().live() == 1).await;
        eventually(|| server.connections().live() == 0).await;
        assert_eq!(server.hub().count(), 0);
        drop(silent);
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_over_a_unix_socket_needs_a_configured_server_name() {
    within(async {
        let dir = TempDir::new("tls-unix");
        let (cert, key) = self_signed(&dir, "server");
        let server = Peer::new(
            PeerConfig::default()
                .with_listen_addr(NetAddr::unix(dir.path().join("tls.sock")))
                .with_tls_acceptor(acceptor_from_pem(&cert, &key).unwrap())
                .with_handler(Service::new("server").handler()),
        );
        let addr = server.listen().await.unwrap().remove(0);

        let unnamed =
            Peer::new(PeerConfig::default().with_tls_connector(connector_from_pem(&cert).unwrap()));
        let refused = unnamed.dial(addr.clone()).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
        assert!(
            refused
                .cause()
                .is_some_and(|cause| cause.contains("server name")),
            "{refused}"
        );

        let named = Peer::new(
            PeerConfig::default()
                .with_tls_connector(connector_from_pem(&cert).unwrap())
                .with_tls_server_name(ServerName::try_from("localhost").unwrap()),
        );
        let session = named.dial(addr).await.unwrap();
        assert_eq!(echo(&session, "unix").await.unwrap(), "unix");

        named.shutdown(Duration::from_secs(1)).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
