//! The proxy over TCP with three peers: client → front (the proxy) → back.

mod support;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use support::{connect, dialed, serve, shut_down, within};
use telerpc_codec::{id, Raw};
use telerpc_peer::{NetAddr, Peer, PeerConfig};
use telerpc_plugin::proxy::Proxy;
use telerpc_router::{CallCtx, PushCtx, Router, REAL_IP_META_KEY};
use telerpc_session::Session;
use telerpc_socket::{code, Message, Status};
use tokio::sync::mpsc;

/// A push the back received: its service method, meta and body.
type Pushed = (String, Vec<(String, String)>, u8, Vec<u8>);

/// The back's router: `/echo` answers the body as it came, telling in reply meta what it saw;
/// `/fail` answers an error with reply meta; `/deadline` tells how long the caller gives it;
/// PUSHes to `/note` go to `pushes`.
fn back_router(pushes: mpsc::UnboundedSender<Pushed>) -> Router {
    Router::new()
        .call("/echo", |ctx: CallCtx, body: Raw| async move {
            ctx.set_reply_meta("saw-service-method", ctx.service_method());
            ctx.set_reply_meta("saw-meta", ctx.meta().to_query());
            ctx.set_reply_meta("saw-codec", ctx.body_codec().to_string());
            let real_ips: Vec<&str> = ctx.meta().get_all(REAL_IP_META_KEY).collect();
            ctx.set_reply_meta("saw-real-ips", real_ips.join(","));
            Ok::<_, Status>(body)
        })
        .call("/fail", |ctx: CallCtx, _: Raw| async move {
            ctx.set_reply_meta("why", "because");
            Err::<Raw, _>(Status::new(418, "I'm a teapot").with_cause("short and stout"))
        })
        .call("/deadline", |ctx: CallCtx, _: Raw| async move {
            let left = ctx
                .deadline()
                .map(|deadline| deadline.saturating_duration_since(tokio::time::Instant::now()));
            Ok::<_, Status>(left.map(|left| left.as_millis() as u64))
        })
        .push("/note", move |ctx: PushCtx, body: Raw| {
            let pushes = pushes.clone();
            async move {
                let meta = ctx
                    .meta()
                    .iter()
                    .map(|(k, v)| (k.to_owned(), v.to_owned()))
                    .collect();
                let _ = pushes.send((
                    ctx.service_method().to_owned(),
                    meta,
                    ctx.body_codec(),
                    body.0.to_vec(),
                ));
                Ok(())
            }
        })
}

/// The three peers, and the client's session to the front.
struct Chain {
    back: Peer,
    front: Peer,
    client: Peer,
    session: Session,
    pushes: mpsc::UnboundedReceiver<Pushed>,
}

impl Chain {
    /// Back, front (proxying everything to the back over one session) and client.
    async fn start() -> Self {
        let (sender, pushes) = mpsc::unbounded_channel();
        let (back, back_addr) = serve(back_router(sender), vec![]).await;
        let to_back: Arc<OnceLock<Session>> = Arc::new(OnceLock::new());
        let cell = Arc::clone(&to_back);
        let proxy = Proxy::new(move |_ctx| cell.get().cloned());
        let front_router = proxy.install(
            Router::new().call("/front/ping", |_ctx: CallCtx, _: ()| async {
                Ok::<_, Status>("pong")
            }),
        );
        let (front, front_addr) = serve(front_router, vec![]).await;
        let session = front.dial(back_addr).await.expect("front dials back");
        to_back.set(session).expect("set once");
        let (client, session) = connect(front_addr).await;
        Self {
            back,
            front,
            client,
            session,
            pushes,
        }
    }

    async fn shutdown(self) {
        shut_down(&[&self.client, &self.front, &self.back]).await;
    }
}

#[tokio::test]
async fn a_call_is_forwarded_with_body_meta_and_query_intact_and_real_ip_added() {
    within(async {
        let chain = Chain::start().await;
        let body: &[u8] = b"\x00\xffnot json at all";
        let reply: Message = chain
            .session
            .call_raw("/echo?x=1&y=two", &Raw(body.into()))
            .codec(id::PLAIN)
            .meta("trace-id", "7")
            .meta("trace-id", "8")
            .await
            .expect("the back answers through the front");
        assert_eq!(&reply.body[..], body);
        assert_eq!(reply.body_codec, id::PLAIN);
        let meta = &reply.meta;
        assert_eq!(meta.get("saw-service-method"), Some("/echo?x=1&y=two"));
        assert_eq!(meta.get("saw-codec"), Some(id::PLAIN.to_string().as_str()));
        assert_eq!(meta.get("saw-real-ips"), Some("127.0.0.1"));
        let saw_meta = meta.get("saw-meta").unwrap_or_default();
        assert!(saw_meta.contains("trace-id=7&trace-id=8"), "{saw_meta}");

        let pong: String = chain
            .session
            .call("/front/ping", &())
            .await
            .expect("local route");
        assert_eq!(pong, "pong");
        chain.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn an_x_real_ip_already_there_is_kept() {
    within(async {
        let chain = Chain::start().await;
        let reply: Message = chain
            .session
            .call_raw("/echo", &Raw("{}".into()))
            .meta(REAL_IP_META_KEY, "10.1.2.3")
            .await
            .expect("forwarded");
        assert_eq!(reply.meta.get("saw-real-ips"), Some("10.1.2.3"));
        chain.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn error_statuses_and_their_reply_meta_are_relayed() {
    within(async {
        let chain = Chain::start().await;
        let reply: Message = chain
            .session
            .call_raw("/fail", &Raw("{}".into()))
            .whole()
            .await
            .expect("a reply came");
        let status = reply.status.expect("an error status");
        assert_eq!(status.code(), 418);
        assert_eq!(status.message(), "I'm a teapot");
        assert_eq!(status.cause(), Some("short and stout"));
        assert_eq!(reply.meta.get("why"), Some("because"));

        let missing = chain
            .session
            .call::<String, _>("/nobody/home", "x")
            .await
            .expect_err("unknown to the back too");
        assert_eq!(missing.code(), code::NOT_FOUND);
        chain.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn the_callers_deadline_is_carried_upstream() {
    within(async {
        let chain = Chain::start().await;
        let left: Option<u64> = chain
            .session
            .call("/deadline", &())
            .timeout(Duration::from_secs(3))
            .await
            .expect("forwarded");
        let left = left.expect("the back saw a deadline");
        assert!((1_000..=3_000).contains(&left), "{left} ms left");
        chain.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_push_is_forwarded_with_body_and_meta_intact() {
    within(async {
        let mut chain = Chain::start().await;
        chain
            .session
            .push("/note?k=v", &Raw("\"hello\"".into()))
            .meta("who", "client")
            .await
            .expect("queued");
        let (service_method, meta, codec, body) =
            chain.pushes.recv().await.expect("the back got the push");
        assert_eq!(service_method, "/note?k=v");
        assert_eq!(codec, id::JSON);
        assert_eq!(body, b"\"hello\"");
        assert!(
            meta.contains(&("who".to_owned(), "client".to_owned())),
            "{meta:?}"
        );
        assert!(
            meta.contains(&(REAL_IP_META_KEY.to_owned(), "127.0.0.1".to_owned())),
            "{meta:?}"
        );
        chain.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_back_that_went_down_is_bad_gateway() {
    within(async {
        let chain = Chain::start().await;
        shut_down(&[&chain.back]).await;
        // The front's session to the back notices the connection closed.
        let status = loop {
            match chain.session.call::<String, _>("/echo", "x").await {
                Err(status) if status.code() == code::BAD_GATEWAY => break status,
                other => {
                    assert!(other.is_ok(), "{other:?}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        let cause = status.cause().unwrap_or_default();
        assert!(cause.starts_with("proxy: the upstream failed"), "{cause}");
        shut_down(&[&chain.client, &chain.front]).await;
    })
    .await;
}

#[tokio::test]
async fn no_upstream_is_bad_gateway() {
    within(async {
        let proxy = Proxy::new(|_ctx| None);
        let (front, client, session) = dialed(proxy.install(Router::new()), vec![]).await;
        let status = session
            .call::<String, _>("/anything", "x")
            .await
            .expect_err("no upstream");
        assert_eq!(status.code(), code::BAD_GATEWAY);
        assert_eq!(status.cause(), Some("proxy: no upstream for /anything"));
        shut_down(&[&client, &front]).await;
    })
    .await;
}

#[tokio::test]
async fn an_upstream_dialed_per_message_that_cannot_be_dialed_is_bad_gateway() {
    within(async {
        // A port that was free a moment ago: nothing listens there.
        let dead = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("addr").to_string()
        };
        let dialer = Peer::new(PeerConfig::default());
        let proxy = Proxy::with_upstream(move |_ctx| {
            let dialer = dialer.clone();
            let dead = dead.clone();
            async move { dialer.dial(NetAddr::tcp(dead)).await }
        });
        let (front, client, session) = dialed(proxy.install(Router::new()), vec![]).await;
        let status = session
            .call::<String, _>("/anything", "x")
            .await
            .expect_err("the upstream cannot be dialed");
        assert_eq!(status.code(), code::BAD_GATEWAY, "{status}");
        shut_down(&[&client, &front]).await;
    })
    .await;
}

#[tokio::test]
async fn an_async_selector_may_refuse_with_its_own_status() {
    within(async {
        let proxy = Proxy::with_upstream(|ctx| {
            let tenant = ctx.meta().get("tenant").map(str::to_owned);
            async move {
                Err::<Session, _>(match tenant {
                    Some(_) => Status::from_code(code::DIAL_FAILED),
                    None => Status::new(403, "Forbidden"),
                })
            }
        });
        let (front, client, session) = dialed(proxy.install(Router::new()), vec![]).await;
        let refused = session
            .call::<String, _>("/x", "x")
            .await
            .expect_err("refused");
        assert_eq!(refused.code(), 403);
        let failed = session
            .call::<String, _>("/x", "x")
            .meta("tenant", "a")
            .await
            .expect_err("no dial");
        assert_eq!(failed.code(), code::BAD_GATEWAY);
        shut_down(&[&client, &front]).await;
    })
    .await;
}
