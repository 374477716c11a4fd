//! The heartbeat over loopback TCP and in-memory pipes: pings on idle sessions only, as eRPC
//! frames them; silent peers closed after twice their rate; live ones kept.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use telerpc_codec::{id, Raw};
use telerpc_peer::{NetAddr, Peer, PeerConfig};
use telerpc_plugin::heartbeat::{Heartbeat, RATE_META_KEY, SERVICE_METHOD};
use telerpc_plugin::Plugin;
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::{Health, Session, SessionConfig};
use telerpc_socket::{Message, MessageType, Proto, RawProto, Socket, Status, DEFAULT_FRAME_LIMIT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;

const RATE: Duration = Duration::from_secs(1);

/// Runs `test` under a time limit.
async fn within<T>(test: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(15), test)
        .await
        .expect("the test timed out")
}

/// Waits until `condition` holds (the caller's time limit bounds the wait).
async fn eventually(condition: impl Fn() -> bool) {
    while !condition() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// Counts the heartbeat PUSHes a session reads; goes before the heartbeat plugin.
#[derive(Default)]
struct CountPings(AtomicUsize);

impl CountPings {
    fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

impl Plugin for CountPings {
    fn name(&self) -> &str {
        "count-pings"
    }

    fn post_read_push_header(&self, _: &Session, push: &mut Message) -> Result<(), Status> {
        if push.service_method == SERVICE_METHOD {
            assert_eq!(push.meta.get(RATE_META_KEY), Some("1"));
            assert!(push.body.is_empty());
            self.0.fetch_add(1, Ordering::SeqCst);
        }
        Ok(())
    }
}

/// A server peer with `plugins`, an echo call and a `/heartbeat` push route counting what
/// reaches it, listening on loopback.
async fn server(plugins: Vec<Arc<dyn Plugin>>) -> (Peer, NetAddr, Arc<AtomicUsize>) {
    let routed = Arc::new(AtomicUsize::new(0));
    let router = Router::new()
        .call("/echo", |_: CallCtx, text: String| async move {
            Ok::<_, Status>(text)
        })
        .push(SERVICE_METHOD, {
            let routed = Arc::clone(&routed);
            move |_: PushCtx, _: Raw| {
                routed.fetch_add(1, Ordering::SeqCst);
                async { Ok::<_, Status>(()) }
            }
        });
    let mut config = PeerConfig::default()
        .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
        .with_handler(Arc::new(router));
    for plugin in plugins {
        config = config.with_plugin(plugin);
    }
    let peer = Peer::new(config);
    let addr = peer.listen().await.expect("listens")[0].clone();
    (peer, addr, routed)
}

/// A client peer that pings at [`RATE`].
fn pinging_client() -> Peer {
    Peer::new(PeerConfig::default().with_plugin(Arc::new(Heartbeat::ping(RATE))))
}

/// A ping as an eRPC peer sends it, announcing `rate`.
fn ping(seq: i32, rate: &str) -> Message {
    let mut push = Message::new(MessageType::Push, seq, SERVICE_METHOD);
    push.meta.append(RATE_META_KEY, rate);
    push.body_codec = id::JSON;
    push
}

/// The rawproto bytes of `message`.
fn frame(message: &Message) -> Vec<u8> {
    let mut out = BytesMut::new();
    RawProto::default()
        .encode(message, DEFAULT_FRAME_LIMIT, &mut out)
        .expect("encodes");
    out.to_vec()
}

/// The one session of `peer`.
fn only_session(peer: &Peer) -> Session {
    let mut found = None;
    peer.hub().range(|session| {
        found = Some(session.clone());
        false
    });
    found.expect("a session")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_gets_erpc_pings_at_the_rate() {
    within(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = NetAddr::tcp(listener.local_addr().unwrap().to_string());
        let client = pinging_client();
        let (dialed, accepted) = tokio::join!(client.dial(addr), listener.accept());
        let session = dialed.unwrap();
        let (mut stream, _) = accepted.unwrap();

        // Read whatever arrives for 3.5 rates, never answering.
        let mut wire = BytesMut::new();
        let until = Instant::now() + RATE * 7 / 2;
        while let Ok(read) = tokio::time::timeout_at(until, stream.read_buf(&mut wire)).await {
            assert!(read.unwrap() > 0, "the pinging side keeps the connection");
        }
        let mut pings = Vec::new();
        while let Some(message) = RawProto::default()
            .decode(&mut wire, DEFAULT_FRAME_LIMIT)
            .unwrap()
        {
            pings.push(message);
        }
        assert!((3..=4).contains(&pings.len()), "{pings:#?}");
        for (n, ping) in pings.iter().enumerate() {
            assert_eq!(ping.mtype, MessageType::Push);
            assert_eq!(ping.seq, n as i32 + 1);
            assert_eq!(ping.service_method, SERVICE_METHOD);
            assert_eq!(ping.meta.iter().collect::<Vec<_>>(), [(RATE_META_KEY, "1")]);
            assert!(ping.is_ok());
            assert_eq!(ping.body_codec, id::JSON);
            assert!(ping.body.is_empty());
        }
        // Exactly eRPC's frame for the first ping.
        assert_eq!(frame(&pings[0]), frame(&ping(1, "1")));
        // A peer that never pings back is not judged: the pinging side does not close.
        assert_eq!(session.health(), Health::Open);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_session_sends_no_pings() {
    within(async {
        let counter = Arc::new(CountPings::default());
        let (_server, addr, _) = server(vec![counter.clone()]).await;
        let client = pinging_client();
        let session = client.dial(addr).await.unwrap();
        let busy_until = Instant::now() + RATE * 5 / 2;
        while Instant::now() < busy_until {
            let echoed: String = session.call("/echo", "busy").await.unwrap();
            assert_eq!(echoed, "busy");
            tokio::time::sleep(RATE / 10).await;
        }
        assert_eq!(counter.count(), 0, "no ping while busy");

        // Once idle, pings come.
        eventually(|| counter.count() >= 1).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_that_falls_silent_without_closing_is_closed_within_twice_its_rate() {
    within(async {
        let (server, addr, _) = server(vec![Arc::new(Heartbeat::ping(RATE))]).await;
        let mut stream = TcpStream::connect(addr.address()).await.unwrap();
        stream.write_all(&frame(&ping(1, "1"))).await.unwrap();
        let sent = Instant::now();
        eventually(|| server.hub().count() == 1).await;
        // The stream is kept open but never read or written again: a half-open peer.
        eventually(|| server.hub().count() == 0).await;
        let silence = sent.elapsed();
        assert!(silence >= RATE * 19 / 10, "closed too early: {silence:?}");
        assert!(silence <= RATE * 7 / 2, "closed too late: {silence:?}");
        drop(stream);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinging_peer_keeps_its_session_alive_and_its_pings_reach_no_router() {
    within(async {
        let counter = Arc::new(CountPings::default());
        let (server, addr, routed) =
            server(vec![counter.clone(), Arc::new(Heartbeat::pong())]).await;
        let client = pinging_client();
        let session = client.dial(addr).await.unwrap();
        eventually(|| server.hub().count() == 1).await;
        let served = only_session(&server);

        tokio::time::sleep(RATE * 9 / 2).await;
        assert_eq!(served.health(), Health::Open);
        assert_eq!(session.health(), Health::Open);
        assert!(counter.count() >= 3, "{} pings", counter.count());
        assert_eq!(routed.load(Ordering::SeqCst), 0, "pings are swallowed");
        let echoed: String = session.call("/echo", "still here").await.unwrap();
        assert_eq!(echoed, "still here");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pong_side_closes_when_pings_stop() {
    within(async {
        let (near, far) = tokio::io::duplex(64 * 1024);
        let config = SessionConfig::default().with_plugin(Arc::new(Heartbeat::pong()));
        let session = Session::builder()
            .config(config)
            .start(Socket::new(near))
            .await
            .unwrap();
        let mut far = Socket::new(far);

        // Pings at 0.7 of the rate keep the session for well over twice the rate.
        for seq in 1..=4 {
            far.send(&ping(seq, "1")).await.unwrap();
            tokio::time::sleep(RATE * 7 / 10).await;
            assert_eq!(session.health(), Health::Open);
        }
        far.send(&ping(5, "1")).await.unwrap();
        let last = Instant::now();
        // `far` is held but never polled again.
        session.closed().await;
        let silence = last.elapsed();
        assert!(silence >= RATE * 19 / 10, "closed too early: {silence:?}");
        assert!(silence <= RATE * 7 / 2, "closed too late: {silence:?}");
        drop(far);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pong_never_judges_a_peer_without_a_valid_rate() {
    within(async {
        let (near, far) = tokio::io::duplex(64 * 1024);
        let config = SessionConfig::default().with_plugin(Arc::new(Heartbeat::pong()));
        let session = Session::builder()
            .config(config)
            .start(Socket::new(near))
            .await
            .unwrap();
        let mut far = Socket::new(far);
        far.send(&ping(1, "soon")).await.unwrap();
        far.send(&ping(2, "")).await.unwrap();
        tokio::time::sleep(RATE * 5 / 2).await;
        assert_eq!(session.health(), Health::Open);
        drop(far);
        session.closed().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extreme_rates_neither_panic_nor_misbehave() {
    within(async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let lazy = Session::builder()
            .config(SessionConfig::default().with_plugin(Arc::new(Heartbeat::ping(Duration::MAX))))
            .start(Socket::new(a))
            .await
            .unwrap();
        let eager = Session::builder()
            .config(SessionConfig::default().with_plugin(Arc::new(Heartbeat::ping(Duration::ZERO))))
            .start(Socket::new(b))
            .await
            .unwrap();
        tokio::time::sleep(RATE * 5 / 2).await;
        // The eager side pings every second (its rate rounded up); the lazy side, at 68 years,
        // never does, yet both stay open: each hears what it needs.
        assert!(lazy.stats().messages_in >= 2, "{:?}", lazy.stats());
        assert_eq!(eager.stats().messages_in, 0);
        assert_eq!(lazy.health(), Health::Open);
        assert_eq!(eager.health(), Health::Open);

        // A peer announcing an absurd rate is judged by the longest one: never, here.
        let (near, far) = tokio::io::duplex(64 * 1024);
        let pong = Session::builder()
            .config(SessionConfig::default().with_plugin(Arc::new(Heartbeat::pong())))
            .start(Socket::new(near))
            .await
            .unwrap();
        let mut far = Socket::new(far);
        far.send(&ping(1, "99999999999999999999999999"))
            .await
            .unwrap();
        tokio::time::sleep(RATE * 5 / 2).await;
        assert_eq!(pong.health(), Health::Open);
        drop(far);
        pong.closed().await;
    })
    .await;
}
