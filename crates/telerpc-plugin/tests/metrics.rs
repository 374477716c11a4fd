//! The metrics plugin over TCP: OK, error, unknown, panicking and timed-out calls, pushes and
//! the open-sessions gauge, recorded with the right names, labels and units.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use metrics::{Key, Unit};
use metrics_util::debugging::{DebugValue, DebuggingRecorder, Snapshotter};
use support::{dialed, shut_down, within};
use telerpc_peer::Peer;
use telerpc_plugin::metrics::{
    Metrics, CALLS_TOTAL, CALL_DURATION_SECONDS, PUSHES_TOTAL, SESSIONS_OPEN,
};
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::Session;
use telerpc_socket::{code, Status};
use tokio::sync::mpsc;

/// Every metric recorded so far: the debugging recorder hands out deltas (each snapshot
/// resets what it read), added up here.
#[derive(Debug, Default)]
struct Seen {
    counters: HashMap<String, u64>,
    gauges: HashMap<String, f64>,
    histograms: HashMap<String, Vec<f64>>,
    units: HashMap<String, Unit>,
}

impl Seen {
    fn take(&mut self, snapshotter: &Snapshotter) {
        for (key, unit, _, value) in snapshotter.snapshot().into_vec() {
            let name = key.key().name().to_owned();
            if let Some(unit) = unit {
                self.units.insert(name, unit);
            }
            let id = id(key.key());
            match value {
                DebugValue::Counter(n) => *self.counters.entry(id).or_default() += n,
                DebugValue::Gauge(x) => *self.gauges.entry(id).or_default() += x.into_inner(),
                DebugValue::Histogram(xs) => self
                    .histograms
                    .entry(id)
                    .or_default()
                    .extend(xs.into_iter().map(|x| x.into_inner())),
            }
        }
    }

    fn counter(&self, id: &str) -> u64 {
        self.counters.get(id).copied().unwrap_or(0)
    }

    fn every_label_value(&self) -> Vec<String> {
        self.counters
            .keys()
            .chain(self.gauges.keys())
            .chain(self.histograms.keys())
            .cloned()
            .collect()
    }
}

/// `name{label=value,...}` with the labels sorted.
fn id(key: &Key) -> String {
    let mut labels: Vec<String> = key
        .labels()
        .map(|label| format!("{}={}", label.key(), label.value()))
        .collect();
    labels.sort();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

/// Polls `snapshotter` into `seen` until `done` holds.
async fn until(seen: &mut Seen, snapshotter: &Snapshotter, done: impl Fn(&Seen) -> bool) {
    loop {
        seen.take(snapshotter);
        if done(seen) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The routes every test serves, with `metrics` attached.
fn router(metrics: &Metrics, pushed: mpsc::UnboundedSender<String>) -> Router {
    metrics
        .attach(Router::new())
        .call("/math/add", |_ctx: CallCtx, numbers: Vec<i64>| async move {
            Ok::<_, Status>(numbers.iter().sum::<i64>())
        })
        .call("/math/fail", |_ctx: CallCtx, _: Vec<i64>| async move {
            Err::<i64, _>(Status::new(409, "conflict"))
        })
        .call("/slow", |_ctx: CallCtx, millis: u64| async move {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            Ok::<_, Status>(millis)
        })
        .call("/panics", |_ctx: CallCtx, _: u64| async move {
            if true {
                panic!("on purpose");
            }
            Ok::<_, Status>(0_u64)
        })
        .push("/chat/say", move |_ctx: PushCtx, text: String| {
            let pushed = pushed.clone();
            async move { pushed.send(text).map_err(|_| Status::new(500, "gone")) }
        })
        .push("/chat/refuse", |_ctx: PushCtx, _: String| async move {
            Err::<(), _>(Status::new(403, "no"))
        })
}

/// Metrics recording to a recorder of their own, and what reads that recorder.
fn recorded() -> (Metrics, Snapshotter) {
    let recorder = DebuggingRecorder::new();
    let snapshotter = recorder.snapshotter();
    (Metrics::with_recorder(Arc::new(recorder)), snapshotter)
}

/// A server with `metrics` on its routes and as its plugin, a client, the client's session to
/// the server, and the texts pushed to `/chat/say`.
async fn served(metrics: &Metrics) -> (Peer, Peer, Session, mpsc::UnboundedReceiver<String>) {
    let (pushed, heard) = mpsc::unbounded_channel();
    let (server, client, session) =
        dialed(router(metrics, pushed), vec![Arc::new(metrics.clone())]).await;
    (server, client, session, heard)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_pushes_and_sessions_are_recorded_with_bounded_labels() {
    within(async {
        let (metrics, snapshotter) = recorded();
        let (server, client, session, mut heard) = served(&metrics).await;

        let sum: i64 = session.call("/math/add", &[1, 2]).await.expect("adds");
        assert_eq!(sum, 3);
        let sum: i64 = session
            .call("/math/add?verbose=1&trace=abc", &[3, 4])
            .await
            .expect("adds with a query");
        assert_eq!(sum, 7);
        let failed = session
            .call::<i64, _>("/math/fail", &[1])
            .await
            .unwrap_err();
        assert_eq!(failed.code(), 409);
        for made_up in ["/attacker/one", "/attacker/two?x=1", "/math/add/../sub"] {
            let unknown = session.call::<i64, _>(made_up, &[1]).await.unwrap_err();
            assert_eq!(unknown.code(), code::NOT_FOUND, "{made_up}");
        }
        let bad_body = session
            .call::<i64, _>("/math/add", "not numbers")
            .await
            .unwrap_err();
        assert_eq!(bad_body.code(), code::BAD_MESSAGE);
        let millis: u64 = session.call("/slow", &60_u64).await.expect("sleeps");
        assert_eq!(millis, 60);
        let panicked = session.call::<u64, _>("/panics", &0_u64).await.unwrap_err();
        assert_eq!(panicked.code(), code::INTERNAL_SERVER_ERROR);

        session.push("/chat/say", "hi").await.expect("pushes");
        assert_eq!(heard.recv().await.as_deref(), Some("hi"));
        session.push("/chat/refuse", "x").await.expect("pushes");
        session
            .push("/attacker/push?q=1", "x")
            .await
            .expect("pushes");

        let mut seen = Seen::default();
        until(&mut seen, &snapshotter, |seen| {
            seen.counter("telerpc_pushes_total{code=0,service_method=unknown}") == 1
                && seen.counter("telerpc_pushes_total{code=403,service_method=/chat/refuse}") == 1
        })
        .await;
        assert_eq!(
            seen.counter("telerpc_calls_total{code=0,service_method=/math/add}"),
            2
        );
        assert_eq!(
            seen.counter("telerpc_calls_total{code=400,service_method=/math/add}"),
            1
        );
        assert_eq!(
            seen.counter("telerpc_calls_total{code=409,service_method=/math/fail}"),
            1
        );
        assert_eq!(
            seen.counter("telerpc_calls_total{code=404,service_method=unknown}"),
            3
        );
        assert_eq!(
            seen.counter("telerpc_calls_total{code=0,service_method=/slow}"),
            1
        );
        assert_eq!(
            seen.counter("telerpc_calls_total{code=500,service_method=/panics}"),
            1
        );
        assert_eq!(
            seen.counter("telerpc_pushes_total{code=0,service_method=/chat/say}"),
            1
        );
        let calls: u64 = seen
            .counters
            .iter()
            .filter(|(id, _)| id.starts_with(CALLS_TOTAL))
            .map(|(_, n)| n)
            .sum();
        assert_eq!(calls, 9, "{seen:#?}");

        let durations = |route: &str| {
            seen.histograms
                .get(&format!(
                    "{CALL_DURATION_SECONDS}{{service_method={route}}}"
                ))
                .cloned()
                .unwrap_or_default()
        };
        assert_eq!(durations("/math/add").len(), 3);
        assert_eq!(durations("unknown").len(), 3);
        let slow = durations("/slow");
        assert_eq!(slow.len(), 1);
        assert!((0.06..5.0).contains(&slow[0]), "{slow:?}");
        assert!(durations("/math/add")
            .iter()
            .all(|s| (0.0..0.06).contains(s)));

        assert_eq!(seen.units.get(CALL_DURATION_SECONDS), Some(&Unit::Seconds));
        assert_eq!(seen.units.get(CALLS_TOTAL), Some(&Unit::Count));
        assert_eq!(seen.units.get(PUSHES_TOTAL), Some(&Unit::Count));
        for id in seen.every_label_value() {
            assert!(
                !id.contains('?') && !id.contains("attacker") && !id.contains(".."),
                "a label carries what the caller chose: {id}"
            );
        }

        let open = format!("{SESSIONS_OPEN}{{}}");
        assert_eq!(seen.gauges.get(&open), Some(&1.0), "{seen:#?}");
        shut_down(&[&client]).await;
        until(&mut seen, &snapshotter, |seen| {
            seen.gauges.get(&open) == Some(&0.0)
        })
        .await;
        shut_down(&[&server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_stopped_at_its_deadline_is_counted_408() {
    within(async {
        let (metrics, snapshotter) = recorded();
        let (server, client, session, _heard) = served(&metrics).await;

        let late = session
            .call::<u64, _>("/slow", &5_000_u64)
            .timeout(Duration::from_millis(100))
            .await
            .unwrap_err();
        assert_eq!(late.code(), code::HANDLE_TIMEOUT);

        let mut seen = Seen::default();
        until(&mut seen, &snapshotter, |seen| {
            seen.counter("telerpc_calls_total{code=408,service_method=/slow}") == 1
        })
        .await;
        let took = &seen.histograms["telerpc_call_duration_seconds{service_method=/slow}"];
        assert!((0.05..5.0).contains(&took[0]), "{took:?}");
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_global_recorder_is_used_by_default() {
    within(async {
        // The only test of this file that installs a global recorder.
        let recorder = DebuggingRecorder::new();
        let snapshotter = recorder.snapshotter();
        recorder.install().expect("no other global recorder");
        let (server, client, session, _heard) = served(&Metrics::new()).await;
        let sum: i64 = session.call("/math/add", &[2, 2]).await.expect("adds");
        assert_eq!(sum, 4);

        let mut seen = Seen::default();
        until(&mut seen, &snapshotter, |seen| {
            seen.counter("telerpc_calls_total{code=0,service_method=/math/add}") == 1
        })
        .await;
        assert_eq!(seen.gauges.get("telerpc_sessions_open{}"), Some(&1.0));
        shut_down(&[&client, &server]).await;
    })
    .await;
}
