//! Memory per idle TCP session, on the client side and on the server side.
//!
//! This binary is the client; it spawns itself as the server (`serve`, a hidden subcommand),
//! so each side is a process of its own (and has its own 20,000-descriptor limit). Both count
//! live heap bytes with `stats_alloc`'s instrumented system allocator and read their resident
//! set size from `/proc/self/status`, at three moments:
//!
//! 1. **before**: the server listening, the client connected to nothing;
//! 2. **all open**: N sessions open between the two processes, none used yet;
//! 3. **used once, then idle**: each session has made (client) or answered (server) one
//!    benchmark call (the 581-byte request, the 527-byte answer), then both sides sat idle for
//!    a second.
//!
//! and print, per side, what each session added since *before*. The target is at most 8 KiB
//! per idle session on each side.
//!
//! `--kind session` (the default) measures `telerpc-session` sessions made by an `Acceptor`
//! and a `Dialer`; `--kind socket` is the baseline of the tier below: bare `telerpc-socket`
//! sockets, the server with one task per socket answering its CALLs, the client holding its
//! sockets without a task.
//!
//! ```sh
//! cargo run --release -p telerpc-benches --bin idle_sessions                   # 10,000 sessions
//! cargo run --release -p telerpc-benches --bin idle_sessions -- --kind socket  # the baseline
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand, ValueEnum};
use telerpc_benches::child::{ChildProcess, Parent, LINE_TIMEOUT};
use telerpc_benches::harness::Caller;
use telerpc_benches::memory::{idle_table, Phases, Snapshot};
use telerpc_benches::session_echo::{self, BenchHandler, SessionCaller};
use telerpc_benches::socket_echo::{self, Counts};
use telerpc_benches::BenchmarkMessage;
use telerpc_session::Session;
use telerpc_socket::{SocketConfig, TcpSocket, DEFAULT_READ_BUFFER_CAPACITY};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

#[global_allocator]
static ALLOCATOR: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// Memory per idle TCP session, client side and server side, in two processes.
#[derive(Debug, Parser)]
#[command(about)]
struct Options {
    /// Sessions to hold open (N).
    #[arg(short = 'n', long, default_value_t = 10_000)]
    sessions: usize,
    /// What a session is: a telerpc-session session, or a bare telerpc-socket socket.
    #[arg(long, value_enum, default_value_t = Kind::Session)]
    kind: Kind,
    /// The read buffer's initial capacity of every socket, in bytes, on both sides.
    #[arg(long, default_value_t = DEFAULT_READ_BUFFER_CAPACITY)]
    read_buffer: usize,
    /// How long both sides sit idle before the last measurement, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    idle_ms: u64,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// The server child: accepts sessions on 127.0.0.1 and measures itself when told.
    #[command(hide = true)]
    Serve,
}

/// What one held connection is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Kind {
    /// A telerpc-session session.
    Session,
    /// A bare telerpc-socket socket.
    Socket,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Session => "session",
            Self::Socket => "socket",
        }
    }
}

#[tokio::main]
async fn main() -> io::Result<()> {
    let options = Options::parse();
    let socket = SocketConfig::default().with_read_buffer_capacity(options.read_buffer);
    let idle = Duration::from_millis(options.idle_ms);
    match options.role {
        Some(Role::Serve) => serve(options.kind, socket, idle).await,
        None => measure(&options, socket, idle).await,
    }
}

/// The client: spawns the server, opens, uses and idles the sessions, and prints both sides'
/// figures.
async fn measure(options: &Options, socket: SocketConfig, idle: Duration) -> io::Result<()> {
    let n = options.sessions;
    let began = Instant::now();
    let mut server = ChildProcess::spawn([
        "--kind",
        options.kind.name(),
        "--read-buffer",
        &options.read_buffer.to_string(),
        "--idle-ms",
        &options.idle_ms.to_string(),
        "serve",
    ])?;
    let addr: SocketAddr = server
        .expect("addr")
        .await?
        .parse()
        .map_err(io::Error::other)?;
    let server_before = snapshot_of(&server.expect("before").await?)?;
    let client_before = Snapshot::take()?;

    let mut held = Held::open(options.kind, addr, socket, n).await?;
    let client_opened = Snapshot::take()?;
    server.send("opened", n).await?;
    let server_opened = snapshot_of(&server.expect("opened").await?)?;

    let failed = held.call_each().await;
    tokio::time::sleep(idle).await;
    let client_idle = Snapshot::take()?;
    server.send("idle", n).await?;
    let server_idle = snapshot_of(&server.expect("idle").await?)?;

    println!(
        "{n} idle {} connections over loopback TCP, client and server in two processes; \
         {} failed calls; {:.1} s",
        options.kind.name(),
        failed,
        began.elapsed().as_secs_f64(),
    );
    println!(
        "\n{}",
        idle_table(
            n,
            &[
                (
                    "client",
                    Phases {
                        before: client_before,
                        opened: client_opened,
                        idle: client_idle,
                    },
                ),
                (
                    "server",
                    Phases {
                        before: server_before,
                        opened: server_opened,
                        idle: server_idle,
                    },
                ),
            ],
        )
    );
    drop(held);
    server.finish().await?;
    Ok(())
}

fn snapshot_of(text: &str) -> io::Result<Snapshot> {
    Snapshot::parse(text).ok_or_else(|| io::Error::other(format!("not a snapshot: {text:?}")))
}

/// The client's connections.
enum Held {
    Sessions(Vec<Session>),
    Sockets(Vec<TcpSocket>),
}

impl Held {
    /// Opens `n` connections of `kind` to `addr`, one after the other.
    async fn open(
        kind: Kind,
        addr: SocketAddr,
        socket: SocketConfig,
        n: usize,
    ) -> io::Result<Self> {
        Ok(match kind {
            Kind::Session => {
                let mut sessions = Vec::with_capacity(n);
                for _ in 0..n {
                    let session = session_echo::dial(addr, socket.clone())
                        .await
                        .map_err(io::Error::other)?;
                    sessions.push(session);
                }
                Self::Sessions(sessions)
            }
            Kind::Socket => {
                let mut sockets = Vec::with_capacity(n);
                for _ in 0..n {
                    sockets.push(socket_echo::connect(addr, socket.clone()).await?);
                }
                Self::Sockets(sockets)
            }
        })
    }

    /// Makes one benchmark call on every connection, one after the other; returns how many
    /// failed.
    async fn call_each(&mut self) -> usize {
        let mut failed = 0;
        match self {
            Self::Sessions(sessions) => {
                for session in sessions.iter() {
                    let mut caller = SessionCaller::new(session.clone());
                    failed += usize::from(!caller.call().await);
                }
            }
            Self::Sockets(sockets) => {
                let request = BenchmarkMessage::request();
                for socket in sockets.iter_mut() {
                    failed += usize::from(!socket_echo::call_once(socket, &request).await);
                }
            }
        }
        failed
    }
}

/// What the server counts: connections held and CALLs answered.
enum Served {
    Sessions(telerpc_session::endpoint::Server, Arc<BenchHandler>),
    Sockets(Arc<Counts>, oneshot::Sender<()>),
}

impl Served {
    fn held(&self) -> u64 {
        match self {
            Self::Sessions(server, _) => server.counter().live() as u64,
            Self::Sockets(counts, _) => counts.accepted(),
        }
    }

    fn answered(&self) -> u64 {
        match self {
            Self::Sessions(_, handler) => handler.answered(),
            Self::Sockets(counts, _) => counts.answered(),
        }
    }

    /// Stops accepting and closes what it holds.
    async fn stop(self) -> io::Result<()> {
        match self {
            Self::Sessions(server, _) => server.shutdown().await,
            Self::Sockets(_, stop) => {
                let _ = stop.send(());
                Ok(())
            }
        }
    }
}

/// The server child: says its address and its first snapshot, then answers `opened <n>` and
/// `idle <n>` with a snapshot once it holds `n` connections, or has answered `n` calls and
/// sat idle; stops when stdin closes.
async fn serve(kind: Kind, socket: SocketConfig, idle: Duration) -> io::Result<()> {
    let mut parent = Parent::new();
    let served = match kind {
        Kind::Session => {
            let handler = Arc::new(BenchHandler::default());
            let (server, addr) = session_echo::serve(Arc::clone(&handler), socket).await?;
            parent.say("addr", addr);
            Served::Sessions(server, handler)
        }
        Kind::Socket => {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            parent.say("addr", listener.local_addr()?);
            let counts = Arc::new(Counts::default());
            let (stop, stopped) = oneshot::channel::<()>();
            tokio::spawn(socket_echo::serve(
                listener,
                socket,
                Arc::clone(&counts),
                async {
                    let _ = stopped.await;
                },
            ));
            Served::Sockets(counts, stop)
        }
    };
    parent.say("before", Snapshot::take()?);
    while let Some((key, value)) = parent.next().await? {
        let n: u64 = value.parse().map_err(io::Error::other)?;
        match key.as_str() {
            "opened" => {
                wait_until(|| served.held() >= n).await?;
                parent.say("opened", Snapshot::take()?);
            }
            "idle" => {
                wait_until(|| served.answered() >= n).await?;
                tokio::time::sleep(idle).await;
                parent.say("idle", Snapshot::take()?);
            }
            other => return Err(io::Error::other(format!("unknown request {other:?}"))),
        }
    }
    served.stop().await
}

/// Waits until `done` holds, checking every 10 ms, at most [`LINE_TIMEOUT`].
async fn wait_until(done: impl Fn() -> bool) -> io::Result<()> {
    let deadline = Instant::now() + LINE_TIMEOUT;
    while !done() {
        if Instant::now() > deadline {
            return Err(io::Error::other("the connections did not come in time"));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}
