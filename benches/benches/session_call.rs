//! One call through the session tier, end to end in memory: two `telerpc-session` sessions over
//! a `tokio::io::duplex` pipe on a current-thread tokio runtime, the server side answering with
//! the benchmark's [`BenchHandler`], the client calling
//! `session.call::<Proto<BenchmarkMessage>, _>("Hello.Say", &request)`.
//!
//! A call's round trip is everything but the network: encode body and frame, the outbound queue,
//! the writer task, the server's reader, the handler task (decode, answer, encode), the way back,
//! and the reply's decode, all tasks on one thread.
//!
//! - `session_call/sequential`: one call at a time; time per call.
//! - `session_call/concurrent_joined/32`: 32 calls in flight at once on the one session, their
//!   futures joined in the benchmark's task; reported per call.
//! - `session_call/concurrent_tasks/32`: the same 32 calls, a spawned task each, as separate
//!   callers make them; reported per call.
//!
//! Each sample runs its whole loop within one `block_on`, so the runtime's entry is not timed.

use std::future::{poll_fn, Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use telerpc_benches::frames::SERVICE_METHOD;
use telerpc_benches::session_echo::{self, BenchHandler};
use telerpc_benches::BenchmarkMessage;
use telerpc_codec::Proto;
use telerpc_session::Session;
use telerpc_socket::{Socket, Status};
use tokio::runtime::Runtime;
use tokio::task::JoinSet;

/// Calls in flight at once in the concurrent variants.
const IN_FLIGHT: usize = 32;
/// Bytes the duplex pipe buffers each way: room for every frame of the concurrent variants.
const PIPE_CAPACITY: usize = 64 * 1024;

/// A reply's outcome, checked as the throughput benchmark checks it.
fn answered(reply: Result<Proto<BenchmarkMessage>, Status>) {
    let Proto(reply) = reply.expect("the call is answered");
    assert_eq!(reply.field1, "OK");
}

/// A client session and a server session answering with `handler`, over one duplex pipe.
async fn session_pair(handler: Arc<BenchHandler>) -> (Session, Session) {
    let (client, server) = tokio::io::duplex(PIPE_CAPACITY);
    let server = Session::builder()
        .config(session_echo::config())
        .handler(handler)
        .start(Socket::new(server))
        .await
        .expect("the server session starts");
    let client = Session::builder()
        .config(session_echo::config())
        .start(Socket::new(client))
        .await
        .expect("the client session starts");
    (client, server)
}

/// Awaits every future of `calls` at once in the current task, polling those still pending
/// whenever one of them wakes it.
async fn join_all<T>(calls: Vec<Pin<Box<dyn Future<Output = T> + Send>>>) -> Vec<T> {
    let mut calls: Vec<_> = calls.into_iter().map(Some).collect();
    let mut outcomes: Vec<Option<T>> = calls.iter().map(|_| None).collect();
    poll_fn(|cx| {
        let mut pending = false;
        for (slot, outcome) in calls.iter_mut().zip(&mut outcomes) {
            if let Some(call) = slot {
                match call.as_mut().poll(cx) {
                    Poll::Ready(value) => {
                        *outcome = Some(value);
                        *slot = None;
                    }
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outcomes.into_iter().flatten().collect()
}

fn session_call(c: &mut Criterion) {
    let runtime: Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a current-thread runtime");
    let (client, server) = runtime.block_on(session_pair(Arc::new(BenchHandler::default())));
    let request = Proto(BenchmarkMessage::request());

    let mut group = c.benchmark_group("session_call");
    group.throughput(Throughput::Elements(1));
    group.bench_function("sequential", |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    answered(
                        client
                            .call::<Proto<BenchmarkMessage>, _>(SERVICE_METHOD, &request)
                            .await,
                    );
                }
                start.elapsed()
            })
        })
    });

    group.throughput(Throughput::Elements(IN_FLIGHT as u64));
    group.bench_function(BenchmarkId::new("concurrent_joined", IN_FLIGHT), |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let start = Instant::now();
                for _ in 0..iters {
                    let calls = (0..IN_FLIGHT)
                        .map(|_| {
                            client
                                .call::<Proto<BenchmarkMessage>, _>(SERVICE_METHOD, &request)
                                .into_future()
                        })
                        .collect();
                    for reply in join_all(calls).await {
                        answered(reply);
                    }
                }
                start.elapsed()
            })
        })
    });
    group.bench_function(BenchmarkId::new("concurrent_tasks", IN_FLIGHT), |b| {
        b.iter_custom(|iters| {
            runtime.block_on(async {
                let mut tasks = JoinSet::new();
                let start = Instant::now();
                for _ in 0..iters {
                    for _ in 0..IN_FLIGHT {
                        tasks.spawn(
                            client
                                .call::<Proto<BenchmarkMessage>, _>(SERVICE_METHOD, &request)
                                .into_future(),
                        );
                    }
                    while let Some(reply) = tasks.join_next().await {
                        answered(reply.expect("the call's task ends"));
                    }
                }
                start.elapsed()
            })
        })
    });
    group.finish();

    runtime.block_on(async {
        client.close().await;
        tokio::time::timeout(Duration::from_secs(10), server.closed())
            .await
            .expect("the server session ends after the client's close");
    });
}

criterion_group!(benches, session_call);
criterion_main!(benches);
