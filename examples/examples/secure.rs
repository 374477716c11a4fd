//! The secure plugin: bodies encrypted and authenticated with ChaCha20-Poly1305 when the meta
//! `X-Secure` asks for it.
//!
//! A server and a client share a 32-byte key, each peer with the [`Secure`] plugin. A
//! `Wiretap` plugin after it on the client sees each CALL body as it goes on the wire. The
//! client makes three calls to the server's `/echo`: one marked `X-Secure: true` (the body
//! goes encrypted both ways), one plain (in clear both ways), and one plain but with
//! `X-Accept-Secure: true` (the reply comes back encrypted). Then a second client with
//! another key makes a secure call: the server cannot decrypt it and answers 400. Everything
//! shuts down and the program ends by itself.
//!
//! The wire is not eRPC's: eRPC's own secure plugin uses AES-ECB, which we do not copy.
//!
//! ```text
//! cargo run -p telerpc-examples --example secure
//! ```

use std::error::Error;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::plugin::secure::{Secure, ACCEPT_SECURE_META_KEY, SECURE_META_KEY};
use telerpc::plugin::Plugin;
use telerpc::{CallCtx, Message, Peer, PeerConfig, Raw, Router, Session, Status};

/// Whatever can go wrong in the example.
pub(crate) type ExampleError = Box<dyn Error + Send + Sync>;

/// The whole example must end within this, or it fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// How long each shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// The key the server and the first client share (in real life: 32 random bytes, kept
/// secret).
const KEY: [u8; 32] = *b"an example key, never use it!!!!";

/// What the client sends.
const SECRET: &str = "the cake is in the oven";

/// Runs the example, printing each line to standard output. (`pub(crate)` so that
/// `tests/secure.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), ExampleError> {
    run(&|line| println!("{line}")).await
}

/// Runs the peers on loopback TCP, handing every line the example reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    tokio::time::timeout(DEADLINE, exchange(print))
        .await
        .map_err(|_| "the example did not end in time")?
}

/// Keeps the last CALL body written, as it goes on the wire (placed after [`Secure`]).
#[derive(Default)]
struct Wiretap(Mutex<Vec<u8>>);

impl Plugin for Wiretap {
    fn name(&self) -> &str {
        "wiretap"
    }

    fn pre_write_call(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = call.body.to_vec();
        Ok(())
    }
}

impl Wiretap {
    /// What the last CALL body looked like on the wire.
    fn last(&self) -> String {
        let body = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let clear = body.windows(SECRET.len()).any(|w| w == SECRET.as_bytes());
        format!("{} bytes, readable: {clear}", body.len())
    }
}

/// One `/echo` call with `meta`, and what came of it.
async fn echo(session: &Session, meta: &[(&str, &str)]) -> String {
    let body = Raw(format!("{SECRET:?}").into());
    let mut call = session.call_raw("/echo", &body);
    for (key, value) in meta {
        call = call.meta(*key, *value);
    }
    match call.await {
        Ok(reply) => {
            let secure = reply.meta.get(SECURE_META_KEY).unwrap_or("false");
            let text = String::from_utf8_lossy(&reply.body).into_owned();
            format!("reply {text}, reply encrypted: {secure}")
        }
        Err(status) => status.to_string(),
    }
}

/// The server, the two clients, their calls, and the shutdown.
async fn exchange(print: &dyn Fn(&str)) -> Result<(), ExampleError> {
    let router = Router::new().call("/echo", |_: CallCtx, body: Raw| async move {
        Ok::<_, Status>(body)
    });
    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_handler(Arc::new(router))
            .with_plugin(Arc::new(Secure::new(KEY))),
    );
    let addr = server.listen().await?[0].clone();

    let wiretap = Arc::new(Wiretap::default());
    let client = Peer::new(
        PeerConfig::default()
            .with_plugin(Arc::new(Secure::new(KEY)))
            .with_plugin(Arc::clone(&wiretap) as Arc<dyn Plugin>),
    );
    let session = client.dial(addr.clone()).await?;

    let outcome = echo(&session, &[(SECURE_META_KEY, "true")]).await;
    print(&format!(
        "X-Secure call: {outcome}; on the wire {}",
        wiretap.last()
    ));
    let outcome = echo(&session, &[]).await;
    print(&format!(
        "plain call: {outcome}; on the wire {}",
        wiretap.last()
    ));
    let outcome = echo(&session, &[(ACCEPT_SECURE_META_KEY, "true")]).await;
    print(&format!(
        "X-Accept-Secure call: {outcome}; on the wire {}",
        wiretap.last()
    ));

    let intruder = Peer::new(PeerConfig::default().with_plugin(Arc::new(Secure::new([0; 32]))));
    let wrong = intruder.dial(addr).await?;
    let outcome = echo(&wrong, &[(SECURE_META_KEY, "true")]).await;
    print(&format!("another key: {outcome}"));

    intruder.shutdown(SHUTDOWN).await;
    client.shutdown(SHUTDOWN).await;
    server.shutdown(SHUTDOWN).await;
    print("all peers shut down");
    Ok(())
}
