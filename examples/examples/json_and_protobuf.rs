//! One handler serving a JSON caller and a protobuf caller with the same Rust type.
//!
//! `Tally` derives both `prost::Message` and serde's `Serialize`/`Deserialize`. The server's
//! `/math/tally` handler takes and returns it as [`Dual<Tally>`](telerpc::Dual), so the router
//! decodes the argument with whichever codec the CALL carries and encodes the result with the
//! same one: protobuf for a protobuf caller, JSON for everyone else. Two client peers call
//! it over loopback TCP, one with the JSON codec and one with
//! `.codec(telerpc::codec::id::PROTOBUF)`; each prints the codec and the bytes of the body it
//! got back, then the decoded answer. The program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example json_and_protobuf
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use telerpc::codec::{id, CodecRegistry};
use telerpc::peer::{NetAddr, Peer, PeerConfig};
use telerpc::{CallCtx, Dual, Router, Status};

/// Whatever can go wrong in the demo.
pub(crate) type DemoError = Box<dyn Error + Send + Sync>;

/// The whole exchange must end within this, or the demo fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(4);

/// How long each peer's graceful shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// A labelled list of numbers and their total: one type for the protobuf and the serde
/// families alike. (`prost::Message` also derives `Debug` and `Default`.)
#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
pub(crate) struct Tally {
    /// What is being counted.
    #[prost(string, tag = "1")]
    pub label: String,
    /// The numbers.
    #[prost(int64, repeated, tag = "2")]
    pub numbers: Vec<i64>,
    /// Their sum: 0 in a request, filled in by the server.
    #[prost(int64, tag = "3")]
    pub total: i64,
}

/// Runs the demo, printing each line to standard output. (`pub(crate)` so that
/// `tests/json_and_protobuf.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), DemoError> {
    run(&|line| println!("{line}")).await
}

/// Runs both calls on loopback TCP, handing every line the demo reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    tokio::time::timeout(DEADLINE, demo(print))
        .await
        .map_err(|_| "the calls did not end in time")?
}

/// The server's `/math/tally`: the same handler for every codec.
async fn tally(ctx: CallCtx, Dual(mut tally): Dual<Tally>) -> Result<Dual<Tally>, Status> {
    tally.total = tally.numbers.iter().sum();
    tally.label = format!("{} via {:?}", tally.label, ctx.body_codec() as char);
    Ok(Dual(tally))
}

async fn demo(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
            .with_handler(Arc::new(Router::new().call("/math/tally", tally))),
    );
    let addr = server.listen().await?.remove(0);
    print(&format!("server listening on {addr}"));

    let json_client = Peer::new(PeerConfig::default());
    let protobuf_client = Peer::new(PeerConfig::default());
    for (caller, client, codec) in [
        ("json caller", &json_client, id::JSON),
        ("protobuf caller", &protobuf_client, id::PROTOBUF),
    ] {
        let session = client.dial(addr.clone()).await?;
        let request = Dual(Tally {
            label: String::from(caller),
            numbers: vec![1, 2, 3, 4],
            total: 0,
        });
        // `call_raw` keeps the whole REPLY, to show its body as it travelled.
        let reply = session
            .call_raw("/math/tally", &request)
            .codec(codec)
            .timeout(Duration::from_secs(1))
            .await?;
        let codecs = CodecRegistry::standard();
        let name = codecs.require(reply.body_codec)?.name();
        print(&format!(
            "{caller}: reply body codec {:?} ({name}), {} bytes: {}",
            reply.body_codec as char,
            reply.body.len(),
            show(reply.body_codec, &reply.body),
        ));
        let Dual(answer): Dual<Tally> = reply.body_as(codecs)?;
        print(&format!(
            "{caller}: total of {:?} = {}, label {:?}",
            answer.numbers, answer.total, answer.label
        ));
        client.shutdown(SHUTDOWN).await;
    }

    let report = server.shutdown(SHUTDOWN).await;
    print(&format!("server shut down, graceful: {}", report.graceful));
    Ok(())
}

/// A body as text for JSON, as hex bytes for anything else.
fn show(codec: u8, body: &[u8]) -> String {
    if codec == id::JSON {
        return String::from_utf8_lossy(body).into_owned();
    }
    body.iter()
        .map(|byte| format!("{byte:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
