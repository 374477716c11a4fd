//! The heartbeat over loopback TCP and in-memory pipes: pings on idle sessions only, as eRPC
//! frames them; silent peers closed after twice their rate; live ones kept.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use support::{bare_listener, dial_bare, eventually, frame, send_frame, serve, within_for};
use telerpc_codec::{id, Raw};
use telerpc_peer::{NetAddr, Peer, PeerConfig};
use telerpc_plugin::heartbeat::{Heartbeat, RATE_META_KEY, SERVICE_METHOD};
use telerpc_plugin::Plugin;
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::{Health, Session, SessionConfig};
use telerpc_socket::{Message, MessageType, Proto, RawProto, Socket, Status, DEFAULT_FRAME_LIMIT};
use tokio::io::{AsyncReadExt, DuplexStream, ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::time::Instant;

const RATE: Duration = Duration::from_secs(1);

/// Each test waits several rates, and ends within this.
const LIMIT: Duration = Duration::from_secs(15);

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
    let (peer, addr) = serve(router, plugins).await;
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

/// Asserts that a peer falling silent was closed `silence` after its last ping: twice its
/// rate, give or take the timer's slack.
fn assert_closed_in_time(silence: Duration) {
    assert!(silence >= RATE * 19 / 10, "closed too early: {silence:?}");
    assert!(silence <= RATE * 7 / 2, "closed too late: {silence:?}");
}

/// One end of an in-memory pipe, as a socket.
type PipeEnd = Socket<ReadHalf<DuplexStream>, WriteHalf<DuplexStream>>;

/// A session over `io` whose only plugin is `heartbeat`.
async fn heartbeat_session(heartbeat: Heartbeat, io: DuplexStream) -> Session {
    Session::builder()
        .config(SessionConfig::default().with_plugin(Arc::new(heartbeat)))
        .start(Socket::new(io))
        .await
        .expect("the session starts")
}

/// A session answering pings over an in-memory pipe, and the pipe's far end.
async fn pong_session() -> (Session, PipeEnd) {
    let (near, far) = tokio::io::duplex(64 * 1024);
    let session = heartbeat_session(Heartbeat::pong(), near).await;
    (session, Socket::new(far))
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
    within_for(LIMIT, async {
        let client = pinging_client();
        let (dialing, mut stream) = dial_bare(&client, &bare_listener().await).await;
        let session = dialing.await.unwrap().unwrap();

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
    within_for(LIMIT, async {
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
    within_for(LIMIT, async {
        let (server, addr, _) = server(vec![Arc::new(Heartbeat::ping(RATE))]).await;
        let mut stream = TcpStream::connect(addr.address()).await.unwrap();
        send_frame(&mut stream, &ping(1, "1")).await;
        let sent = Instant::now();
        eventually(|| server.hub().count() == 1).await;
        // The stream is kept open but never read or written again: a half-open peer.
        eventually(|| server.hub().count() == 0).await;
        assert_closed_in_time(sent.elapsed());
        drop(stream);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pinging_peer_keeps_its_session_alive_and_its_pings_reach_no_router() {
    within_for(LIMIT, async {
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
    within_for(LIMIT, async {
        let (session, mut far) = pong_session().await;

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
        assert_closed_in_time(last.elapsed());
        drop(far);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pong_never_judges_a_peer_without_a_valid_rate() {
    within_for(LIMIT, async {
        let (session, mut far) = pong_session().await;
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
    within_for(LIMIT, async {
        let (a, b) = tokio::io::duplex(64 * 1024);
        let lazy = heartbeat_session(Heartbeat::ping(Duration::MAX), a).await;
        let eager = heartbeat_session(Heartbeat::ping(Duration::ZERO), b).await;
        tokio::time::sleep(RATE * 5 / 2).await;
        // The eager side pings every second (its rate rounded up); the lazy side, at 68 years,
        // never does, yet both stay open: each hears what it needs.
        assert!(lazy.stats().messages_in >= 2, "{:?}", lazy.stats());
        assert_eq!(eager.stats().messages_in, 0);
        assert_eq!(lazy.health(), Health::Open);
        assert_eq!(eager.health(), Health::Open);

        // A peer announcing an absurd rate is judged by the longest one: never, here.
        let (pong, mut far) = pong_session().await;
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
