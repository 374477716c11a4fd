//! A server peer listening with TLS and a client peer dialing it with TLS.
//!
//! At run time, rcgen makes a self-signed certificate for `localhost` and 127.0.0.1; it is
//! written as PEM files into a fresh directory under the system's temp dir (removed at the
//! end, whatever happens), and loaded with the peer's PEM helpers: the server's acceptor from
//! the certificate and its key ([`acceptor_from_pem`]), the client's connector trusting that
//! certificate ([`connector_from_pem`]). The client dials 127.0.0.1 over TLS, the server
//! name verified being that IP address, and calls `/echo/upper`. A second client, trusting
//! another certificate only, is refused: its dial fails with 105 Dial Failed. The program
//! ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example tls
//! ```

use std::error::Error;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use telerpc::peer::{acceptor_from_pem, connector_from_pem, NetAddr};
use telerpc::{CallCtx, Peer, PeerConfig, Router, Status};

/// Whatever can go wrong in the demo.
pub(crate) type DemoError = Box<dyn Error + Send + Sync>;

/// The whole exchange must end within this, or the demo fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(4);

/// How long each peer's graceful shutdown may take.
const SHUTDOWN: Duration = Duration::from_secs(1);

/// Runs the demo, printing each line to standard output. (`pub(crate)` so that `tests/tls.rs`,
/// which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), DemoError> {
    run(&|line| println!("{line}")).await
}

/// Runs the TLS exchange on loopback TCP, handing every line the demo reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let dir = TempDir::new()?;
    tokio::time::timeout(DEADLINE, demo(&dir, print))
        .await
        .map_err(|_| "the TLS exchange did not end in time")?
    // `dir` is removed here, when it drops, whether the demo succeeded or not.
}

/// The server's `/echo/upper`: the text in capitals.
async fn upper(_ctx: CallCtx, text: String) -> Result<String, Status> {
    Ok(text.to_uppercase())
}

async fn demo(dir: &TempDir, print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let (cert, key) = self_signed(dir.path(), "server")?;
    print(&format!(
        "made a self-signed certificate for localhost and 127.0.0.1 in {}",
        dir.path().display()
    ));

    let server = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
            .with_tls_acceptor(acceptor_from_pem(&cert, &key)?)
            .with_handler(Arc::new(Router::new().call("/echo/upper", upper))),
    );
    let addr = server.listen().await?.remove(0);
    print(&format!("server listening with TLS on {addr}"));

    let client = Peer::new(
        PeerConfig::default()
            .with_dial_timeout(Duration::from_secs(1))
            .with_tls_connector(connector_from_pem(&cert)?),
    );
    let session = client.dial(addr.clone()).await?;
    let answer: String = session
        .call("/echo/upper", "hello over tls")
        .timeout(Duration::from_secs(1))
        .await?;
    print(&format!("client called over TLS: {answer:?}"));

    // A client that trusts another certificate only: the handshake fails, so does the dial.
    let (other_cert, _) = self_signed(dir.path(), "other")?;
    let distrustful = Peer::new(
        PeerConfig::default()
            .with_dial_timeout(Duration::from_secs(1))
            .with_tls_connector(connector_from_pem(&other_cert)?),
    );
    match distrustful.dial(addr).await {
        Ok(_) => return Err("a client that does not trust the server got through".into()),
        Err(refused) => print(&format!(
            "a client trusting another certificate was refused: {}",
            refused.code()
        )),
    }

    client.shutdown(SHUTDOWN).await;
    distrustful.shutdown(SHUTDOWN).await;
    let report = server.shutdown(SHUTDOWN).await;
    print(&format!("server shut down, graceful: {}", report.graceful));
    Ok(())
}

/// A self-signed certificate for `localhost` and 127.0.0.1, as the PEM files
/// `NAME.crt.pem` and `NAME.key.pem` in `dir`: their paths.
fn self_signed(dir: &Path, name: &str) -> Result<(PathBuf, PathBuf), DemoError> {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    let cert = dir.join(format!("{name}.crt.pem"));
    let key = dir.join(format!("{name}.key.pem"));
    std::fs::write(&cert, certified.cert.pem())?;
    std::fs::write(&key, certified.key_pair.serialize_pem())?;
    Ok((cert, key))
}

/// A directory of its own under the system's temp dir, removed with what it holds when
/// dropped.
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// Creates a directory whose name no other run, or other demo in this process, shares.
    fn new() -> std::io::Result<Self> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos());
        let path = std::env::temp_dir().join(format!(
            "telerpc-tls-example-{}-{nanos}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir(&path)?;
        Ok(Self(path))
    }

    /// Where it is.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(error) = std::fs::remove_dir_all(&self.0) {
            tracing::warn!(%error, path = %self.0.display(), "could not remove the temp dir");
        }
    }
}
