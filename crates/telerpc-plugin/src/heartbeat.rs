//! `heartbeat`: eRPC's ping/pong, which keeps idle connections alive and finds half-open ones.
//!
//! A pinging side ([`Heartbeat::ping`]) sends, on every session that has sent nothing for its
//! rate, a PUSH to [`SERVICE_METHOD`] (`/heartbeat`) with the meta [`RATE_META_KEY`]
//! (`hb_=<rate in whole seconds, decimal>`) and an empty body, under the session's default
//! codec: eRPC's ping, byte for byte. A busy session (one that wrote anything, a CALL, PUSH or
//! REPLY, within the rate) sends no ping.
//!
//! A ping is a promise: "you will hear from me at least every rate". A side that receives one
//! learns the other side's rate from its meta, and from then on closes the session when it
//! hears nothing at all (no message of any kind) for twice that rate ([`Session::close`]: calls
//! still in flight get the config's close grace). That is how a peer that
//! vanished without closing (a half-open connection, a frozen process) is found. Both
//! [`Heartbeat::ping`] and [`Heartbeat::pong`] watch the rate they learned; only a side whose
//! peer pings can judge its silence, so to find half-open connections from both ends, let both
//! sides ping. A side that pings a peer that never pings back (an eRPC pong) never closes on
//! silence: the pong only listens.
//!
//! Heartbeat PUSHes are swallowed by the plugin's
//! [`post_read_push_header`](Plugin::post_read_push_header), so they never reach a router or
//! handler; the session logs each such refused push at debug level ("a plugin dropped a
//! push"). A `hb_` that is not a decimal number is ignored (the ping still counts as hearing
//! from the peer); `hb_=0` or no `hb_` keeps the rate already learned, as in eRPC. A CALL to
//! `/heartbeat` (eRPC's `UseCall` mode) teaches the rate the same way but goes on to the
//! router, which must route `/heartbeat` to answer it OK.
//!
//! Rates are whole seconds, as on the wire: a rate is rounded up to the next second, at least
//! 1 s and at most [`MAX_RATE_SECS`]; a learned rate is held to the same range. Any
//! [`Duration`] is accepted.
//!
//! Cost: a session gets one small task once it pings or has learned a rate (a session whose
//! peer never pings, on a [`Heartbeat::pong`], costs nothing). The task wakes only when a
//! ping is due or the silence limit is reached, reads the session's
//! [`Stats`](telerpc_session::Stats) (`last_sent`, `last_received`), and ends with the
//! session ([`post_disconnect`](Plugin::post_disconnect)). One heartbeat plugin per session:
//! two would share one state.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use telerpc_peer::{NetAddr, Peer, PeerConfig};
//! use telerpc_plugin::heartbeat::Heartbeat;
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! // The server only listens: it closes a session whose client stops pinging for 2 × 5 s.
//! let server = Peer::new(
//!     PeerConfig::default()
//!         .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
//!         .with_plugin(Arc::new(Heartbeat::pong())),
//! );
//! let addr = server.listen().await?[0].clone();
//!
//! // The client pings after 5 s without sending anything.
//! let client = Peer::new(
//!     PeerConfig::default().with_plugin(Arc::new(Heartbeat::ping(Duration::from_secs(5)))),
//! );
//! let session = client.dial(addr).await?;
//! # drop(session);
//! # Ok(())
//! # }
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use telerpc_codec::Raw;
use telerpc_session::{Health, Plugin, Session};
use telerpc_socket::{code, Message, Status};
use tokio::sync::Notify;
use tokio::time::Instant;

/// The service method of a heartbeat: `/heartbeat`.
pub const SERVICE_METHOD: &str = "/heartbeat";

/// The meta key carrying the pinging side's rate, in whole seconds as a decimal: `hb_`.
pub const RATE_META_KEY: &str = "hb_";

/// The longest rate, in seconds (`i32::MAX`, which every eRPC build parses); longer rates are
/// held to it.
pub const MAX_RATE_SECS: u64 = i32::MAX as u64;

/// The attribute under which a session keeps its heartbeat state.
const STATE_KEY: &str = "telerpc.heartbeat";

/// eRPC's heartbeat as a [`Plugin`]: pings idle sessions ([`ping`](Self::ping)) and closes
/// sessions whose pinging peer fell silent (both kinds); see the [module](self) for the
/// protocol.
///
/// Add it to a peer (`PeerConfig::with_plugin`) or to a session's config
/// (`SessionConfig::with_plugin`); it needs every message of the session, so not to a router.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heartbeat {
    /// Our own rate in whole seconds, when this side pings.
    rate_secs: Option<u64>,
}

impl Heartbeat {
    /// A side that pings every session that has sent nothing for `rate`, and also watches a
    /// peer that pings it. `rate` is rounded up to whole seconds, between 1 s and
    /// [`MAX_RATE_SECS`].
    ///
    /// ```
    /// use std::time::Duration;
    /// use telerpc_plugin::heartbeat::Heartbeat;
    ///
    /// assert_eq!(Heartbeat::ping(Duration::from_millis(1500)).rate(), Some(Duration::from_secs(2)));
    /// assert_eq!(Heartbeat::ping(Duration::ZERO).rate(), Some(Duration::from_secs(1)));
    /// assert_eq!(Heartbeat::pong().rate(), None);
    /// ```
    pub fn ping(rate: Duration) -> Self {
        Self {
            rate_secs: Some(rate_secs(rate)),
        }
    }

    /// A side that never pings but watches every peer that pings it: it swallows the pings,
    /// learns each session's rate from them, and closes a session that stays silent for twice
    /// that rate.
    pub fn pong() -> Self {
        Self { rate_secs: None }
    }

    /// This side's ping rate, `None` for a pong.
    pub fn rate(&self) -> Option<Duration> {
        self.rate_secs.map(Duration::from_secs)
    }

    /// The session's state, made (and its watch task started) on first need.
    fn state(&self, session: &Session) -> Arc<Beat> {
        if let Some(beat) = session.attributes().get::<Beat>(STATE_KEY) {
            return beat;
        }
        let beat = Arc::new(Beat::default());
        session
            .attributes()
            .insert_shared(STATE_KEY, Arc::clone(&beat) as _);
        beat
    }

    /// Starts the watch task of `session` unless it runs.
    fn watch(&self, session: &Session, beat: &Arc<Beat>) {
        if beat.watched.swap(true, Ordering::AcqRel) {
            return;
        }
        let own = self.rate_secs.map(Duration::from_secs);
        tokio::spawn(watch(session.clone(), Arc::clone(beat), own));
    }

    /// Learns the rate a heartbeat announces, if it announces one.
    fn learn(&self, session: &Session, message: &Message) {
        let announced = message.meta.get(RATE_META_KEY).unwrap_or("");
        match parse_rate(announced) {
            Ok(Some(secs)) => {
                let beat = self.state(session);
                if beat.peer_rate_secs.swap(secs, Ordering::AcqRel) != secs {
                    tracing::debug!(id = %session.id(), secs, "heartbeat: the peer pings");
                    beat.changed.notify_one();
                }
                self.watch(session, &beat);
            }
            Ok(None) => {}
            Err(()) => tracing::debug!(
                id = %session.id(),
                announced,
                "heartbeat: ignored a rate that is not a number"
            ),
        }
    }
}

impl Plugin for Heartbeat {
    fn name(&self) -> &str {
        match self.rate_secs {
            Some(_) => "heart-ping",
            None => "heart-pong",
        }
    }

    fn post_open(&self, session: &Session) -> Result<(), Status> {
        if self.rate_secs.is_some() {
            let beat = self.state(session);
            self.watch(session, &beat);
        }
        Ok(())
    }

    fn post_read_call_header(&self, session: &Session, call: &mut Message) -> Result<(), Status> {
        if call.service_method == SERVICE_METHOD {
            self.learn(session, call);
        }
        Ok(())
    }

    fn post_read_push_header(&self, session: &Session, push: &mut Message) -> Result<(), Status> {
        if push.service_method != SERVICE_METHOD {
            return Ok(());
        }
        self.learn(session, push);
        // Refused so that no router sees it; the session drops it with a debug log.
        Err(Status::new(code::OK, "heartbeat").with_cause("swallowed by the heartbeat plugin"))
    }

    fn post_disconnect(&self, session: &Session) {
        if let Some(beat) = session.attributes().remove(STATE_KEY) {
            if let Ok(beat) = beat.downcast::<Beat>() {
                beat.stopped.store(true, Ordering::Release);
                beat.changed.notify_one();
            }
        }
    }
}

/// What a session's heartbeat keeps: the rate its peer announced, and the handle on its task.
#[derive(Debug, Default)]
struct Beat {
    /// The peer's rate in seconds; 0 while it has not pinged.
    peer_rate_secs: AtomicU64,
    /// Whether the watch task runs.
    watched: AtomicBool,
    /// Set when the session has ended.
    stopped: AtomicBool,
    /// Wakes the task: a new rate, or the end.
    changed: Notify,
}

/// Pings `session` when it has sent nothing for `own` (if this side pings) and closes it when
/// it has heard nothing for twice the rate its peer announced (once it has); ends with it.
async fn watch(session: Session, beat: Arc<Beat>, own: Option<Duration>) {
    let closed = session.closed();
    tokio::pin!(closed);
    // Silence is counted from the latest of: the last read, the last (re)connection, and
    // the moment a rate was learned (a rate change restarts the count).
    let mut since = Instant::now();
    let mut pinged = since;
    let mut known_rate = 0;
    loop {
        if beat.stopped.load(Ordering::Acquire) {
            return;
        }
        let now = Instant::now();
        let peer_rate = beat.peer_rate_secs.load(Ordering::Acquire);
        if peer_rate != known_rate {
            known_rate = peer_rate;
            since = now;
        }
        let health = session.health();
        let next = if health == Health::Open {
            let stats = session.stats();
            let dead_at = (peer_rate > 0)
                .then(|| {
                    later(
                        stats.last_received.max(since),
                        2 * Duration::from_secs(peer_rate),
                    )
                })
                .flatten();
            if dead_at.is_some_and(|at| at <= now) {
                tracing::debug!(
                    id = %session.id(),
                    secs = 2 * peer_rate,
                    "heartbeat: heard nothing from the peer, closing the session"
                );
                session.close().await;
                return;
            }
            let mut ping_at = own.and_then(|rate| later(stats.last_sent.max(pinged), rate));
            if let (Some(rate), Some(at)) = (own, ping_at) {
                if at <= now {
                    ping(&session, rate).await;
                    pinged = Instant::now();
                    ping_at = later(pinged, rate);
                }
            }
            match (ping_at, dead_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        } else {
            // Reconnecting (or closing): neither ping nor judge; count afresh once back.
            since = now;
            pinged = now;
            later(now, own.unwrap_or(Duration::from_secs(1)))
        };
        let sleep = async {
            match next {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = &mut closed => return,
            () = beat.changed.notified() => {}
            () = sleep => {}
        }
    }
}

/// Sends one ping on `session`, waiting at most `rate` for room in its queue.
async fn ping(session: &Session, rate: Duration) {
    let secs = rate.as_secs().to_string();
    let sent = session
        .push(SERVICE_METHOD, &Raw(Bytes::new()))
        .meta(RATE_META_KEY, secs)
        .timeout(rate)
        .await;
    match sent {
        Ok(()) => tracing::trace!(id = %session.id(), "heartbeat: ping"),
        Err(status) => tracing::debug!(id = %session.id(), %status, "heartbeat: ping failed"),
    }
}

/// `at + after`, or `None` past the end of time.
fn later(at: Instant, after: Duration) -> Option<Instant> {
    at.checked_add(after)
}

/// `rate` in whole seconds, rounded up, between 1 and [`MAX_RATE_SECS`].
fn rate_secs(rate: Duration) -> u64 {
    let secs = rate
        .as_secs()
        .saturating_add(u64::from(rate.subsec_nanos() > 0));
    secs.clamp(1, MAX_RATE_SECS)
}

/// The rate a `hb_` value announces: `Ok(None)` for none (empty or 0: keep the one known),
/// `Err(())` for a value that is not a decimal number; held to 1..=[`MAX_RATE_SECS`].
fn parse_rate(value: &str) -> Result<Option<u64>, ()> {
    if value.is_empty() {
        return Ok(None);
    }
    let digits = value.strip_prefix('+').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(());
    }
    // All digits: only overflow can fail, and an overflowing rate is the longest.
    let secs = digits.parse::<u64>().unwrap_or(u64::MAX);
    Ok((secs > 0).then(|| secs.min(MAX_RATE_SECS)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rates_round_up_to_whole_seconds_within_bounds() {
        assert_eq!(rate_secs(Duration::ZERO), 1);
        assert_eq!(rate_secs(Duration::from_nanos(1)), 1);
        assert_eq!(rate_secs(Duration::from_secs(1)), 1);
        assert_eq!(rate_secs(Duration::from_millis(1001)), 2);
        assert_eq!(rate_secs(Duration::from_secs(30)), 30);
        assert_eq!(rate_secs(Duration::MAX), MAX_RATE_SECS);
        assert_eq!(
            rate_secs(Duration::from_secs(MAX_RATE_SECS + 1)),
            MAX_RATE_SECS
        );
    }

    #[test]
    fn announced_rates_parse_like_erpc() {
        assert_eq!(parse_rate(""), Ok(None));
        assert_eq!(parse_rate("0"), Ok(None));
        assert_eq!(parse_rate("5"), Ok(Some(5)));
        assert_eq!(parse_rate("+5"), Ok(Some(5)));
        assert_eq!(parse_rate("007"), Ok(Some(7)));
        assert_eq!(
            parse_rate("99999999999999999999999"),
            Ok(Some(MAX_RATE_SECS))
        );
        assert_eq!(parse_rate("-1"), Err(()));
        assert_eq!(parse_rate("1.5"), Err(()));
        assert_eq!(parse_rate("+"), Err(()));
        assert_eq!(parse_rate("ten"), Err(()));
    }

    #[test]
    fn far_deadlines_do_not_overflow() {
        assert_eq!(later(Instant::now(), Duration::MAX), None);
    }

    proptest! {
        #[test]
        fn every_rate_written_reads_back(rate in any::<u64>().prop_map(Duration::from_nanos)) {
            let heartbeat = Heartbeat::ping(rate);
            let secs = heartbeat.rate().unwrap().as_secs();
            prop_assert!((1..=MAX_RATE_SECS).contains(&secs));
            prop_assert!(Duration::from_secs(secs) >= rate.min(Duration::from_secs(MAX_RATE_SECS)));
            prop_assert_eq!(parse_rate(&secs.to_string()), Ok(Some(secs)));
        }

        #[test]
        fn any_announced_value_parses_without_panicking(value in ".{0,40}") {
            if let Ok(Some(secs)) = parse_rate(&value) {
                prop_assert!((1..=MAX_RATE_SECS).contains(&secs));
            }
        }
    }
}
