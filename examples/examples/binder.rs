//! Validated handler arguments with the binder's `Valid<T>`.
//!
//! The server's `/user/rename` takes a `Valid<Rename>`: `Rename` derives `validator`'s
//! `Validate`, with an `id` of at least 1 and a `name` of 1 to 32 characters. The client calls
//! it with good arguments, which reach the handler, then with a bad id and an empty name, which
//! are answered 400 Bad Message with a cause naming the fields at fault. Both peers then shut
//! down and the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example binder
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use telerpc::peer::NetAddr;
use telerpc::plugin::binder::Valid;
use telerpc::{CallCtx, Peer, PeerConfig, Router, Status};
use validator::Validate;

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// The arguments of `/user/rename`, with their rules.
#[derive(Serialize, Deserialize, Validate)]
struct Rename {
    #[validate(range(min = 1))]
    id: i64,
    #[validate(length(min = 1, max = 32))]
    name: String,
}

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/binder.rs`, which includes this file as a module, can run it.)
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

/// Runs only on valid arguments.
async fn rename(_ctx: CallCtx, Valid(args): Valid<Rename>) -> Result<String, Status> {
    Ok(format!("user {} is now {}", args.id, args.name))
}

/// The server, the calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(Router::new().call("/user/rename", rename))),
    );
    let addr = server.listen().await?[0].clone();

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;
    for (id, name) in [(7, "ada"), (0, "bob"), (0, "")] {
        let args = Rename {
            id,
            name: name.to_owned(),
        };
        match session.call::<String, _>("/user/rename", &args).await {
            Ok(answer) => print(&format!("({id}, {name:?}): {answer}")),
            Err(status) => print(&format!(
                "({id}, {name:?}): {} {}: {}",
                status.code(),
                status.message(),
                status.cause().unwrap_or_default()
            )),
        }
    }

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
