//! telerpc side by side with a raw tokio baseline and the Rust RPC stacks people use, in one
//! run, on one machine, with the same message and load.
//!
//! The method of the eRPC benchmarks (the project's benchmark notes): one server process and
//! one client process on loopback TCP, the 581-byte protobuf message, C callers making M
//! sequential calls in all, 5 untimed warm-up calls per caller. This binary is the client; for
//! each system and mode it spawns itself as a fresh server (`serve <system>`, a hidden
//! subcommand). Both processes run tokio's multi-thread runtime. The modes:
//!
//! - **reference**: each caller has its own connection (K = C);
//! - **multiplexed**: the C callers share K connections (`-k`, 4 by default).
//!
//! The systems (the `compare` feature adds tonic and tarpc):
//!
//! | system | what |
//! |---|---|
//! | `raw` | plain tokio: `u32 length, u64 id, payload` frames, batched writes, prost bodies |
//! | `socket` | `telerpc-socket` alone: rawproto frames, a hand-built client like raw's |
//! | `session` | `telerpc-session`: a `Handler` and dialed sessions |
//! | `telerpc` | the whole stack: `Peer`, `Router`, an async handler, the protobuf codec |
//! | `telerpc-noop-plugins` | the same with five plugins that implement no hook on each peer |
//! | `tonic` | gRPC unary over HTTP/2 |
//! | `tarpc` | bincode over TCP |
//!
//! A call succeeds only if the reply's `field1` is `"OK"`. The table gives per system and mode
//! the throughput and its ratio to raw, latency (mean, p50, p99, p99.9, max, from an HDR
//! histogram), errors, CPU seconds of client and server per 100,000 calls, CPU per call as a
//! ratio to raw, and the server's peak RSS. Every system and mode runs `--rounds` times (3 by
//! default), the systems taking turns; each row is the round of median throughput. Then
//! telerpc alone at C = 1000 in the reference mode (the memory check), unless `--no-stress`.
//!
//! ```sh
//! cargo run --release -p telerpc-benches --features compare --bin compare   # everything
//! cargo run --release -p telerpc-benches --bin compare -- --quick           # a smoke run
//! ```

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use telerpc_benches::child::{ChildProcess, Parent};
use telerpc_benches::harness::{self, Load};
use telerpc_benches::latency::Summary;
use telerpc_benches::procfs::{cpu_time, peak_rss_bytes};
use telerpc_benches::report::{self, Row};
use telerpc_benches::session_echo::{self, BenchHandler};
use telerpc_benches::{full_stack, raw_client, raw_echo, socket_client, socket_echo};
use telerpc_socket::SocketConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The load of `--quick`: 20 callers, 2 connections in the multiplexed mode, 10,000 calls.
const QUICK: (usize, usize, usize) = (20, 2, 10_000);

/// The callers of the memory check: one connection each.
const STRESS_CALLERS: usize = 1000;

/// How long a server may take to shut down.
const SHUTDOWN: Duration = Duration::from_secs(5);

/// telerpc side by side with a raw tokio baseline, tonic and tarpc.
#[derive(Debug, Parser)]
#[command(about)]
struct Options {
    /// Callers making calls at once (C).
    #[arg(short = 'c', long, default_value_t = 100)]
    callers: usize,
    /// Connections the callers share in the multiplexed mode (K).
    #[arg(short = 'k', long, default_value_t = 4)]
    connections: usize,
    /// Timed calls in all per system and mode (M), split evenly across the callers.
    #[arg(short = 'm', long, default_value_t = 200_000)]
    calls: usize,
    /// Untimed calls each caller makes first.
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// A smoke run: 20 callers, 2 connections, 10,000 calls, no memory check.
    #[arg(long, conflicts_with_all = ["callers", "connections", "calls"])]
    quick: bool,
    /// Worker threads of each process's tokio runtime; default: one per core.
    #[arg(long)]
    threads: Option<usize>,
    /// The modes to run, in order.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [Mode::Reference, Mode::Multiplexed])]
    modes: Vec<Mode>,
    /// The systems to measure, in order; default: all that are built in.
    #[arg(long, value_enum, value_delimiter = ',')]
    systems: Vec<System>,
    /// Rounds of every system and mode; each row of the table is the round of median
    /// throughput, so that a moment of noise on a shared machine moves no row.
    #[arg(long, default_value_t = 3)]
    rounds: usize,
    /// Skips telerpc at C = 1000.
    #[arg(long)]
    no_stress: bool,
    #[command(subcommand)]
    role: Option<Role>,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// The server child: serves `system` on 127.0.0.1 until stdin closes.
    #[command(hide = true)]
    Serve {
        /// The system to serve.
        system: System,
    },
}

/// How the callers use connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Mode {
    /// A connection per caller.
    Reference,
    /// The callers share K connections.
    Multiplexed,
}

/// A system under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum System {
    /// Plain tokio.
    Raw,
    /// telerpc-socket alone.
    Socket,
    /// telerpc-session.
    Session,
    /// The whole telerpc stack.
    Telerpc,
    /// The whole stack with five plugins that implement no hook on each peer.
    TelerpcNoopPlugins,
    /// gRPC unary over tonic.
    #[cfg(feature = "compare")]
    Tonic,
    /// tarpc, bincode over TCP.
    #[cfg(feature = "compare")]
    Tarpc,
}

/// How many no-op plugins each peer of `telerpc-noop-plugins` carries.
const NOOP_PLUGINS: usize = 5;

impl System {
    fn name(self) -> String {
        name_of(self)
    }

    /// The no-op plugins each peer of the system carries.
    fn noop_plugins(self) -> usize {
        if self == Self::TelerpcNoopPlugins {
            NOOP_PLUGINS
        } else {
            0
        }
    }
}

/// The name `value` takes on the command line.
fn name_of(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map_or_else(String::new, |value| value.get_name().to_owned())
}

fn main() -> io::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_max_level(tracing::Level::WARN)
        .init();
    let options = Options::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = options.threads {
        runtime.worker_threads(threads.max(1));
    }
    runtime.enable_all().build()?.block_on(run(options))
}

/// The server child when `serve` is given, else the client: every mode and system in turn,
/// then the table.
async fn run(options: Options) -> io::Result<()> {
    if let Some(Role::Serve { system }) = options.role {
        return serve(system).await;
    }
    let (callers, connections, calls) = if options.quick {
        QUICK
    } else {
        (options.callers, options.connections, options.calls)
    };
    let systems = if options.systems.is_empty() {
        System::value_variants().to_vec()
    } else {
        options.systems.clone()
    };
    let load = Load {
        callers,
        calls,
        warmup: options.warmup,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "C={callers} callers, M={calls} calls per system and mode, {} warm-up calls per caller; \
         loopback TCP, server in a child process; {cores} cores, {} runtime worker threads per \
         process",
        load.warmup,
        options.threads.unwrap_or(cores),
    );
    let rounds = if options.quick {
        1
    } else {
        options.rounds.max(1)
    };
    let mut runs = Vec::new();
    for round in 1..=rounds {
        println!("round {round} of {rounds}");
        for &mode in &options.modes {
            let connections = match mode {
                Mode::Reference => callers,
                Mode::Multiplexed => connections,
            };
            for &system in &systems {
                runs.push(measure(system, mode, load, connections, options.threads).await?);
            }
        }
    }
    println!("\n{}", report::table(&report::medians(runs)));
    if !options.quick && !options.no_stress {
        let load = Load {
            callers: STRESS_CALLERS,
            ..load
        };
        let row = measure(
            System::Telerpc,
            Mode::Reference,
            load,
            STRESS_CALLERS,
            options.threads,
        )
        .await?;
        println!(
            "Memory check, C={STRESS_CALLERS}:\n\n{}",
            report::table(&[row])
        );
    }
    Ok(())
}

/// Spawns a server of `system`, runs `load` on it over `connections` connections, and returns
/// its row.
async fn measure(
    system: System,
    mode: Mode,
    load: Load,
    connections: usize,
    threads: Option<usize>,
) -> io::Result<Row> {
    let mut server = ChildProcess::spawn(server_args(system, threads))?;
    let addr: SocketAddr = server
        .expect("addr")
        .await?
        .parse()
        .map_err(io::Error::other)?;
    let server_cpu = ask(&mut server, "cpu").await?;
    let client_cpu = cpu_time()?;
    let summary = run_load(system, addr, load, connections).await?;
    let client_cpu = cpu_time()? - client_cpu;
    let server_cpu = ask(&mut server, "cpu").await? - server_cpu;
    let server_peak_rss = ask(&mut server, "peak-rss").await?;
    let status = server.finish().await?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "the {} server {status}",
            system.name()
        )));
    }
    let row = Row {
        system: system.name(),
        mode: format!("{} C={} K={connections}", name_of(mode), load.callers),
        summary,
        client_cpu,
        server_cpu: Duration::from_secs_f64(server_cpu),
        server_peak_rss: server_peak_rss as u64,
    };
    println!(
        "{} {}: {:.0} calls/s over {:.2} s, {} errors",
        row.system,
        row.mode,
        row.summary.throughput(),
        row.summary.elapsed.as_secs_f64(),
        row.summary.errors
    );
    Ok(row)
}

/// Runs `load` with callers of `system` on `connections` connections to `addr`.
async fn run_load(
    system: System,
    addr: SocketAddr,
    load: Load,
    connections: usize,
) -> io::Result<Summary> {
    let callers = load.callers;
    Ok(match system {
        System::Raw => {
            harness::run(load, raw_client::callers(addr, connections, callers).await?).await
        }
        System::Socket => {
            harness::run(
                load,
                socket_client::callers(addr, connections, callers).await?,
            )
            .await
        }
        System::Session => {
            let (sessions, callers) = session_echo::callers(addr, connections, callers)
                .await
                .map_err(io::Error::other)?;
            let summary = harness::run(load, callers).await;
            for session in sessions {
                session.close().await;
            }
            summary
        }
        System::Telerpc | System::TelerpcNoopPlugins => {
            let plugins = system.noop_plugins();
            let (peer, callers) = full_stack::callers(addr, connections, callers, plugins)
                .await
                .map_err(io::Error::other)?;
            let summary = harness::run(load, callers).await;
            peer.shutdown(SHUTDOWN).await;
            summary
        }
        #[cfg(feature = "compare")]
        System::Tonic => {
            let callers = telerpc_benches::tonic_echo::callers(addr, connections, callers).await?;
            harness::run(load, callers).await
        }
        #[cfg(feature = "compare")]
        System::Tarpc => {
            let callers = telerpc_benches::tarpc_echo::callers(addr, connections, callers).await?;
            harness::run(load, callers).await
        }
    })
}

/// The arguments that start the server child of `system`.
fn server_args(system: System, threads: Option<usize>) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(threads) = threads {
        args.extend(["--threads".to_owned(), threads.to_string()]);
    }
    args.extend(["serve".to_owned(), system.name()]);
    args
}

/// Asks the server child for `key` (`cpu`: seconds; `peak-rss`: bytes).
async fn ask(server: &mut ChildProcess, key: &str) -> io::Result<f64> {
    server.send(key, "?").await?;
    server.expect(key).await?.parse().map_err(io::Error::other)
}

/// The server child: serves `system` on 127.0.0.1, says its address, answers the parent's
/// questions, and stops when stdin closes.
async fn serve(system: System) -> io::Result<()> {
    let mut parent = Parent::new();
    match system {
        System::Session => {
            let handler = std::sync::Arc::new(BenchHandler::default());
            let (server, addr) = session_echo::serve(handler, SocketConfig::default()).await?;
            parent.say("addr", addr);
            answer_parent(&mut parent).await?;
            server.shutdown().await
        }
        System::Telerpc | System::TelerpcNoopPlugins => {
            let (peer, addr) = full_stack::serve(system.noop_plugins()).await?;
            parent.say("addr", addr);
            answer_parent(&mut parent).await?;
            peer.shutdown(SHUTDOWN).await;
            Ok(())
        }
        _ => {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            parent.say("addr", listener.local_addr()?);
            let (stop, stopped) = oneshot::channel::<()>();
            let stopped = async {
                let _ = stopped.await;
            };
            let serving = match system {
                System::Socket => tokio::spawn(socket_echo::serve(
                    listener,
                    SocketConfig::default(),
                    Default::default(),
                    stopped,
                )),
                #[cfg(feature = "compare")]
                System::Tonic => {
                    tokio::spawn(telerpc_benches::tonic_echo::serve(listener, stopped))
                }
                #[cfg(feature = "compare")]
                System::Tarpc => {
                    tokio::spawn(telerpc_benches::tarpc_echo::serve(listener, stopped))
                }
                _ => tokio::spawn(raw_echo::serve(listener, stopped)),
            };
            answer_parent(&mut parent).await?;
            let _ = stop.send(());
            serving.await.map_err(io::Error::other)?
        }
    }
}

/// Answers the parent's `cpu` and `peak-rss` lines until it closes stdin.
async fn answer_parent(parent: &mut Parent) -> io::Result<()> {
    while let Some((key, _)) = parent.next().await? {
        match key.as_str() {
            "cpu" => parent.say("cpu", cpu_time()?.as_secs_f64()),
            "peak-rss" => parent.say("peak-rss", peak_rss_bytes()?),
            _ => {}
        }
    }
    Ok(())
}
