//! A router with a group: routes under `/v1` behind a middleware of their own, beside a route
//! outside the group that the middleware never sees.
//!
//! The server's router serves `/ping` at the root, and `/v1/math/add` in the group `/v1`,
//! whose middleware refuses (401) any call without the meta `token=secret` and logs the path
//! of every call it lets through. The client calls `/ping` without a token (answered), then
//! `/v1/math/add` without a token (refused), with a wrong token (refused), and with the right
//! one (answered). Both peers then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example groups
//! ```

use std::error::Error;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::router::Next;
use telerpc::{CallCtx, Peer, PeerConfig, Router, Session, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// The status the group's middleware refuses a call with.
const UNAUTHORIZED: i32 = 401;

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/groups.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the calls on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// Answers `pong`.
async fn ping(_ctx: CallCtx, _: ()) -> Result<String, Status> {
    Ok(String::from("pong"))
}

/// Adds the numbers it is given.
async fn add(_ctx: CallCtx, args: Vec<i64>) -> Result<i64, Status> {
    Ok(args.iter().sum())
}

/// The router: `/ping` at the root, `/v1/math/add` behind the group's token check, which
/// records in `admitted` the path of every call it lets through.
fn router(admitted: Arc<Mutex<Vec<String>>>) -> Router {
    let check_token = move |ctx: CallCtx, next: Next| {
        let admitted = Arc::clone(&admitted);
        async move {
            if ctx.meta().get("token") != Some("secret") {
                return Err(Status::new(UNAUTHORIZED, "Unauthorized").with_cause("no valid token"));
            }
            admitted
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(ctx.path().to_owned());
            next.run(ctx).await
        }
    };
    Router::new()
        .call("/ping", ping)
        .group("/v1", |v1| v1.layer(check_token).call("/math/add", add))
}

/// One line for the outcome of a call.
fn outcome<T: std::fmt::Debug>(result: Result<T, Status>) -> String {
    match result {
        Ok(value) => format!("ok {value:?}"),
        Err(status) => format!("refused: {status}"),
    }
}

/// A call to `/v1/math/add` with `[1, 2, 3]`, with the meta `token` when one is given.
async fn add_with(session: &Session, token: Option<&str>) -> Result<i64, Status> {
    let call = session.call("/v1/math/add", &[1, 2, 3]);
    match token {
        Some(token) => call.meta("token", token).await,
        None => call.await,
    }
}

/// The server, the four calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let admitted = Arc::new(Mutex::new(Vec::new()));
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router(Arc::clone(&admitted)))),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;

    let pong = session.call::<String, _>("/ping", &()).await;
    print(&format!("/ping without a token: {}", outcome(pong)));
    let refused = add_with(&session, None).await;
    print(&format!(
        "/v1/math/add without a token: {}",
        outcome(refused)
    ));
    let wrong = add_with(&session, Some("guess")).await;
    print(&format!(
        "/v1/math/add with a wrong token: {}",
        outcome(wrong)
    ));
    let sum = add_with(&session, Some("secret")).await;
    print(&format!(
        "/v1/math/add with the right token: {}",
        outcome(sum)
    ));
    let admitted = admitted
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    print(&format!("the /v1 middleware let through: {admitted:?}"));

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
