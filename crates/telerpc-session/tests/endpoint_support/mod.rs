//! What the endpoint tests share: time limits, unique Unix socket paths, a handler that echoes
//! and a listener that counts.

// Each test binary compiles this module for itself and uses a different subset of it.
#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use telerpc_session::{BoxFuture, EventListener, Handler, Reply, Request, Session};
use telerpc_socket::{code, Address, Status};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Every test must finish within this.
pub(crate) const DEADLINE: Duration = Duration::from_secs(5);

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

/// A socket path in the temporary directory, unique to this process and call.
pub(crate) fn unix_path(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("telerpc-{}-{name}-{n}.sock", std::process::id()))
}

/// The internet address in `address`.
pub(crate) fn inet(address: &Address) -> SocketAddr {
    match address {
        Address::Inet(addr) => *addr,
        other => panic!("not an internet address: {other:?}"),
    }
}

/// `/echo` answers its string body; `/sleep` answers after 10 s; anything else is 404.
#[derive(Debug)]
pub(crate) struct Echo;

impl Handler for Echo {
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        Box::pin(async move {
            match request.service_method() {
                "/echo" => {
                    let text: String = match request.body_as() {
                        Ok(text) => text,
                        Err(status) => return status.into(),
                    };
                    let codecs = request.session().config().codecs();
                    Reply::encode(codecs, request.message().body_codec, &text)
                        .expect("a string encodes")
                }
                "/sleep" => {
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    Reply::new()
                }
                _ => Status::from_code(code::NOT_FOUND).into(),
            }
        })
    }

    fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// Counts opens and closes; refuses every session with 401 when built with `refusing`.
#[derive(Debug, Default)]
pub(crate) struct Events {
    refuse: bool,
    opened: AtomicUsize,
    closed: AtomicUsize,
}

impl Events {
    /// A listener that refuses every session.
    pub(crate) fn refusing() -> Self {
        Self {
            refuse: true,
            ..Self::default()
        }
    }

    /// How many times `on_open` fired.
    pub(crate) fn opened(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }

    /// How many times `on_close` fired.
    pub(crate) fn closed(&self) -> usize {
        self.closed.load(Ordering::SeqCst)
    }
}

impl EventListener for Events {
    fn on_open(&self, _session: &Session) -> Result<(), Status> {
        self.opened.fetch_add(1, Ordering::SeqCst);
        if self.refuse {
            return Err(Status::from_code(code::UNAUTHORIZED));
        }
        Ok(())
    }

    fn on_close(&self, _session: &Session) {
        self.closed.fetch_add(1, Ordering::SeqCst);
    }
}

/// Echoes `text` through `session`.
pub(crate) async fn echo(session: &Session, text: &str) -> Result<String, Status> {
    session.call::<String, _>("/echo", text).await
}

/// A listener that never accepts, with a backlog of 1, and the connections that filled its
/// queue: from then on the kernel drops new SYNs and a connect hangs.
pub(crate) async fn full_listener() -> (TcpListener, std::net::SocketAddr, Vec<TcpStream>) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let addr = socket.local_addr().unwrap();
    let listener = socket.listen(1).unwrap();
    let mut filling = Vec::new();
    for _ in 0..64 {
        match tokio::time::timeout(Duration::from_millis(200), TcpStream::connect(addr)).await {
            Ok(stream) => filling.push(stream.unwrap()),
            Err(_) => return (listener, addr, filling),
        }
    }
    panic!("the accept queue never filled");
}
