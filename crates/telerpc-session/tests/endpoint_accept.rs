//! The accept loop over real TCP and Unix listeners: real addresses, the connection limit,
//! Unix socket files and shutdown.

mod endpoint_support;

use std::io;

use endpoint_support::{inet, unix_path, within, DEADLINE};
use telerpc_session::endpoint::{connect, AcceptLoop, ConnectionSlot, Listener, Stream, Target};
use telerpc_socket::Address;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};

/// Where a running loop sends each admitted connection with its slot.
type Admitted = mpsc::UnboundedReceiver<(Stream, ConnectionSlot)>;

/// Starts `accept` with a callback that sends every admitted connection, with its slot, to the
/// returned receiver; returns the shutdown sender and the loop's task too.
fn serve(
    accept: AcceptLoop<Listener>,
) -> (
    Admitted,
    watch::Sender<bool>,
    tokio::task::JoinHandle<io::Result<()>>,
) {
    let (admitted, received) = mpsc::unbounded_channel();
    let (stop, shutdown) = watch::channel(false);
    let served = tokio::spawn(accept.run(
        move |stream, slot| {
            let _ = admitted.send((stream, slot));
        },
        shutdown,
    ));
    (received, stop, served)
}

/// Writes `text` on the server side of an accepted TCP stream and reads it on `client`.
async fn assert_alive(server: &mut Stream, client: &mut TcpStream) {
    let Stream::Tcp(server) = server else {
        panic!("not a TCP stream")
    };
    server.write_all(b"ping").await.unwrap();
    let mut buf = [0; 4];
    client.read_exact(&mut buf).await.unwrap();
    assert_eq!(&buf, b"ping");
}

#[tokio::test]
async fn port_zero_reports_the_real_port() {
    within(async {
        let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await.unwrap();
        let addr = inet(listener.local_addr());
        assert_eq!(addr.ip(), std::net::Ipv4Addr::LOCALHOST);
        assert_ne!(addr.port(), 0);

        let (mut received, stop, served) = serve(AcceptLoop::new(listener));
        let client = TcpStream::connect(addr).await.unwrap();
        let (stream, _slot) = received.recv().await.unwrap();
        assert_eq!(
            stream.peer_addr().unwrap(),
            Address::Inet(client.local_addr().unwrap())
        );
        stop.send_replace(true);
        served.await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test]
async fn ipv6_loopback_reports_the_real_port() {
    within(async {
        let listener = match Listener::bind(&Target::tcp("[::1]:0")).await {
            Ok(listener) => listener,
            // A machine without IPv6 loopback has nothing to test here.
            Err(error) if error.kind() == io::ErrorKind::AddrNotAvailable => return,
            Err(error) => panic!("binding [::1]:0: {error}"),
        };
        let addr = inet(listener.local_addr());
        assert!(addr.is_ipv6());
        assert_ne!(addr.port(), 0);
        let (mut received, _stop, _served) = serve(AcceptLoop::new(listener));
        let stream = connect(&Target::from(addr), Some(DEADLINE)).await.unwrap();
        let (accepted, _slot) = received.recv().await.unwrap();
        assert_eq!(accepted.peer_addr().unwrap(), stream.local_addr().unwrap());
    })
    .await;
}

#[tokio::test]
async fn refuses_over_the_limit_until_a_slot_frees() {
    within(async {
        const MAX: usize = 3;
        let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await.unwrap();
        let addr = inet(listener.local_addr());
        let accept = AcceptLoop::new(listener).with_max_connections(MAX);
        let counter = accept.counter();
        let (mut received, stop, served) = serve(accept);

        let mut clients = Vec::new();
        let mut admitted = Vec::new();
        for _ in 0..MAX {
            clients.push(TcpStream::connect(addr).await.unwrap());
            admitted.push(received.recv().await.unwrap());
        }
        assert_eq!(counter.live(), MAX);

        // One more: accepted and closed at once, so the client reads the end of the stream.
        let mut extra = TcpStream::connect(addr).await.unwrap();
        let mut buf = [0; 1];
        assert_eq!(extra.read(&mut buf).await.unwrap(), 0);
        assert_eq!(counter.refused(), 1);
        assert_eq!(counter.live(), MAX);
        assert!(received.try_recv().is_err());

        // The admitted connections are untouched.
        for ((stream, _slot), client) in admitted.iter_mut().zip(&mut clients) {
            assert_alive(stream, client).await;
        }

        // A connection ends and frees its slot: the next one is admitted.
        drop(admitted.pop());
        assert_eq!(counter.live(), MAX - 1);
        let mut late = TcpStream::connect(addr).await.unwrap();
        let (mut stream, _slot) = received.recv().await.unwrap();
        assert_alive(&mut stream, &mut late).await;
        assert_eq!(counter.live(), MAX);
        assert_eq!((counter.admitted(), counter.refused()), (MAX as u64 + 1, 1));

        stop.send_replace(true);
        served.await.unwrap().unwrap();
    })
    .await;
}

#[tokio::test]
async fn serves_a_unix_socket_and_removes_its_file() {
    within(async {
        let path = unix_path("accept");
        let listener = Listener::bind(&Target::unix(&path)).await.unwrap();
        assert_eq!(listener.local_addr(), &Address::Unix(Some(path.clone())));
        assert!(path.exists());

        let (mut received, stop, served) = serve(AcceptLoop::new(listener));
        let mut client = connect(&Target::unix(&path), Some(DEADLINE)).await.unwrap();
        let (accepted, _slot) = received.recv().await.unwrap();
        let Stream::Unix(mut accepted) = accepted else {
            panic!("not a Unix stream")
        };
        accepted.write_all(b"hello").await.unwrap();
        let Stream::Unix(client) = &mut client else {
            panic!("not a Unix stream")
        };
        let mut buf = [0; 5];
        client.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hello");

        stop.send_replace(true);
        served.await.unwrap().unwrap();
        assert!(!path.exists(), "the listener removes its socket file");
    })
    .await;
}

#[tokio::test]
async fn a_used_unix_path_is_not_taken_over() {
    within(async {
        let path = unix_path("taken");
        let first = Listener::bind(&Target::unix(&path)).await.unwrap();
        let second = Listener::bind(&Target::unix(&path)).await;
        assert_eq!(second.unwrap_err().kind(), io::ErrorKind::AddrInUse);
        drop(first);
        assert!(!path.exists());
    })
    .await;
}

#[tokio::test]
async fn shutdown_stops_the_loop_and_closes_the_listener() {
    within(async {
        let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await.unwrap();
        let addr = inet(listener.local_addr());
        let (mut received, stop, served) = serve(AcceptLoop::new(listener));
        let _client = TcpStream::connect(addr).await.unwrap();
        let (_stream, _slot) = received.recv().await.unwrap();

        stop.send_replace(true);
        served.await.unwrap().unwrap();
        let refused = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    })
    .await;
}
