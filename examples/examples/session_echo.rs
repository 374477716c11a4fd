//! An echo server made of the session tier alone, getty style: no router, no peer.
//!
//! The server is an [`Acceptor`] bound on loopback TCP, serving every accepted connection as a
//! [`Session`] with a hand-written [`Handler`] (`Echo`, which answers every CALL with its own
//! body, in its own codec) and an [`EventListener`] (`Events`, which reports `on_open` and
//! `on_close` and counts `on_cron` ticks). A client session, dialed with a [`Dialer`], has
//! an `Events` listener of its own; both sessions share one [`Cron`] ticking every 20 ms.
//!
//! The client makes three calls (a JSON string, a JSON list, a plain-text string), waits until
//! the cron has ticked three times for each session, closes, and waits for the server to see
//! the session end; then the server shuts down. Every event and outcome is printed; the
//! program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example session_echo
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::codec::id;
use telerpc::session::endpoint::{Acceptor, Dialer, Target};
use telerpc::session::{
    BoxFuture, Cron, EventListener, Handler, Reply, Request, Session, SessionConfig,
};
use telerpc::socket::{Address, Status};
use tokio::sync::{mpsc, watch};

/// Whatever can go wrong in the demo.
pub(crate) type DemoError = Box<dyn Error + Send + Sync>;

/// The whole exchange must end within this, or the demo fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(4);

/// The period of the cron both sessions share.
const CRON_PERIOD: Duration = Duration::from_millis(20);

/// How many ticks each session waits for before the client closes.
pub(crate) const TICKS: usize = 3;

/// Runs the demo, printing each line to standard output. (`pub(crate)` so that
/// `tests/session_echo.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), DemoError> {
    run(&|line| println!("{line}")).await
}

/// Runs the echo exchange on loopback TCP, handing every line the demo reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    tokio::time::timeout(DEADLINE, demo(print))
        .await
        .map_err(|_| "the echo exchange did not end in time")?
}

/// The server's handler: every CALL is answered with its own body and codec, whatever the
/// service method; PUSHes are ignored.
struct Echo;

impl Handler for Echo {
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        let message = request.into_message();
        Box::pin(async move { Reply::with_body(message.body_codec, message.body) })
    }

    fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// One side's event listener. Listeners run on the sessions' own tasks and must not block, so
/// they do not print: they send each event as a line to the demo, and count cron ticks.
struct Events {
    side: &'static str,
    lines: mpsc::UnboundedSender<String>,
    ticks: watch::Sender<usize>,
}

impl Events {
    /// A listener for `side`, with what it sends the demo: its event lines and its tick count.
    fn new(
        side: &'static str,
        lines: mpsc::UnboundedSender<String>,
    ) -> (Arc<Self>, watch::Receiver<usize>) {
        let (ticks, counted) = watch::channel(0);
        (Arc::new(Self { side, lines, ticks }), counted)
    }

    fn tell(&self, event: &str, session: &Session) {
        // The demo may be gone (it failed): then nobody needs the line.
        let _ = self
            .lines
            .send(format!("{}: {event} {}", self.side, session.id()));
    }
}

impl EventListener for Events {
    fn on_open(&self, session: &Session) -> Result<(), Status> {
        self.tell("on_open", session);
        Ok(())
    }

    fn on_close(&self, session: &Session) {
        self.tell("on_close", session);
    }

    fn on_cron(&self, _session: &Session) {
        self.ticks.send_modify(|ticks| *ticks += 1);
    }
}

async fn demo(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let cron = Cron::new(CRON_PERIOD);
    let config = SessionConfig::default().with_cron(cron.clone());
    let (lines, mut events) = mpsc::unbounded_channel();
    let (server_events, mut server_ticks) = Events::new("server", lines.clone());
    let (client_events, mut client_ticks) = Events::new("client", lines);

    let server = Acceptor::new()
        .config(config.clone())
        .handler(Arc::new(Echo))
        .listener(server_events)
        .bind(&Target::tcp("127.0.0.1:0"))
        .await?;
    let Address::Inet(addr) = server.local_addr().clone() else {
        return Err("a TCP listener without an IP address".into());
    };
    print(&format!("server listening on {addr}"));

    let client = Dialer::new()
        .config(config)
        .listener(client_events)
        .dial_timeout(Duration::from_secs(1))
        .dial(&Target::from(addr))
        .await?;
    print(&format!(
        "client: dialed {addr} from {}",
        client.local_addr()
    ));
    let text: String = client.call("/echo", "hello, getty").await?;
    // The server's session opened before it read this call: both `on_open`s are in.
    print_ready(&mut events, print);
    print(&format!("client: /echo \"hello, getty\" -> {text:?}"));
    let numbers: Vec<i64> = client.call("/echo", &[1, 2, 3]).await?;
    print(&format!("client: /echo [1, 2, 3] -> {numbers:?}"));
    let plain: String = client.call("/echo", "plain text").codec(id::PLAIN).await?;
    print(&format!(
        "client: /echo \"plain text\" as plain -> {plain:?}"
    ));

    server_ticks.wait_for(|ticks| *ticks >= TICKS).await?;
    client_ticks.wait_for(|ticks| *ticks >= TICKS).await?;
    print(&format!(
        "the cron drives {} sessions and ticked at least {TICKS} times for each",
        cron.sessions()
    ));

    client.close().await;
    // `close` resolves once `on_close` has run: the client's line is in.
    print_ready(&mut events, print);
    print("client: closed");
    // The server's session ends when it reads the end of the connection.
    wait_for(&mut events, "server: on_close", print).await?;
    server.shutdown().await?;
    print_ready(&mut events, print);
    print(&format!(
        "server shut down; the cron drives {} sessions; ticks: server {}, client {}",
        cron.sessions(),
        *server_ticks.borrow(),
        *client_ticks.borrow()
    ));
    Ok(())
}

/// Prints every event line sent so far.
fn print_ready(events: &mut mpsc::UnboundedReceiver<String>, print: &dyn Fn(&str)) {
    while let Ok(line) = events.try_recv() {
        print(&line);
    }
}

/// Prints event lines as they come until one starts with `wanted`.
async fn wait_for(
    events: &mut mpsc::UnboundedReceiver<String>,
    wanted: &str,
    print: &dyn Fn(&str),
) -> Result<(), DemoError> {
    loop {
        let line = events.recv().await.ok_or("every listener is gone")?;
        print(&line);
        if line.starts_with(wanted) {
            return Ok(());
        }
    }
}
