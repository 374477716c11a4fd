//! A forwarding proxy with the router's call fallback: three peers, client → front → back.
//!
//! The back peer serves `/user/whoami`, reading the meta `trace-id` and setting reply meta. The
//! front peer serves only `/front/ping`; its [`fallback_call`](telerpc::Router::fallback_call)
//! takes every other CALL with its body as [`Raw`] bytes, untouched whatever codec encoded
//! it, and forwards it over a session the front dialed to the back: same service method,
//! same codec, same meta (the time left is recomputed by the session from the front's own
//! deadline). It relays the back's reply as it came: body, codec, meta, or error status.
//!
//! The client calls `/front/ping` (answered by the front), `/user/whoami` (unknown to the
//! front, answered by the back through it) and `/user/nobody` (unknown to both: the back's
//! 404, relayed). All three peers then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example fallback_forward
//! ```

use std::error::Error;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use telerpc::codec::id;
use telerpc::peer::NetAddr;
use telerpc::session::TIMEOUT_META_KEY;
use telerpc::{CallCtx, Message, Peer, PeerConfig, Raw, Router, Session, Status};
use tokio::time::Instant;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/fallback_forward.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the three peers on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// The back's only route: says who asked, and echoes the trace id as reply meta.
async fn whoami(ctx: CallCtx, name: String) -> Result<String, Status> {
    let trace_id = ctx.meta().get("trace-id").unwrap_or("none").to_owned();
    ctx.set_reply_meta("served-by", "back");
    ctx.set_reply_meta("trace-id", trace_id.as_str());
    Ok(format!(
        "you are {name} (trace {trace_id}), answered by the back"
    ))
}

/// The front's fallback: forwards the CALL in `ctx`, whose body is `body`, over the session
/// to the back once there is one, and relays the reply.
async fn forward(back: Arc<OnceLock<Session>>, ctx: CallCtx, body: Raw) -> Result<Raw, Status> {
    let back = back
        .get()
        .ok_or_else(|| Status::new(503, "Service Unavailable").with_cause("no back yet"))?;
    let mut call = back
        .call_raw(ctx.service_method(), &body)
        .codec(ctx.body_codec());
    for (key, value) in ctx.meta().iter() {
        // The session sets the time left itself, from the timeout below.
        if key != TIMEOUT_META_KEY {
            call = call.meta(key, value);
        }
    }
    if let Some(deadline) = ctx.deadline() {
        call = call.timeout(deadline.saturating_duration_since(Instant::now()));
    }
    // An error status from the back is relayed as it is, by `?`.
    let reply: Message = call.await?;
    for (key, value) in reply.meta.iter() {
        ctx.append_reply_meta(key, value);
    }
    if reply.body_codec != id::NONE {
        ctx.set_reply_codec(reply.body_codec);
    }
    Ok(Raw(reply.body))
}

/// A peer listening on a free loopback port with `router`, and the address it got.
async fn listening(router: Router) -> Result<(Peer, NetAddr), ExampleError> {
    let peer = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router)),
    );
    let addr = peer.listen().await?[0].clone();
    Ok((peer, addr))
}

/// The three peers, the three calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let (back, back_addr) = listening(Router::new().call("/user/whoami", whoami)).await?;
    print(&format!("back listening on {back_addr}"));

    // The front's router must exist before the front can dial, so the session to the back
    // reaches the fallback through a cell filled right after.
    let to_back = Arc::new(OnceLock::new());
    let cell = Arc::clone(&to_back);
    let front_router = Router::new()
        .call("/front/ping", |_ctx: CallCtx, _: ()| async {
            Ok::<_, Status>(String::from("pong from the front"))
        })
        .fallback_call(move |ctx: CallCtx, body: Raw| forward(Arc::clone(&cell), ctx, body));
    let (front, front_addr) = listening(front_router).await?;
    let session = front.dial(back_addr).await?;
    to_back
        .set(session)
        .map_err(|_| "the front dialed the back twice")?;
    print(&format!("front listening on {front_addr}, dialed the back"));

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(front_addr).await?;

    let pong: String = session.call("/front/ping", &()).await?;
    print(&format!("/front/ping: {pong:?}"));

    let reply: Message = session
        .call_raw("/user/whoami", "alice")
        .meta("trace-id", "7")
        .await?;
    let answer: String = reply.body_as(session.config().codecs())?;
    print(&format!("/user/whoami: {answer:?}"));
    print(&format!(
        "/user/whoami reply codec '{}', meta {}",
        char::from(reply.body_codec),
        reply.meta.to_query()
    ));

    match session.call::<String, _>("/user/nobody", "alice").await {
        Ok(answer) => print(&format!("/user/nobody: unexpectedly {answer:?}")),
        Err(status) => print(&format!("/user/nobody: {status}")),
    }

    client.shutdown(SHUTDOWN).await;
    front.shutdown(SHUTDOWN).await;
    back.shutdown(SHUTDOWN).await;
    print("all three peers shut down");
    Ok(())
}
