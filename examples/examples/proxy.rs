//! The proxy plugin: three peers, client → front → back.
//!
//! The back serves `/user/whoami`, telling who asked from the `X-Real-IP` meta the front adds.
//! The front serves only `/front/ping`; [`Proxy::install`] makes it forward every other CALL
//! and PUSH to the back, over a session the front dialed: same service method, meta, codec
//! and body, untouched, and the back's reply relayed as it came, error statuses too.
//!
//! The client calls `/front/ping` (the front answers), `/user/whoami` (the back answers
//! through the front) and `/user/nobody` (the back's 404, relayed). Then the back goes away,
//! and the next forwarded call is answered 502 Bad Gateway by the front. All three peers shut
//! down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example proxy
//! ```

use std::error::Error;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::plugin::proxy::Proxy;
use telerpc::router::REAL_IP_META_KEY;
use telerpc::{code, CallCtx, Message, Peer, PeerConfig, Router, Session, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/proxy.rs`, which includes this file as a module, can run it.)
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

/// The back's only route: says who asked, from where.
async fn whoami(ctx: CallCtx, name: String) -> Result<String, Status> {
    let ip = ctx
        .meta()
        .get(REAL_IP_META_KEY)
        .unwrap_or("nowhere")
        .to_owned();
    ctx.set_reply_meta("served-by", "back");
    Ok(format!("you are {name}, calling from {ip}"))
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

/// The three peers, the calls, the back going away, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let (back, back_addr) = listening(Router::new().call("/user/whoami", whoami)).await?;

    // The front's router exists before the front dials, so its session to the back reaches
    // the proxy's selector through a cell filled right after.
    let to_back: Arc<OnceLock<Session>> = Arc::new(OnceLock::new());
    let cell = Arc::clone(&to_back);
    let proxy = Proxy::new(move |_ctx| cell.get().cloned());
    let front_router = proxy.install(
        Router::new().call("/front/ping", |_: CallCtx, _: ()| async {
            Ok::<_, Status>("pong from the front")
        }),
    );
    let (front, front_addr) = listening(front_router).await?;
    to_back
        .set(front.dial(back_addr).await?)
        .map_err(|_| "the front dialed the back twice")?;
    print("back and front listening, the front dialed the back");

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(front_addr).await?;

    let pong: String = session.call("/front/ping", &()).await?;
    print(&format!("/front/ping: {pong:?}"));

    let reply: Message = session.call_raw("/user/whoami", "alice").await?;
    let answer: String = reply.body_as(session.config().codecs())?;
    print(&format!("/user/whoami: {answer:?}"));
    print(&format!(
        "/user/whoami reply meta: {}",
        reply.meta.to_query()
    ));

    match session.call::<String, _>("/user/nobody", "alice").await {
        Ok(answer) => print(&format!("/user/nobody: unexpectedly {answer:?}")),
        Err(status) => print(&format!("/user/nobody: {status}")),
    }

    back.shutdown(SHUTDOWN).await;
    print("the back shut down");
    // The front learns that its connection to the back closed, then answers 502.
    loop {
        match session.call::<String, _>("/user/whoami", "alice").await {
            Err(status) if status.code() == code::BAD_GATEWAY => {
                print(&format!("/user/whoami: {}", status.message()));
                break;
            }
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }

    client.shutdown(SHUTDOWN).await;
    front.shutdown(SHUTDOWN).await;
    print("all three peers shut down");
    Ok(())
}
