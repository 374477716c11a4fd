//! Connecting to a target: TCP and Unix, refused connections and the dial timeout, all
//! reported as status 105 Dial Failed.

mod endpoint_support;

use std::io;
use std::time::{Duration, Instant};

use endpoint_support::{full_listener, inet, unix_path, within, DEADLINE};
use telerpc_session::endpoint::{connect, DialError, Listener, Stream, Target};
use telerpc_socket::{code, Address, Status};
use tokio::net::TcpListener;

/// A local TCP port that nothing listens on: bound, noted, released.
async fn unbound_port() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

#[tokio::test]
async fn connects_over_tcp() {
    within(async {
        let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await.unwrap();
        let addr = inet(listener.local_addr());
        let stream = connect(&Target::from(addr), Some(DEADLINE)).await.unwrap();
        assert!(matches!(stream, Stream::Tcp(_)));
        assert_eq!(stream.peer_addr().unwrap(), Address::Inet(addr));
        let (accepted, peer) = listener.accept().await.unwrap();
        assert_eq!(peer, stream.local_addr().unwrap());
        assert_eq!(accepted.local_addr().unwrap(), Address::Inet(addr));
    })
    .await;
}

#[tokio::test]
async fn resolves_localhost() {
    within(async {
        let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await.unwrap();
        let addr = inet(listener.local_addr());
        let target = Target::tcp(format!("localhost:{}", addr.port()));
        // `localhost` may resolve to ::1 first, where nothing listens: the next address is tried.
        let stream = connect(&target, Some(DEADLINE)).await.unwrap();
        assert_eq!(stream.peer_addr().unwrap(), Address::Inet(addr));
    })
    .await;
}

#[tokio::test]
async fn connects_over_unix() {
    within(async {
        let path = unix_path("connect");
        let listener = Listener::bind(&Target::unix(&path)).await.unwrap();
        let stream = connect(&Target::unix(&path), None).await.unwrap();
        assert!(matches!(stream, Stream::Unix(_)));
        assert_eq!(
            stream.peer_addr().unwrap(),
            Address::Unix(Some(path.clone()))
        );
        let (accepted, _) = listener.accept().await.unwrap();
        assert!(matches!(accepted, Stream::Unix(_)));
    })
    .await;
}

#[tokio::test]
async fn refused_is_dial_failed() {
    within(async {
        let target = Target::from(unbound_port().await);
        let error = connect(&target, Some(DEADLINE)).await.unwrap_err();
        let DialError::Connect { source, .. } = &error else {
            panic!("not a connect error: {error:?}")
        };
        assert_eq!(source.kind(), io::ErrorKind::ConnectionRefused);

        let status = Status::from(error);
        assert_eq!(status.code(), code::DIAL_FAILED);
        assert_eq!(status.message(), "Dial Failed");
        let cause = status.cause().unwrap();
        assert!(cause.contains(&target.to_string()), "{cause}");
    })
    .await;
}

#[tokio::test]
async fn a_missing_unix_socket_is_dial_failed() {
    within(async {
        let path = unix_path("missing");
        let error = connect(&Target::unix(&path), None).await.unwrap_err();
        let DialError::Connect { source, .. } = &error else {
            panic!("not a connect error: {error:?}")
        };
        assert_eq!(source.kind(), io::ErrorKind::NotFound);
        assert_eq!(error.status().code(), code::DIAL_FAILED);
    })
    .await;
}

#[tokio::test]
async fn times_out_against_a_full_backlog() {
    within(async {
        let (_listener, addr, _filling) = full_listener().await;
        let timeout = Duration::from_millis(300);
        let started = Instant::now();
        let error = connect(&Target::from(addr), Some(timeout))
            .await
            .unwrap_err();
        assert!(started.elapsed() >= timeout);
        assert!(
            matches!(&error, DialError::Timeout { timeout: t, .. } if *t == timeout),
            "{error:?}"
        );
        let status = error.status();
        assert_eq!(status.code(), code::DIAL_FAILED);
        assert!(status.cause().unwrap().contains("timed out"));
    })
    .await;
}
