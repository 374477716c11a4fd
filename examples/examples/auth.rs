//! eRPC's auth handshake: a server that checks a token right after connect, a client that
//! carries the right one and one that does not.
//!
//! The server's `Checker` reads the dialer's AUTH_CALL, accepts the token `alice-token` (naming
//! the session `alice`, which its handler reads back) and refuses anything else with 401. The
//! first client's `Bearer` sends `alice-token` and calls `/whoami`; the second sends a wrong
//! token, and its dial fails with 105 Dial Failed, the server's refusal in the cause. Both
//! peers then shut down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example auth
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::codec::id;
use telerpc::peer::NetAddr;
use telerpc::plugin::auth::{Bearer, Checker};
use telerpc::{code, CallCtx, Peer, PeerConfig, Router, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/auth.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs both dials on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// The server, the two clients, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let checker = Checker::new(|credentials, info| {
        if credentials.body.as_ref() == b"alice-token" {
            info.set_id("alice");
            Ok(())
        } else {
            Err(Status::from_code(code::UNAUTHORIZED).with_cause("unknown token"))
        }
    });
    let router = Router::new().call("/whoami", |ctx: CallCtx, (): ()| async move {
        Ok::<_, Status>(ctx.session().id().to_string())
    });
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router))
            .with_plugin(Arc::new(checker)),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let alice = Peer::new(
        PeerConfig::default().with_plugin(Arc::new(Bearer::token(id::PLAIN, "alice-token"))),
    );
    let session = alice.dial(addr.clone()).await?;
    let name: String = session.call("/whoami", &()).await?;
    print(&format!(
        "alice: authenticated, the server calls me {name:?}"
    ));

    let mallory = Peer::new(
        PeerConfig::default().with_plugin(Arc::new(Bearer::token(id::PLAIN, "guessed-token"))),
    );
    match mallory.dial(addr).await {
        Ok(_) => return Err("the wrong token was accepted".into()),
        Err(refused) => print(&format!(
            "mallory: dial refused with {}: {}",
            refused.code(),
            refused.cause().unwrap_or_default()
        )),
    }

    alice.shutdown(SHUTDOWN).await;
    mallory.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("all peers shut down");
    Ok(())
}
