//! Message logging through `tracing`: the cost of each handled call, slow messages at WARN,
//! details on request. Events are captured by a layer of the test's own; each test runs on a
//! current-thread runtime, so the scoped subscriber sees every task's events.

mod support;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use support::{echo, eventually, start_server, within, Service};
use telerpc_peer::{LogConfig, Peer, PeerConfig, LOG_TARGET};
use telerpc_socket::code;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

/// One event of [`LOG_TARGET`]: its level and fields as text.
#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    fields: HashMap<String, String>,
}

impl Captured {
    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }
}

/// Collects every event of [`LOG_TARGET`].
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

impl Capture {
    fn events(&self) -> Vec<Captured> {
        self.0.lock().unwrap().clone()
    }

    /// The events about `service_method`.
    fn about(&self, service_method: &str) -> Vec<Captured> {
        self.events()
            .into_iter()
            .filter(|event| event.field("service_method") == Some(service_method))
            .collect()
    }
}

impl<S: Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        if event.metadata().target() != LOG_TARGET {
            return;
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        self.0.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            fields: fields.0,
        });
    }
}

#[derive(Default)]
struct Fields(HashMap<String, String>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
}

/// Runs `test` with a subscriber that captures into the returned [`Capture`].
fn capturing() -> (Capture, tracing::subscriber::DefaultGuard) {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    (capture, tracing::subscriber::set_default(subscriber))
}

#[tokio::test]
async fn slow_calls_are_raised_to_warn_with_their_cost() {
    let (capture, _guard) = capturing();
    within(async {
        let logging = LogConfig::default().with_slow_threshold(Duration::from_millis(80));
        let (server, addr) = start_server(
            &Service::new("server"),
            PeerConfig::default().with_logging(logging),
        )
        .await;
        let client = Peer::new(PeerConfig::default());
        let session = client.dial(addr).await.unwrap();

        assert_eq!(echo(&session, "quick").await.unwrap(), "quick");
        let slept: u64 = session.call("/sleep", &150_u64).await.unwrap();
        assert_eq!(slept, 150);
        eventually(|| !capture.about("/sleep").is_empty()).await;

        let quick = capture.about("/echo");
        assert_eq!(quick.len(), 1, "{quick:?}");
        assert_eq!(quick[0].level, Level::DEBUG);
        assert_eq!(quick[0].field("kind"), Some("call"));
        assert_eq!(quick[0].field("status"), Some("0"));
        let quick_cost: u64 = quick[0].field("cost_us").unwrap().parse().unwrap();
        assert!(quick_cost < 80_000, "{quick_cost}");
        assert!(
            quick[0].field("request_body").is_none(),
            "no details by default"
        );

        let slow = capture.about("/sleep");
        assert_eq!(slow.len(), 1, "{slow:?}");
        assert_eq!(slow[0].level, Level::WARN);
        let slow_cost: u64 = slow[0].field("cost_us").unwrap().parse().unwrap();
        assert!(slow_cost >= 150_000, "{slow_cost}");
        assert_eq!(
            slow[0].field("id").map(str::to_owned),
            Some(session.local_addr().to_string())
        );

        // A handler dropped at the caller's deadline is logged too, as slow.
        let timed_out = session
            .call::<(), _>("/never", &())
            .timeout(Duration::from_millis(120))
            .await
            .unwrap_err();
        assert_eq!(timed_out.code(), code::HANDLE_TIMEOUT);
        eventually(|| !capture.about("/never").is_empty()).await;
        assert_eq!(capture.about("/never")[0].level, Level::WARN);

        client.shutdown(Duration::from_secs(1)).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

#[tokio::test]
async fn details_show_meta_and_bodies_and_cost_can_be_left_unmeasured() {
    let (capture, _guard) = capturing();
    within(async {
        let logging = LogConfig::default()
            .with_print_detail(true)
            .with_count_time(false)
            .with_slow_threshold(Duration::ZERO);
        let (server, addr) = start_server(
            &Service::new("server"),
            PeerConfig::default().with_logging(logging),
        )
        .await;
        let client = Peer::new(PeerConfig::default().with_logging(logging));
        let session = client.dial(addr).await.unwrap();

        let echoed: String = session.call("/echo", "hi").meta("who", "me").await.unwrap();
        assert_eq!(echoed, "hi");
        eventually(|| capture.events().len() >= 2).await;

        let handled = capture.about("/echo");
        assert_eq!(handled.len(), 1, "{handled:?}");
        // Without the measure, nothing is slow, whatever the threshold.
        assert_eq!(handled[0].level, Level::DEBUG);
        assert!(handled[0].field("cost_us").is_none());
        assert_eq!(handled[0].field("request_body"), Some("\"hi\""));
        assert_eq!(handled[0].field("reply_body"), Some("\"hi\""));
        assert!(handled[0].field("request_meta").unwrap().contains("who=me"));

        // The client, with details on, logs the reply it received.
        let replies: Vec<Captured> = capture
            .events()
            .into_iter()
            .filter(|event| event.field("kind") == Some("reply"))
            .collect();
        assert_eq!(replies.len(), 1, "{replies:?}");
        assert_eq!(replies[0].field("reply_body"), Some("\"hi\""));

        client.shutdown(Duration::from_secs(1)).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
