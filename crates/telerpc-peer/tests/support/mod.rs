//! What the peer tests share: time limits, temporary directories, and a small handler.

// Each test binary compiles this module for itself and uses a different subset of it.
#![allow(dead_code)]

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use telerpc_peer::{peer_of, NetAddr, Peer, PeerConfig};
use telerpc_session::{BoxFuture, Handler, Reply, Request, Session};
use telerpc_socket::{code, Status};
use tokio::sync::watch;

/// Every test must finish within this.
pub(crate) const DEADLINE: Duration = Duration::from_secs(10);

/// Runs `future`, failing the test if it takes longer than [`DEADLINE`].
pub(crate) async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the test hung")
}

/// Polls `condition` every few milliseconds until it holds; the caller bounds the wait.
pub(crate) async fn eventually(mut condition: impl FnMut() -> bool) {
    while !condition() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// A directory of its own under the system's temporary directory, removed when dropped.
#[derive(Debug)]
pub(crate) struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory whose name contains `name`.
    pub(crate) fn new(name: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!("telerpc-peer-{name}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&path).expect("a temporary directory");
        Self(path)
    }

    /// The directory.
    pub(crate) fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A small service, shared by clones:
///
/// | method | body | answer |
/// |---|---|---|
/// | `/echo` | a string | the string |
/// | `/sleep` | milliseconds | the same, after sleeping that long |
/// | `/hold` | — | `"released"`, once [`release`](Self::release) is called |
/// | `/never` | — | never |
/// | `/name` | — | this service's name |
/// | `/callback` | — | `"<name of the caller>"`, by calling `/name` back on the caller |
/// | `/sessions` | — | the number of sessions of the peer of the session |
/// | PUSH `/note` | a string | recorded, see [`notes`](Self::notes) |
///
/// Every CALL is counted as [`started`](Self::started) when it reaches the handler.
#[derive(Clone, Debug)]
pub(crate) struct Service {
    name: &'static str,
    state: Arc<State>,
}

#[derive(Debug)]
struct State {
    started: AtomicUsize,
    notes: Mutex<Vec<String>>,
    released: watch::Sender<bool>,
}

impl Service {
    /// A service called `name`.
    pub(crate) fn new(name: &'static str) -> Self {
        Self {
            name,
            state: Arc::new(State {
                started: AtomicUsize::new(0),
                notes: Mutex::new(Vec::new()),
                released: watch::Sender::new(false),
            }),
        }
    }

    /// The service as a peer's handler.
    pub(crate) fn handler(&self) -> Arc<dyn Handler> {
        Arc::new(self.clone())
    }

    /// How many CALLs reached the handler.
    pub(crate) fn started(&self) -> usize {
        self.state.started.load(Ordering::SeqCst)
    }

    /// The bodies of the `/note` PUSHes received, in order.
    pub(crate) fn notes(&self) -> Vec<String> {
        self.state.notes.lock().unwrap().clone()
    }

    /// Lets every `/hold` call answer.
    pub(crate) fn release(&self) {
        self.state.released.send_replace(true);
    }
}

/// `value` as the reply to `request`, in the request's codec.
fn answer<T: Serialize + ?Sized>(request: &Request, value: &T) -> Reply {
    let codecs = request.session().config().codecs();
    Reply::encode(codecs, request.message().body_codec, value).expect("the answer encodes")
}

impl Handler for Service {
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        self.state.started.fetch_add(1, Ordering::SeqCst);
        let service = self.clone();
        Box::pin(async move {
            match request.service_method() {
                "/echo" => match request.body_as::<String>() {
                    Ok(text) => answer(&request, &text),
                    Err(status) => status.into(),
                },
                "/sleep" => match request.body_as::<u64>() {
                    Ok(ms) => {
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        answer(&request, &ms)
                    }
                    Err(status) => status.into(),
                },
                "/hold" => {
                    let mut released = service.state.released.subscribe();
                    let _ = released.wait_for(|released| *released).await;
                    answer(&request, "released")
                }
                "/never" => std::future::pending().await,
                "/name" => answer(&request, service.name),
                "/callback" => {
                    let called: Result<String, Status> = request.session().call("/name", &()).await;
                    match called {
                        Ok(name) => answer(&request, &name),
                        Err(status) => status.into(),
                    }
                }
                "/sessions" => match peer_of(request.session()) {
                    Some(peer) => answer(&request, &peer.hub().count()),
                    None => Status::new(code::INTERNAL_SERVER_ERROR, "no peer").into(),
                },
                _ => Status::from_code(code::NOT_FOUND).into(),
            }
        })
    }

    fn push(&self, request: Request) -> BoxFuture<'static, ()> {
        let service = self.clone();
        Box::pin(async move {
            if request.service_method() == "/note" {
                if let Ok(note) = request.body_as::<String>() {
                    service.state.notes.lock().unwrap().push(note);
                }
            }
        })
    }
}

/// `/echo` of `text` on `session`.
pub(crate) async fn echo(session: &Session, text: &str) -> Result<String, Status> {
    session.call("/echo", text).await
}

/// A peer serving `service` on a loopback TCP port, listening.
pub(crate) async fn start_server(service: &Service, config: PeerConfig) -> (Peer, NetAddr) {
    let peer = Peer::new(
        config
            .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
            .with_handler(service.handler()),
    );
    let addrs = peer.listen().await.expect("the server listens");
    (peer, addrs[0].clone())
}
