//! The hook points of `Plugin` over TCP between two peers: which hooks run, in which order,
//! on which side, and what a refusal at each one does.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{serve, shut_down, within};
use telerpc_peer::{NetAddr, Peer, PeerConfig, PeerError};
use telerpc_plugin::{Plugin, PreSession};
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::{BoxFuture, Session};
use telerpc_socket::{code, Message, Status};
use tokio::sync::mpsc;

/// The code every refusal in these tests answers with.
const REFUSED: i32 = 499;

/// What the probes saw, in order.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, entry: String) {
        self.0.lock().unwrap().push(entry);
    }

    fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }

    fn hooks(&self) -> Vec<String> {
        self.entries()
            .into_iter()
            .map(|entry| entry.split(' ').next().unwrap_or_default().to_owned())
            .collect()
    }

    async fn until_it_holds(&self, entry: &str) {
        while !self.hooks().iter().any(|hook| hook == entry) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// Records every hook it sees as `tag:hook service_method` (or `tag:hook` for connection
/// hooks), and refuses with [`REFUSED`] at one hook, if told to: a message hook only when the
/// message's service method is `/refused` (or, for a REPLY, always).
struct Probe {
    tag: &'static str,
    log: Log,
    refuse_at: Option<&'static str>,
}

impl Probe {
    fn new(tag: &'static str, log: &Log) -> Self {
        Self {
            tag,
            log: log.clone(),
            refuse_at: None,
        }
    }

    fn refusing_at(tag: &'static str, log: &Log, hook: &'static str) -> Self {
        Self {
            refuse_at: Some(hook),
            ..Self::new(tag, log)
        }
    }

    fn tagged(&self, hook: &str) -> String {
        if self.tag.is_empty() {
            hook.to_owned()
        } else {
            format!("{}:{hook}", self.tag)
        }
    }

    fn connection(&self, hook: &'static str) -> Result<(), Status> {
        self.log.push(self.tagged(hook));
        self.verdict(hook, true)
    }

    fn message(&self, hook: &'static str, message: &Message) -> Result<(), Status> {
        self.log
            .push(format!("{} {}", self.tagged(hook), message.service_method));
        let reply = hook.contains("reply");
        self.verdict(hook, reply || message.service_method == "/refused")
    }

    fn verdict(&self, hook: &'static str, applies: bool) -> Result<(), Status> {
        match self.refuse_at {
            Some(refused) if refused == hook && applies => {
                Err(Status::new(REFUSED, format!("refused at {hook}")))
            }
            _ => Ok(()),
        }
    }
}

impl Plugin for Probe {
    fn name(&self) -> &str {
        self.tag
    }

    fn post_listen(&self, _addr: &str) -> Result<(), Status> {
        self.connection("post_listen")
    }

    fn post_dial<'a>(&'a self, _: &'a mut PreSession<'_>) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(std::future::ready(self.connection("post_dial")))
    }

    fn post_accept<'a>(&'a self, _: &'a mut PreSession<'_>) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(std::future::ready(self.connection("post_accept")))
    }

    fn post_open(&self, _: &Session) -> Result<(), Status> {
        self.connection("post_open")
    }

    fn pre_write_call(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        self.message("pre_write_call", call)
    }

    fn post_write_call(&self, _: &Session, call: &Message) -> Result<(), Status> {
        self.message("post_write_call", call)
    }

    fn pre_write_push(&self, _: &Session, push: &mut Message) -> Result<(), Status> {
        self.message("pre_write_push", push)
    }

    fn post_write_push(&self, _: &Session, push: &Message) -> Result<(), Status> {
        self.message("post_write_push", push)
    }

    fn pre_write_reply(&self, _: &Session, reply: &mut Message) -> Result<(), Status> {
        self.message("pre_write_reply", reply)
    }

    fn post_write_reply(&self, _: &Session, reply: &Message) -> Result<(), Status> {
        self.message("post_write_reply", reply)
    }

    fn post_read_call_header(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        self.message("post_read_call_header", call)
    }

    fn post_read_call_body(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        self.message("post_read_call_body", call)
    }

    fn post_read_push_header(&self, _: &Session, push: &mut Message) -> Result<(), Status> {
        self.message("post_read_push_header", push)
    }

    fn post_read_push_body(&self, _: &Session, push: &mut Message) -> Result<(), Status> {
        self.message("post_read_push_body", push)
    }

    fn post_read_reply_header(&self, _: &Session, reply: &mut Message) -> Result<(), Status> {
        self.message("post_read_reply_header", reply)
    }

    fn post_read_reply_body(&self, _: &Session, reply: &mut Message) -> Result<(), Status> {
        self.message("post_read_reply_body", reply)
    }

    fn post_disconnect(&self, _: &Session) {
        self.log.push(self.tagged("post_disconnect"));
    }
}

/// Renames every route to its upper-case form.
struct Upper;

impl Plugin for Upper {
    fn name(&self) -> &str {
        "upper"
    }

    fn post_reg(&self, service_method: &mut String) -> Result<(), Status> {
        *service_method = service_method.to_uppercase();
        Ok(())
    }
}

/// The handlers every server serves: `/echo`, `/refused` and `/g/x` (calls) and `/note`,
/// `/refused` (pushes, told to `notes`); `ran` counts the handlers run.
struct Handlers {
    ran: Arc<AtomicUsize>,
    notes: mpsc::UnboundedSender<String>,
}

impl Handlers {
    fn new() -> (Self, mpsc::UnboundedReceiver<String>) {
        let (notes, heard) = mpsc::unbounded_channel();
        let ran = Arc::default();
        (Self { ran, notes }, heard)
    }

    fn ran(&self) -> usize {
        self.ran.load(Ordering::SeqCst)
    }

    fn router(&self) -> Router {
        self.routes(Router::new())
    }

    fn routes(&self, router: Router) -> Router {
        let call = |ran: Arc<AtomicUsize>| {
            move |_ctx: CallCtx, text: String| {
                ran.fetch_add(1, Ordering::SeqCst);
                async move { Ok::<_, Status>(text) }
            }
        };
        let push = |ran: Arc<AtomicUsize>, notes: mpsc::UnboundedSender<String>| {
            move |ctx: PushCtx, text: String| {
                ran.fetch_add(1, Ordering::SeqCst);
                let _ = notes.send(format!("{} {text}", ctx.path()));
                async { Ok::<_, Status>(()) }
            }
        };
        router
            .call("/echo", call(Arc::clone(&self.ran)))
            .call("/refused", call(Arc::clone(&self.ran)))
            .push("/note", push(Arc::clone(&self.ran), self.notes.clone()))
            .push("/refused", push(Arc::clone(&self.ran), self.notes.clone()))
    }
}

/// A listening server peer with `plugin` (if any) and `router`.
async fn server(plugin: Option<Probe>, router: Router) -> (Peer, NetAddr) {
    let plugins = plugin.map(|plugin| Arc::new(plugin) as Arc<dyn Plugin>);
    serve(router, plugins.into_iter().collect()).await
}

/// A client peer with `plugin` (if any) and a router of its own.
fn client(plugin: Option<Probe>) -> Peer {
    let mut config = PeerConfig::default().with_handler(Arc::new(Router::new()));
    if let Some(plugin) = plugin {
        config = config.with_plugin(Arc::new(plugin));
    }
    Peer::new(config)
}

/// A server with `server_probe` (if any) serving `router`, a client with `client_probe` (if
/// any), and the client's session to the server.
async fn probed(
    server_probe: Option<Probe>,
    router: Router,
    client_probe: Option<Probe>,
) -> (Peer, Peer, Session) {
    let (server, addr) = server(server_probe, router).await;
    let client = client(client_probe);
    let session = client.dial(addr).await.expect("dials");
    (server, client, session)
}

async fn echo(session: &Session, service_method: &str) -> Result<String, Status> {
    session.call(service_method, "hi").await
}

#[tokio::test(flavor = "current_thread")]
async fn every_hook_runs_in_order_on_both_sides() {
    within(async {
        let (client_log, server_log) = (Log::default(), Log::default());
        let (handlers, mut notes) = Handlers::new();
        let (server, client, session) = probed(
            Some(Probe::new("", &server_log)),
            handlers.router(),
            Some(Probe::new("", &client_log)),
        )
        .await;
        assert_eq!(echo(&session, "/echo").await.expect("echoes"), "hi");
        session.push("/note", "n").await.expect("pushes");
        assert_eq!(notes.recv().await.as_deref(), Some("/note n"));
        shut_down(&[&client]).await;
        server_log.until_it_holds("post_disconnect").await;
        shut_down(&[&server]).await;

        // A REPLY names no service method (spec: empty in REPLY frames).
        assert_eq!(
            client_log.entries(),
            [
                "post_dial",
                "post_open",
                "pre_write_call /echo",
                "post_write_call /echo",
                "post_read_reply_header ",
                "post_read_reply_body ",
                "pre_write_push /note",
                "post_write_push /note",
                "post_disconnect",
            ]
        );
        assert_eq!(
            server_log.entries(),
            [
                "post_listen",
                "post_accept",
                "post_open",
                "post_read_call_header /echo",
                "post_read_call_body /echo",
                "pre_write_reply ",
                "post_write_reply ",
                "post_read_push_header /note",
                "post_read_push_body /note",
                "post_disconnect",
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_pre_write_call_fails_the_call_and_sends_nothing() {
    within(async {
        let (client_log, server_log) = (Log::default(), Log::default());
        let (handlers, _notes) = Handlers::new();
        let (server, client, session) = probed(
            Some(Probe::new("", &server_log)),
            handlers.router(),
            Some(Probe::refusing_at("", &client_log, "pre_write_call")),
        )
        .await;
        let refused = echo(&session, "/refused").await.unwrap_err();
        assert_eq!(refused.code(), REFUSED);
        assert_eq!(refused.message(), "refused at pre_write_call");
        // The next call goes through: the refused one never reached the server before it.
        assert_eq!(echo(&session, "/echo").await.expect("echoes"), "hi");
        let reached: Vec<String> = server_log
            .entries()
            .into_iter()
            .filter(|entry| entry.starts_with("post_read_call"))
            .collect();
        assert_eq!(
            reached,
            ["post_read_call_header /echo", "post_read_call_body /echo"]
        );
        assert_eq!(handlers.ran(), 1);
        assert!(!client_log
            .entries()
            .contains(&"post_write_call /refused".to_owned()));
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_post_read_call_header_answers_the_call_without_its_handler() {
    within(async {
        let server_log = Log::default();
        let (handlers, _notes) = Handlers::new();
        let probe = Probe::refusing_at("", &server_log, "post_read_call_header");
        let (server, client, session) = probed(Some(probe), handlers.router(), None).await;
        let refused = echo(&session, "/refused").await.unwrap_err();
        assert_eq!(refused.code(), REFUSED);
        assert_eq!(refused.message(), "refused at post_read_call_header");
        assert_eq!(handlers.ran(), 0, "the handler never ran");
        assert!(!server_log
            .hooks()
            .contains(&"post_read_call_body".to_owned()));
        assert_eq!(echo(&session, "/echo").await.expect("echoes"), "hi");
        assert_eq!(handlers.ran(), 1);
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_post_read_push_header_drops_the_push() {
    within(async {
        let server_log = Log::default();
        let (handlers, mut notes) = Handlers::new();
        let probe = Probe::refusing_at("", &server_log, "post_read_push_header");
        let (server, client, session) = probed(Some(probe), handlers.router(), None).await;
        session.push("/refused", "dropped").await.expect("sent");
        session.push("/note", "kept").await.expect("sent");
        // Pushes are handled in order of arrival: the first note heard is the second push.
        assert_eq!(notes.recv().await.as_deref(), Some("/note kept"));
        assert_eq!(handlers.ran(), 1);
        assert!(server_log
            .entries()
            .contains(&"post_read_push_header /refused".to_owned()));
        assert!(!server_log
            .entries()
            .contains(&"post_read_push_body /refused".to_owned()));
        shut_down(&[&client, &server]).await;
        assert!(
            notes.try_recv().is_err(),
            "the refused push was never handled"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_pre_write_reply_is_the_reply() {
    within(async {
        let server_log = Log::default();
        let (handlers, _notes) = Handlers::new();
        let probe = Probe::refusing_at("", &server_log, "pre_write_reply");
        let (server, client, session) = probed(Some(probe), handlers.router(), None).await;
        let refused = echo(&session, "/echo").await.unwrap_err();
        assert_eq!(refused.code(), REFUSED);
        assert_eq!(refused.message(), "refused at pre_write_reply");
        assert_eq!(handlers.ran(), 1, "the handler ran; its reply was replaced");
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_post_read_reply_header_fails_the_call() {
    within(async {
        let client_log = Log::default();
        let (handlers, _notes) = Handlers::new();
        let probe = Probe::refusing_at("", &client_log, "post_read_reply_header");
        let (server, client, session) = probed(None, handlers.router(), Some(probe)).await;
        let refused = echo(&session, "/echo").await.unwrap_err();
        assert_eq!(refused.code(), REFUSED);
        assert_eq!(refused.message(), "refused at post_read_reply_header");
        assert_eq!(handlers.ran(), 1);
        assert!(!client_log
            .hooks()
            .contains(&"post_read_reply_body".to_owned()));
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_post_accept_closes_the_connection() {
    within(async {
        let server_log = Log::default();
        let (handlers, _notes) = Handlers::new();
        let probe = Probe::refusing_at("", &server_log, "post_accept");
        // The TCP connection is made before the server's hook runs, so the dial itself
        // succeeds; the server then closes the connection and the session ends.
        let (server, client, session) = probed(Some(probe), handlers.router(), None).await;
        let failed = echo(&session, "/echo").await.unwrap_err();
        assert_eq!(failed.code(), code::CONN_CLOSED, "{failed}");
        assert_eq!(handlers.ran(), 0);
        assert_eq!(server.hub().count(), 0);
        assert!(!server_log.hooks().contains(&"post_open".to_owned()));
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_post_dial_fails_the_dial_with_105() {
    within(async {
        let (client_log, server_log) = (Log::default(), Log::default());
        let (handlers, _notes) = Handlers::new();
        let (server, addr) = server(Some(Probe::new("", &server_log)), handlers.router()).await;
        let client = client(Some(Probe::refusing_at("", &client_log, "post_dial")));
        let refused = client.dial(addr).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        assert!(
            format!("{refused}").contains("refused at post_dial"),
            "the refusal is the cause: {refused}"
        );
        assert_eq!(client.hub().count(), 0);
        assert!(!client_log.hooks().contains(&"post_open".to_owned()));
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_at_post_listen_fails_the_listen() {
    within(async {
        let log = Log::default();
        let peer = Peer::new(
            PeerConfig::default()
                .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
                .with_plugin(Arc::new(Probe::refusing_at("", &log, "post_listen"))),
        );
        match peer.listen().await {
            Err(PeerError::Refused { addr, status }) => {
                assert_eq!(addr, NetAddr::tcp4("127.0.0.1:0"));
                assert_eq!(status.code(), REFUSED);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(peer.listen_addrs().is_empty());
        assert_eq!(log.hooks(), ["post_listen"]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn post_reg_renames_a_route() {
    within(async {
        let (handlers, _notes) = Handlers::new();
        let router = handlers.router().plugin(Arc::new(Upper));
        let mut paths: Vec<&str> = router.call_paths().collect();
        paths.sort_unstable();
        assert_eq!(paths, ["/ECHO", "/REFUSED"]);
        let (server, client, session) = probed(None, router, None).await;
        assert_eq!(echo(&session, "/ECHO").await.expect("renamed"), "hi");
        let old = echo(&session, "/echo").await.unwrap_err();
        assert_eq!(old.code(), code::NOT_FOUND);
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_plugin_sees_only_its_group() {
    within(async {
        let log = Log::default();
        let (handlers, _notes) = Handlers::new();
        let probe = Arc::new(Probe::new("", &log));
        let router = handlers.router().group("/g", |g| {
            g.plugin(probe).call(
                "/x",
                |_: CallCtx, s: String| async move { Ok::<_, Status>(s) },
            )
        });
        let (server, client, session) = probed(None, router, None).await;
        assert_eq!(echo(&session, "/echo").await.expect("outside"), "hi");
        assert_eq!(echo(&session, "/g/x").await.expect("inside"), "hi");
        session.push("/note", "n").await.expect("pushes");
        assert_eq!(echo(&session, "/echo").await.expect("outside"), "hi");
        assert_eq!(
            log.entries(),
            [
                "post_read_call_header /g/x",
                "post_read_call_body /g/x",
                // A REPLY names no service method.
                "pre_write_reply ",
                "post_write_reply ",
            ]
        );
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn peer_router_and_group_plugins_run_outside_in_on_read_and_inside_out_on_reply() {
    within(async {
        let log = Log::default();
        let (handlers, _notes) = Handlers::new();
        let router = handlers
            .router()
            .plugin(Arc::new(Probe::new("router", &log)))
            .group("/g", |g| {
                g.plugin(Arc::new(Probe::new("group", &log))).call(
                    "/x",
                    |_: CallCtx, s: String| async move { Ok::<_, Status>(s) },
                )
            });
        let (server, client, session) = probed(Some(Probe::new("peer", &log)), router, None).await;
        assert_eq!(echo(&session, "/g/x").await.expect("echoes"), "hi");
        shut_down(&[&client]).await;
        log.until_it_holds("peer:post_disconnect").await;
        shut_down(&[&server]).await;
        let hooks: Vec<String> = log
            .hooks()
            .into_iter()
            .filter(|hook| hook.contains("read_call") || hook.contains("write_reply"))
            .collect();
        assert_eq!(
            hooks,
            [
                "peer:post_read_call_header",
                "peer:post_read_call_body",
                "router:post_read_call_header",
                "router:post_read_call_body",
                "group:post_read_call_header",
                "group:post_read_call_body",
                // The router runs its plugins' reply hooks, the group's first, then hands the
                // reply to the session, which runs the peer's.
                "group:pre_write_reply",
                "router:pre_write_reply",
                "group:post_write_reply",
                "router:post_write_reply",
                "peer:pre_write_reply",
                "peer:post_write_reply",
            ]
        );
    })
    .await;
}
