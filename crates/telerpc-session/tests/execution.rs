//! Where handlers run: ordered mode keeps arrival order; inline, spawn and pool modes bound
//! how many run at once, and reading pauses while they are saturated.

mod support;

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use telerpc_session::{BoxFuture, Execution, Handler, Pool, Reply, Request, SessionConfig};
use tokio::sync::{mpsc, Semaphore};

use support::{duplex_sockets, start, within};

const PUSHES: u64 = 1000;

/// A handler that sleeps a pseudo-random 1 to 256 µs for each even-numbered push and not at
/// all for odd ones, then reports the push's number.
struct Jittery {
    handled: mpsc::UnboundedSender<u64>,
    state: AtomicU64,
}

impl Jittery {
    /// The next pause: a linear congruential step.
    fn pause(&self) -> Duration {
        let next = self
            .state
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        Duration::from_micros(1 + (next >> 56))
    }
}

impl Handler for Jittery {
    fn call(&self, _request: Request) -> BoxFuture<'static, Reply> {
        Box::pin(async { Reply::new() })
    }

    fn push(&self, request: Request) -> BoxFuture<'static, ()> {
        let pause = self.pause();
        let handled = self.handled.clone();
        Box::pin(async move {
            let number: u64 = request.body_as().expect("a number");
            if number.is_multiple_of(2) {
                tokio::time::sleep(pause).await;
            }
            let _ = handled.send(number);
        })
    }
}

/// Sends `PUSHES` numbered pushes to a session running `execution` with [`Jittery`]; returns
/// the numbers in the order they were handled.
async fn handled_order(execution: Execution) -> Vec<u64> {
    let (handled, mut order) = mpsc::unbounded_channel();
    let handler = Arc::new(Jittery {
        handled,
        state: AtomicU64::new(7),
    });
    let (a, b) = duplex_sockets(64 * 1024);
    let sender = start(a, SessionConfig::default(), None, None).await;
    let config = SessionConfig::default().with_execution(execution);
    let _receiver = start(b, config, Some(handler), None).await;
    for n in 0..PUSHES {
        sender.push("/numbered", &n).await.unwrap();
    }
    let mut numbers = Vec::new();
    while numbers.len() < PUSHES as usize {
        numbers.push(order.recv().await.unwrap());
    }
    numbers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ordered_mode_handles_pushes_in_arrival_order() {
    within(async {
        let order = handled_order(Execution::Ordered { queue: 16 }).await;
        assert_eq!(order, (0..PUSHES).collect::<Vec<_>>());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawn_mode_is_free_to_reorder() {
    within(async {
        let mut order = handled_order(Execution::Spawn { max_in_flight: 64 }).await;
        assert_ne!(
            order,
            (0..PUSHES).collect::<Vec<_>>(),
            "handlers overlapped"
        );
        order.sort_unstable();
        assert_eq!(
            order,
            (0..PUSHES).collect::<Vec<_>>(),
            "every push handled once"
        );
    })
    .await;
}

/// How many handlers run at once, and the most that ever did.
#[derive(Debug, Default)]
struct Concurrency {
    running: AtomicUsize,
    most: AtomicUsize,
}

/// A handler whose calls and pushes each wait for a permit of `gate`, counting how many run
/// at once and reporting each start.
struct Gated {
    gate: Arc<Semaphore>,
    concurrency: Arc<Concurrency>,
    started: mpsc::UnboundedSender<()>,
}

impl Gated {
    fn run(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let running = self.concurrency.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.concurrency.most.fetch_max(running, Ordering::SeqCst);
        let _ = self.started.send(());
        let (gate, concurrency) = (Arc::clone(&self.gate), Arc::clone(&self.concurrency));
        async move {
            gate.acquire().await.unwrap().forget();
            concurrency.running.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

impl Handler for Gated {
    fn call(&self, _request: Request) -> BoxFuture<'static, Reply> {
        let run = self.run();
        Box::pin(async move {
            run.await;
            Reply::new()
        })
    }

    fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
        Box::pin(self.run())
    }
}

/// Starts `servers` sessions running `execution` with one [`Gated`] handler, each with a
/// client making `calls` calls; lets the handlers finish one at a time once `limit` have
/// started; returns the most that ever ran at once.
async fn most_at_once(execution: Execution, servers: usize, calls: usize, limit: usize) -> usize {
    let gate = Arc::new(Semaphore::new(0));
    let concurrency = Arc::new(Concurrency::default());
    let (started_tx, mut started) = mpsc::unbounded_channel();
    let handler = Arc::new(Gated {
        gate: Arc::clone(&gate),
        concurrency: Arc::clone(&concurrency),
        started: started_tx,
    });
    let mut tasks = Vec::new();
    let mut sessions = Vec::new();
    for _ in 0..servers {
        let (a, b) = duplex_sockets(64 * 1024);
        let client = start(a, SessionConfig::default(), None, None).await;
        let config = SessionConfig::default().with_execution(execution.clone());
        let server = start(b, config, Some(handler.clone()), None).await;
        for n in 0..calls {
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                client.call::<(), _>("/gated", &n).await
            }));
        }
        sessions.push((client, server));
    }
    let total = servers * calls;
    for _ in 0..limit {
        started.recv().await.unwrap();
    }
    for _ in limit..total {
        gate.add_permits(1);
        started.recv().await.unwrap();
    }
    gate.add_permits(limit);
    for task in tasks {
        task.await.unwrap().expect("every call answered");
    }
    concurrency.most.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spawn_mode_runs_at_most_max_in_flight_per_session() {
    within(async {
        let most = most_at_once(Execution::Spawn { max_in_flight: 3 }, 1, 10, 3).await;
        assert_eq!(most, 3);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pool_bounds_handlers_across_every_session_sharing_it() {
    within(async {
        let pool = Pool::new(2);
        let most = most_at_once(Execution::Pool(pool.clone()), 3, 4, 2).await;
        assert_eq!(most, 2);
        assert_eq!(pool.available(), 2, "every permit came back");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_and_ordered_modes_run_one_handler_at_a_time() {
    within(async {
        assert_eq!(most_at_once(Execution::Inline, 1, 5, 1).await, 1);
        assert_eq!(
            most_at_once(Execution::Ordered { queue: 2 }, 1, 5, 1).await,
            1
        );
    })
    .await;
}

#[tokio::test]
async fn saturated_handlers_pause_reading_so_the_sender_feels_backpressure() {
    within(async {
        let gate = Arc::new(Semaphore::new(0));
        let (started_tx, mut started) = mpsc::unbounded_channel();
        let handler = Arc::new(Gated {
            gate: Arc::clone(&gate),
            concurrency: Arc::default(),
            started: started_tx,
        });
        let (a, b) = duplex_sockets(4096);
        let sender_config = SessionConfig::default()
            .with_queue_capacity(8)
            .with_queue_policy(telerpc_session::QueuePolicy::FailFast);
        let sender = start(a, sender_config, None, None).await;
        let config = SessionConfig::default().with_execution(Execution::Spawn { max_in_flight: 2 });
        let receiver = start(b, config, Some(handler), None).await;

        let body = "x".repeat(500);
        let mut sent = 0_usize;
        let refused = loop {
            assert!(sent < 100_000, "the receiver buffered without bound");
            match sender.push("/gated", &body).await {
                Ok(()) => sent += 1,
                Err(status) => break status,
            }
            tokio::task::yield_now().await;
        };
        assert_eq!(refused.code(), telerpc_socket::code::WRITE_FAILED);
        started.recv().await.unwrap();
        started.recv().await.unwrap();
        assert!(started.try_recv().is_err(), "only two handlers started");
        assert!(receiver.stats().messages_in < sent as u64, "reading paused");
        gate.add_permits(sent);
    })
    .await;
}
