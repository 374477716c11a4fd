//! Throughput and latency of the session tier beside a raw tokio echo of the same frames, in
//! the same run with the same load.
//!
//! The method of the eRPC benchmarks (the teleport/eRPC papers): one server process and one
//! client process on loopback TCP. This binary is the client; for each system it spawns itself
//! as the server (`serve <system>`, a hidden subcommand), then C callers share K connections
//! and make M sequential calls in all, after 5 untimed warm-up calls each. Both processes run
//! tokio's multi-thread runtime. The systems, one after the other:
//!
//! - **raw**: plain tokio and the socket tier's sans-I/O `RawProto`; the server answers every
//!   complete CALL frame of a read with a REPLY frame (prost decode, `reply_to`, prost encode)
//!   and writes all of them in one write; each client connection has one writer task batching
//!   its queue into one write and one reader task completing callers by seq.
//! - **session**: `telerpc-session` — an `Acceptor` whose `Handler` decodes the
//!   `BenchmarkMessage` with the protobuf codec and answers it, and `Dialer` sessions calling
//!   `Hello.Say`.
//!
//! A call succeeds only if the reply's `field1` is `"OK"`. The table gives per system the
//! throughput, latency (mean, p50, p99, p99.9, max, from an HDR histogram), errors, and the CPU
//! time of both processes; then the ratios session/raw.
//!
//! ```sh
//! cargo run --release -p telerpc-benches --bin session_throughput            # C=100 K=4 M=200,000
//! cargo run --release -p telerpc-benches --bin session_throughput -- --quick # a few seconds
//! cargo run --release -p telerpc-benches --bin session_throughput -- -c 100 -k 100  # a connection per caller
//! ```

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use telerpc_benches::child::{ChildProcess, Parent};
use telerpc_benches::harness::{self, Load};
use telerpc_benches::procfs::cpu_time;
use telerpc_benches::report::{self, Row};
use telerpc_benches::session_echo::{self, BenchHandler};
use telerpc_benches::{raw_client, raw_echo};
use telerpc_socket::SocketConfig;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The load of `--quick`: 20 callers on 2 connections, 10,000 calls.
const QUICK: (usize, usize, usize) = (20, 2, 10_000);

/// Throughput and latency of the session tier beside a raw tokio echo of the same frames.
#[derive(Debug, Parser)]
#[command(about)]
struct Options {
    /// Callers making calls at once (C).
    #[arg(short = 'c', long, default_value_t = 100)]
    callers: usize,
    /// Connections the callers share (K); as many as callers for the reference mode.
    #[arg(short = 'k', long, default_value_t = 4)]
    connections: usize,
    /// Timed calls in all (M), split evenly across the callers.
    #[arg(short = 'm', long, default_value_t = 200_000)]
    calls: usize,
    /// Untimed calls each caller makes first.
    #[arg(long, default_value_t = 5)]
    warmup: usize,
    /// A smoke run of a few seconds: 20 callers, 2 connections, 10,000 calls.
    #[arg(long, conflicts_with_all = ["callers", "connections", "calls"])]
    quick: bool,
    /// Worker threads of each process's tokio runtime; default: one per core.
    #[arg(long)]
    threads: Option<usize>,
    /// The systems to measure, in order; ratios are to the first.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = [System::Raw, System::Session])]
    systems: Vec<System>,
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

/// A system under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum System {
    /// Plain tokio, rawproto frames, prost bodies.
    Raw,
    /// telerpc-session.
    Session,
}

impl System {
    fn name(self) -> &'static str {
        match self {
            Self::Raw => "raw",
            Self::Session => "session",
        }
    }
}

fn main() -> io::Result<()> {
    let options = Options::parse();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = options.threads {
        runtime.worker_threads(threads.max(1));
    }
    runtime.enable_all().build()?.block_on(run(options))
}

/// The server child when `serve` is given, else the client: every system in turn, then the
/// table.
async fn run(options: Options) -> io::Result<()> {
    if let Some(Role::Serve { system }) = options.role {
        return serve(system).await;
    }
    let (callers, connections, calls) = if options.quick {
        QUICK
    } else {
        (options.callers, options.connections, options.calls)
    };
    let load = Load {
        callers,
        calls,
        warmup: options.warmup,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "C={callers} callers on K={connections} connections, M={calls} calls, {} warm-up calls \
         per caller; loopback TCP, server in a child process; {cores} cores, {} runtime worker \
         threads per process",
        load.warmup,
        options.threads.unwrap_or(cores),
    );
    let mut rows = Vec::new();
    for system in options.systems {
        let row = measure(system, load, connections, options.threads).await?;
        println!(
            "{}: {:.0} calls/s over {:.2} s",
            row.system,
            row.summary.throughput(),
            row.summary.elapsed.as_secs_f64()
        );
        rows.push(row);
    }
    println!("\n{}", report::table(&rows));
    Ok(())
}

/// Spawns the server of `system` (its runtime with `threads` workers), runs `load` on it over
/// `connections` connections, and returns its row.
async fn measure(
    system: System,
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
    let server_cpu = server_cpu_time(&mut server).await?;
    let client_cpu = cpu_time()?;
    let summary = match system {
        System::Raw => {
            let callers = raw_client::callers(addr, connections, load.callers).await?;
            harness::run(load, callers).await
        }
        System::Session => {
            let (sessions, callers) = session_echo::callers(addr, connections, load.callers)
                .await
                .map_err(io::Error::other)?;
            let summary = harness::run(load, callers).await;
            for session in sessions {
                session.close().await;
            }
            summary
        }
    };
    let client_cpu = cpu_time()? - client_cpu;
    let server_cpu = server_cpu_time(&mut server).await? - server_cpu;
    let status = server.finish().await?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "the {} server {status}",
            system.name()
        )));
    }
    Ok(Row {
        system: system.name().to_owned(),
        summary,
        client_cpu,
        server_cpu,
    })
}

/// The arguments that start the server child of `system`.
fn server_args(system: System, threads: Option<usize>) -> Vec<String> {
    let mut args = Vec::new();
    if let Some(threads) = threads {
        args.extend(["--threads".to_owned(), threads.to_string()]);
    }
    args.extend(["serve".to_owned(), system.name().to_owned()]);
    args
}

/// Asks the server child for its CPU time.
async fn server_cpu_time(server: &mut ChildProcess) -> io::Result<std::time::Duration> {
    server.send("cpu", "?").await?;
    let seconds: f64 = server
        .expect("cpu")
        .await?
        .parse()
        .map_err(io::Error::other)?;
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// The server child: serves `system` on 127.0.0.1, says its address, answers `cpu` requests,
/// and stops when stdin closes.
async fn serve(system: System) -> io::Result<()> {
    let mut parent = Parent::new();
    match system {
        System::Raw => {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            parent.say("addr", listener.local_addr()?);
            let (stop, stopped) = oneshot::channel::<()>();
            let serving = tokio::spawn(raw_echo::serve(listener, async {
                let _ = stopped.await;
            }));
            answer_parent(&mut parent).await?;
            let _ = stop.send(());
            serving.await.map_err(io::Error::other)?
        }
        System::Session => {
            let handler = Arc::new(BenchHandler::default());
            let (server, addr) = session_echo::serve(handler, SocketConfig::default()).await?;
            parent.say("addr", addr);
            answer_parent(&mut parent).await?;
            server.shutdown().await
        }
    }
}

/// Answers the parent's `cpu` lines with this process's CPU time in seconds, until it closes
/// stdin.
async fn answer_parent(parent: &mut Parent) -> io::Result<()> {
    while let Some((key, _)) = parent.next().await? {
        if key == "cpu" {
            parent.say("cpu", cpu_time()?.as_secs_f64());
        }
    }
    Ok(())
}
