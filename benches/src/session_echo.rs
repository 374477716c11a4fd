//! The session tier under test: a server [`Acceptor`] whose [`Handler`] answers the benchmark
//! CALL, and [`Dialer`] sessions calling it.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use telerpc_codec::{id, Proto};
use telerpc_session::endpoint::{Acceptor, Dialer, Server, Target};
use telerpc_session::{BoxFuture, Handler, Reply, Request, Session, SessionConfig};
use telerpc_socket::{Address, SocketConfig, Status};

use crate::frames::SERVICE_METHOD;
use crate::harness::{Caller, CALL_TIMEOUT};
use crate::BenchmarkMessage;

/// The sessions' config on both sides: protobuf bodies, calls timed out after
/// [`CALL_TIMEOUT`], everything else the default.
pub fn config() -> SessionConfig {
    SessionConfig::default()
        .with_default_codec(id::PROTOBUF)
        .with_call_timeout(CALL_TIMEOUT)
}

/// Answers every CALL as the benchmark's server does: decodes the [`BenchmarkMessage`], sets
/// `field1 = "OK"` and `field2 = 100`, and replies with it in the CALL's codec. Counts the
/// CALLs it answered.
#[derive(Debug, Default)]
pub struct BenchHandler {
    answered: AtomicU64,
}

impl BenchHandler {
    /// The CALLs answered so far.
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }
}

impl Handler for BenchHandler {
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        self.answered.fetch_add(1, Ordering::Relaxed);
        Box::pin(async move {
            let Proto(call) = match request.body_as::<Proto<BenchmarkMessage>>() {
                Ok(call) => call,
                Err(status) => return status.into(),
            };
            let codecs = request.session().config().codecs();
            let codec = request.message().body_codec;
            Reply::encode(codecs, codec, &Proto(BenchmarkMessage::reply_to(&call)))
                .unwrap_or_else(|error| Status::new(500, error.to_string()).into())
        })
    }

    fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
        Box::pin(async {})
    }
}

/// Binds 127.0.0.1 on a port the OS chooses and serves sessions answered by `handler`.
/// Returns the server and its address.
pub async fn serve(
    handler: Arc<BenchHandler>,
    socket: SocketConfig,
) -> io::Result<(Server, SocketAddr)> {
    let server = Acceptor::new()
        .config(config().with_socket(socket))
        .handler(handler)
        .bind(&Target::tcp("127.0.0.1:0"))
        .await?;
    match server.local_addr() {
        Address::Inet(addr) => {
            let addr = *addr;
            Ok((server, addr))
        }
        other => Err(io::Error::other(format!(
            "bound a non-TCP address: {other}"
        ))),
    }
}

/// Dials a session to `addr` with the benchmark's [`config`] and `socket` settings.
pub async fn dial(addr: SocketAddr, socket: SocketConfig) -> Result<Session, Status> {
    Dialer::new()
        .config(config().with_socket(socket))
        .dial(&Target::from(addr))
        .await
}

/// A caller of the session tier, on one of the shared sessions.
#[derive(Debug)]
pub struct SessionCaller {
    session: Session,
    request: Proto<BenchmarkMessage>,
}

impl SessionCaller {
    /// A caller making its calls on `session`.
    pub fn new(session: Session) -> Self {
        Self {
            session,
            request: Proto(BenchmarkMessage::request()),
        }
    }

    /// `callers` callers over `sessions`, caller `i` on session `i % sessions.len()`.
    pub fn spread(sessions: &[Session], callers: usize) -> Vec<Self> {
        (0..callers)
            .map(|i| Self::new(sessions[i % sessions.len()].clone()))
            .collect()
    }
}

impl Caller for SessionCaller {
    async fn call(&mut self) -> bool {
        self.session
            .call::<Proto<BenchmarkMessage>, _>(SERVICE_METHOD, &self.request)
            .await
            .is_ok_and(|Proto(reply)| reply.field1 == "OK")
    }
}

/// `callers` session callers over `sessions` new sessions to `addr`, caller `i` on session
/// `i % sessions`. Returns the sessions too, to be closed after the run.
pub async fn callers(
    addr: SocketAddr,
    sessions: usize,
    callers: usize,
) -> Result<(Vec<Session>, Vec<SessionCaller>), Status> {
    let socket = SocketConfig::default();
    let mut opened = Vec::with_capacity(sessions);
    for _ in 0..sessions.max(1) {
        opened.push(dial(addr, socket.clone()).await?);
    }
    let callers = SessionCaller::spread(&opened, callers);
    Ok((opened, callers))
}
