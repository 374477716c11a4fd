//! Raw bytes as bodies: handlers taking and returning [`Raw`], which no codec touches, so
//! binary data that is not UTF-8 (every byte value, 0x00 to 0xFF) travels intact even though
//! the messages name the JSON codec (`j`), as eRPC treats `[]byte` bodies.
//!
//! The client sends the 256 bytes to `/bytes/echo`, which answers them as they came, and to
//! `/bytes/reverse`, which answers them reversed; it checks both replies byte for byte and
//! prints the codec the replies carry. Both peers then shut down and the program ends by
//! itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example raw_bytes
//! ```

use std::error::Error;
use std::sync::Arc;
use std::time::Duration;

use telerpc::codec::id;
use telerpc::peer::NetAddr;
use telerpc::{CallCtx, Message, Peer, PeerConfig, Raw, Router, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/raw_bytes.rs`, which includes this file as a module, can run it.)
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

/// Answers the bytes as they came.
async fn echo(_ctx: CallCtx, body: Raw) -> Result<Raw, Status> {
    Ok(body)
}

/// Answers the bytes in reverse order.
async fn reverse(_ctx: CallCtx, body: Raw) -> Result<Raw, Status> {
    let mut bytes = body.0.to_vec();
    bytes.reverse();
    Ok(Raw::from(bytes))
}

/// The server, the two calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let router = Router::new()
        .call("/bytes/echo", echo)
        .call("/bytes/reverse", reverse);
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router)),
    );
    let addr = server.listen().await?[0].clone();
    print(&format!("server listening on {addr}"));

    let client = Peer::new(PeerConfig::default());
    let session = client.dial(addr).await?;

    // Every byte value once: not UTF-8, not JSON.
    let sent: Vec<u8> = (0..=u8::MAX).collect();
    print(&format!(
        "client sends {} bytes, valid UTF-8: {}",
        sent.len(),
        std::str::from_utf8(&sent).is_ok()
    ));
    let body = Raw::from(sent.clone());

    // `call_raw` keeps the whole reply, to show the codec it names.
    let echoed: Message = session
        .call_raw("/bytes/echo", &body)
        .codec(id::JSON)
        .await?;
    print(&format!(
        "/bytes/echo answered {} bytes with codec '{}', intact: {}",
        echoed.body.len(),
        char::from(echoed.body_codec),
        echoed.body[..] == sent[..],
    ));

    let Raw(reversed) = session
        .call::<Raw, _>("/bytes/reverse", &body)
        .codec(id::JSON)
        .await?;
    let expected: Vec<u8> = sent.iter().rev().copied().collect();
    print(&format!(
        "/bytes/reverse answered {} bytes, first 0x{:02x}, last 0x{:02x}, right: {}",
        reversed.len(),
        reversed.first().copied().unwrap_or_default(),
        reversed.last().copied().unwrap_or_default(),
        reversed[..] == expected[..],
    ));

    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("both peers shut down");
    Ok(())
}
