//! Meta both ways: a call carrying meta pairs, the handler reading them and setting meta on
//! its reply, and the caller reading the reply meta.
//!
//! The client calls `/user/greet` with the meta `author=alice` and `trace-id=42`. The handler
//! reads both (and the `X-Timeout-Ms` meta the session adds to every call: the time the caller
//! still waits), answers a greeting, and sets the reply meta `served-by` and `trace-id` (the
//! one it was given). The client asks for the whole reply with `call_raw`, prints its meta and
//! decodes its body. Both peers then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example meta
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::session::TIMEOUT_META_KEY;
use telerpc::{CallCtx, Message, Peer, PeerConfig, Router, Status};
use tokio::sync::mpsc;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/meta.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the call on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// The server, the call, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    // What the handler saw, for `print` (which stays in this task).
    let (saw, mut seen) = mpsc::unbounded_channel();
    let router = Router::new().call("/user/greet", move |ctx: CallCtx, name: String| {
        let saw = saw.clone();
        async move {
            let author = ctx.meta().get("author").unwrap_or("nobody").to_owned();
            let trace_id = ctx.meta().get("trace-id").unwrap_or("none").to_owned();
            let has_time_left = ctx.meta().get(TIMEOUT_META_KEY).is_some();
            // A closed channel only means nobody prints what the handler saw.
            let _ = saw.send(format!(
                "handler: author={author} trace-id={trace_id}, {TIMEOUT_META_KEY} present: {has_time_left}"
            ));
            ctx.set_reply_meta("served-by", "meta-example");
            ctx.set_reply_meta("trace-id", trace_id);
            Ok::<_, Status>(format!("hello, {name}, from {author}"))
        }
    });
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router)),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;

    // `call_raw` resolves to the whole REPLY message, meta included.
    let reply: Message = session
        .call_raw("/user/greet", "bob")
        .meta("author", "alice")
        .meta("trace-id", "42")
        .await?;
    if let Some(line) = seen.recv().await {
        print(&line);
    }
    for (key, value) in reply.meta.iter() {
        print(&format!("client: reply meta {key}={value}"));
    }
    let greeting: String = reply.body_as(session.config().codecs())?;
    print(&format!("client: reply body {greeting:?}"));

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
