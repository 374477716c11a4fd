//! The overloader over real TCP connections: the connection limit (slots freed when a
//! session ends, and never leaked by a connection something else refuses), the total rate and
//! the per-handler rates, on a peer and on a router.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use support::{connect, eventually, listening, serve, shut_down, within};
use telerpc_peer::{Peer, PeerConfig};
use telerpc_plugin::overloader::{Overloader, OVERLOADED, OVERLOADED_MESSAGE};
use telerpc_plugin::{Plugin, PreSession};
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::{BoxFuture, EventListener, Session};
use telerpc_socket::{code, Status};
use tokio::time::{sleep, Instant};

async fn echo(_ctx: CallCtx, n: i64) -> Result<i64, Status> {
    Ok(n)
}

/// A router with the routes `/echo`, `/slow` and `/fast`, all echoing.
fn echo_router() -> Router {
    Router::new()
        .call("/echo", echo)
        .call("/slow", echo)
        .call("/fast", echo)
}

/// Whether the server serves `session`: its call is answered, or its connection was closed.
async fn is_served(session: &Session) -> bool {
    match session.call::<i64, _>("/echo", &7).await {
        Ok(n) => n == 7,
        Err(status) => {
            assert_eq!(status.code(), code::CONN_CLOSED, "{status}");
            session.closed().await;
            false
        }
    }
}

#[tokio::test]
async fn connections_over_the_limit_are_refused_and_an_ended_one_frees_its_slot() {
    within(async {
        let overloader = Arc::new(Overloader::new().max_connections(2));
        let (server, addr) = serve(echo_router(), vec![overloader.clone()]).await;
        let client = Peer::new(PeerConfig::default());

        let first = client.dial(addr.clone()).await.expect("dials");
        assert!(is_served(&first).await);
        let second = client.dial(addr.clone()).await.expect("dials");
        assert!(is_served(&second).await);
        assert_eq!(overloader.connections(), 2);

        let third = client
            .dial(addr.clone())
            .await
            .expect("the TCP connect succeeds");
        assert!(!is_served(&third).await, "the third connection is refused");
        assert_eq!(overloader.connections(), 2);

        first.close().await;
        eventually(|| overloader.connections() == 1).await;
        let fourth = client.dial(addr.clone()).await.expect("dials");
        assert!(is_served(&fourth).await, "the freed slot is taken again");
        assert!(is_served(&second).await, "the others are untouched");
        assert_eq!(overloader.connections(), 2);

        shut_down(&[&client, &server]).await;
        eventually(|| overloader.connections() == 0).await;
    })
    .await;
}

/// Refuses the first connection in `post_accept` and the first session in `post_open`.
#[derive(Default)]
struct RefuseFirst {
    accepts: AtomicUsize,
    opens: AtomicUsize,
}

impl Plugin for RefuseFirst {
    fn name(&self) -> &str {
        "refuse-first"
    }

    fn post_accept<'a>(
        &'a self,
        _conn: &'a mut PreSession<'_>,
    ) -> BoxFuture<'a, Result<(), Status>> {
        let refused = self.accepts.fetch_add(1, Ordering::AcqRel) == 0;
        Box::pin(std::future::ready(match refused {
            true => Err(Status::new(403, "first accept refused")),
            false => Ok(()),
        }))
    }

    fn post_open(&self, _session: &Session) -> Result<(), Status> {
        match self.opens.fetch_add(1, Ordering::AcqRel) {
            0 => Err(Status::new(403, "first open refused")),
            _ => Ok(()),
        }
    }
}

/// Refuses the second session it is asked to open.
#[derive(Default)]
struct RefuseSecondOpen {
    opens: AtomicUsize,
}

impl EventListener for RefuseSecondOpen {
    fn on_open(&self, _session: &Session) -> Result<(), Status> {
        match self.opens.fetch_add(1, Ordering::AcqRel) {
            1 => Err(Status::new(403, "second on_open refused")),
            _ => Ok(()),
        }
    }
}

#[tokio::test]
async fn connections_refused_by_others_hold_no_slot() {
    within(async {
        let overloader = Arc::new(Overloader::new().max_connections(1));
        let refuser = Arc::new(RefuseFirst::default());
        let (server, addr) = listening(
            PeerConfig::default()
                .with_handler(Arc::new(echo_router()))
                .with_listener(Arc::new(RefuseSecondOpen::default()))
                .with_plugin(overloader.clone())
                .with_plugin(refuser.clone()),
        )
        .await;
        let client = Peer::new(PeerConfig::default());

        // 1: refused by the later plugin's post_accept; 2: taken by the overloader's post_open,
        // then refused by the later plugin's; 3: refused by on_open, before any post_open.
        for refused_by in ["post_accept", "post_open", "on_open"] {
            let session = client.dial(addr.clone()).await.expect("dials");
            assert!(!is_served(&session).await, "refused by {refused_by}");
            eventually(|| overloader.connections() == 0).await;
        }
        assert_eq!(refuser.accepts.load(Ordering::Acquire), 3);
        assert_eq!(refuser.opens.load(Ordering::Acquire), 1);

        // The one slot is free: the next connection is served, the one after refused.
        let served = client.dial(addr.clone()).await.expect("dials");
        assert!(is_served(&served).await, "the slot was not leaked");
        assert_eq!(overloader.connections(), 1);
        let over = client.dial(addr.clone()).await.expect("dials");
        assert!(!is_served(&over).await, "over the limit of one");
        assert!(is_served(&served).await);

        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn a_dial_over_the_limit_fails_locally() {
    within(async {
        let (server, addr) = serve(echo_router(), vec![]).await;
        let overloader = Arc::new(Overloader::new().max_connections(1));
        let client = Peer::new(PeerConfig::default().with_plugin(overloader.clone()));
        let first = client.dial(addr.clone()).await.expect("dials");
        assert!(is_served(&first).await);
        assert_eq!(overloader.connections(), 1, "a dialed session holds a slot");
        let refused = client.dial(addr.clone()).await.expect_err("over the limit");
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        assert!(
            refused
                .to_string()
                .contains("over the connection limit of 1"),
            "{refused}"
        );
        shut_down(&[&client, &server]).await;
    })
    .await;
}

/// Makes `count` calls to `path` one after the other, returning the statuses of the refused
/// ones and how long the calls took.
async fn burst(session: &Session, path: &str, count: usize) -> (Vec<Status>, Duration) {
    let start = Instant::now();
    let mut refused = Vec::new();
    for n in 0..count {
        match session.call::<i64, _>(path, &(n as i64)).await {
            Ok(echoed) => assert_eq!(echoed, n as i64),
            Err(status) => refused.push(status),
        }
    }
    (refused, start.elapsed())
}

/// The most calls a rate of `qps` per second lets through in `elapsed`: its burst, plus one
/// token per `1/qps` second.
fn allowed(qps: u32, elapsed: Duration) -> usize {
    qps as usize + (elapsed.as_secs_f64() * f64::from(qps)).ceil() as usize
}

#[tokio::test]
async fn calls_over_the_total_rate_are_refused_with_429() {
    within(async {
        let (server, addr) =
            serve(echo_router(), vec![Arc::new(Overloader::new().max_qps(4))]).await;
        let (client, session) = connect(addr).await;

        let (refused, elapsed) = burst(&session, "/echo", 20).await;
        let served = 20 - refused.len();
        assert!(served >= 4, "the burst of 4 is served: {served}");
        assert!(served <= allowed(4, elapsed), "{served} in {elapsed:?}");
        assert!(!refused.is_empty());
        for status in &refused {
            assert_eq!(status.code(), OVERLOADED);
            assert_eq!(status.message(), OVERLOADED_MESSAGE);
            assert_eq!(
                status.cause(),
                Some("over the total rate limit of 4/s for calls and pushes")
            );
        }

        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn calls_under_the_rate_are_all_served() {
    within(async {
        let overloader = Overloader::new()
            .max_connections(10)
            .max_qps(1_000)
            .max_handler_qps("/slow", 500);
        let (server, addr) = serve(echo_router(), vec![Arc::new(overloader)]).await;
        let (client, session) = connect(addr).await;
        let (refused, _) = burst(&session, "/echo", 100).await;
        assert!(refused.is_empty(), "{refused:?}");
        let (refused, _) = burst(&session, "/slow", 100).await;
        assert!(refused.is_empty(), "{refused:?}");
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn a_handler_limit_applies_to_its_route_only() {
    within(async {
        // On the router this time: its read hooks see only its own routes' messages.
        let router = echo_router().plugin(Arc::new(Overloader::new().max_handler_qps("/slow", 2)));
        let (server, addr) = serve(router, vec![]).await;
        let (client, session) = connect(addr).await;

        let (refused, elapsed) = burst(&session, "/slow?attempt=1", 10).await;
        let served = 10 - refused.len();
        assert!(
            (2..=allowed(2, elapsed)).contains(&served),
            "{served} in {elapsed:?}"
        );
        for status in &refused {
            assert_eq!(status.code(), OVERLOADED);
            assert_eq!(
                status.cause(),
                Some(r#"over the rate limit of 2/s for calls and pushes to "/slow""#)
            );
        }
        let (refused, _) = burst(&session, "/fast", 50).await;
        assert!(
            refused.is_empty(),
            "another route is not limited: {refused:?}"
        );

        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn pushes_over_a_rate_are_dropped() {
    within(async {
        let heard = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&heard);
        let router = echo_router()
            .push("/chat/say", move |_ctx: PushCtx, _text: String| {
                let counter = Arc::clone(&counter);
                async move {
                    counter.fetch_add(1, Ordering::AcqRel);
                    Ok::<_, Status>(())
                }
            })
            .plugin(Arc::new(Overloader::new().max_handler_qps("/chat/say", 1)));
        let (server, addr) = serve(router, vec![]).await;
        let (client, session) = connect(addr).await;

        let start = Instant::now();
        for _ in 0..5 {
            session.push("/chat/say", "hi").await.expect("pushed");
        }
        // A call read after the pushes: once it is answered, every push has been judged.
        assert!(is_served(&session).await);
        eventually(|| heard.load(Ordering::Acquire) >= 1).await;
        sleep(Duration::from_millis(50)).await;
        let limit = allowed(1, start.elapsed());
        let handled = heard.load(Ordering::Acquire);
        assert!(
            (1..=limit.min(4)).contains(&handled),
            "{handled} pushes handled"
        );

        shut_down(&[&client, &server]).await;
    })
    .await;
}
