//! [`Overloader`]: refuses connections and messages over configured limits, as eRPC's
//! `overloader` plugin.
//!
//! Three limits, each off until set:
//!
//! | limit | set with | counts | over it |
//! |---|---|---|---|
//! | connections | [`max_connections`](Overloader::max_connections) | the open sessions of the peers it is attached to, dialed and accepted | the connection is closed before its session serves anything |
//! | total QPS | [`max_qps`](Overloader::max_qps) | every CALL and PUSH that arrives | a CALL is answered [`OVERLOADED`], a PUSH dropped |
//! | QPS of one handler | [`max_handler_qps`](Overloader::max_handler_qps) | the CALLs and PUSHes to one service method path | the same |
//!
//! **Status.** A refusal is the status [`OVERLOADED`] (429) with the message
//! [`OVERLOADED_MESSAGE`] ("Too Many Requests") and a cause naming the limit hit, as
//! [`Overload`] words it: `over the rate limit of 100/s for calls and pushes to
//! "/math/add"`. (eRPC answers 500 with the limit in its message; 429 lets a caller tell an
//! overload, worth retrying later, from a failed handler.)
//!
//! **Rates.** A QPS limit of `n` is a token bucket ([`governor`]'s GCRA) holding `n` tokens,
//! refilled at `n` per second: up to `n` messages pass at once, then one every `1/n` second.
//! Limits are checked when a message's header is read, before its handler runs, the total
//! first, then the handler's (a message refused by its handler's limit has used a token of
//! the total, as in eRPC). A handler's limit is keyed by the service method's path, the part
//! before the first `?`, exactly as it arrives: on a peer, before any router plugin (such as
//! [`IgnoreCase`](crate::ignorecase::IgnoreCase)) renames it. PUSHes count as in eRPC: every
//! message a handler would handle uses a token.
//!
//! **Connections.** A session takes its slot when it opens
//! ([`post_open`](Plugin::post_open)) and gives it back when it ends
//! ([`post_disconnect`](Plugin::post_disconnect)); a connection accepted or dialed
//! over the limit is refused earlier still, in [`post_accept`](Plugin::post_accept) or
//! [`post_dial`](Plugin::post_dial) (a dial then fails with 105), before its session is set
//! up. A connection that a later plugin or the listener's `on_open` refuses never holds a
//! slot, and a redial keeps its session's. The slot is kept in the session's attributes
//! under [`Overloader::slot_key`]. The connection limit needs the plugin on a peer
//! (`PeerConfig::with_plugin`); on a router only its QPS limits apply. Sharing one
//! `Overloader` between peers shares its limits.
//!
//! **Zero and absurd values.** No value panics. `0` means *no limit*, as a limit of zero or
//! less does in eRPC (so `max_handler_qps(path, 0)` lifts a handler's limit); a QPS limit
//! above [`MAX_QPS`] (one per nanosecond, the clock's resolution) is taken as `MAX_QPS`.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_peer::PeerConfig;
//! use telerpc_plugin::overloader::Overloader;
//!
//! let overloader = Overloader::new()
//!     .max_connections(1_000)
//!     .max_qps(50_000)
//!     .max_handler_qps("/search/run", 100);
//! let config = PeerConfig::default().with_plugin(Arc::new(overloader));
//! # drop(config);
//! ```

use std::collections::HashMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use telerpc_session::{BoxFuture, Plugin, PreSession, Session};
use telerpc_socket::{Message, Status};

/// The status code of a refusal: 429, HTTP's Too Many Requests. eRPC's overloader answers
/// 500; a code of its own lets a caller tell an overload from a failed handler.
pub const OVERLOADED: i32 = 429;

/// The message of a refusal's status.
pub const OVERLOADED_MESSAGE: &str = "Too Many Requests";

/// The highest QPS limit honoured: one message per nanosecond, the resolution of the clock
/// the limiter runs on. A higher limit is taken as this one.
pub const MAX_QPS: u32 = 1_000_000_000;

/// The limit a refused connection or message hit. It becomes the cause of the status
/// [`OVERLOADED`] (`Status::from(overload)`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Overload {
    /// As many sessions as allowed are open.
    #[error("over the connection limit of {max}")]
    Connections {
        /// The limit.
        max: usize,
    },
    /// The CALLs and PUSHes of the last moment used up the total rate.
    #[error("over the total rate limit of {max}/s for calls and pushes")]
    TotalQps {
        /// The limit, per second.
        max: u32,
    },
    /// The CALLs and PUSHes to one path used up its rate.
    #[error("over the rate limit of {max}/s for calls and pushes to {path:?}")]
    HandlerQps {
        /// The service method's path.
        path: String,
        /// The limit, per second.
        max: u32,
    },
}

impl From<Overload> for Status {
    /// [`OVERLOADED`] "Too Many Requests", with the overload as the cause.
    fn from(overload: Overload) -> Self {
        Status::new(OVERLOADED, OVERLOADED_MESSAGE).with_cause(overload.to_string())
    }
}

/// Refuses connections over a maximum number, and CALLs and PUSHes over a total rate and
/// over per-handler rates (see the [module documentation](self) for the semantics).
///
/// Built with chained calls, then attached behind an `Arc` to a peer (every limit) or a
/// router (the rates only). Its limits are fixed once it is built.
pub struct Overloader {
    slot_key: String,
    connections: Option<Arc<ConnectionLimit>>,
    total: Option<Rate>,
    handlers: HashMap<Box<str>, Rate>,
}

impl Overloader {
    /// An overloader without limits: it refuses nothing until limits are set.
    pub fn new() -> Self {
        /// Tells the slots of overloaders apart when several see one session.
        static SERIAL: AtomicU64 = AtomicU64::new(0);
        let serial = SERIAL.fetch_add(1, Ordering::Relaxed);
        Self {
            slot_key: format!("telerpc.overloader.{serial}.slot"),
            connections: None,
            total: None,
            handlers: HashMap::new(),
        }
    }

    /// Allows `max` open sessions at most, dialed and accepted together; `0` lifts the limit.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.connections = (max > 0).then(|| Arc::new(ConnectionLimit::new(max)));
        self
    }

    /// Allows `max` CALLs and PUSHes per second in total, in bursts of `max` at most; `0`
    /// lifts the limit, and a limit above [`MAX_QPS`] is taken as `MAX_QPS`.
    pub fn max_qps(mut self, max: u32) -> Self {
        self.total = Rate::new(max);
        self
    }

    /// Allows `max` CALLs and PUSHes per second to the service method path `path` (anything
    /// from a `?` on is ignored), in bursts of `max` at most; replaces the path's earlier
    /// limit. `0` lifts the path's limit, and a limit above [`MAX_QPS`] is taken as
    /// `MAX_QPS`.
    pub fn max_handler_qps(mut self, path: &str, max: u32) -> Self {
        let path = &path[..path.find('?').unwrap_or(path.len())];
        match Rate::new(max) {
            Some(rate) => {
                self.handlers.insert(path.into(), rate);
            }
            None => {
                self.handlers.remove(path);
            }
        }
        self
    }

    /// The key of the session attribute that holds a session's connection slot: the slot is
    /// given back when the attribute is removed (at the latest, when the session ends).
    pub fn slot_key(&self) -> &str {
        &self.slot_key
    }

    /// The number of connection slots held now (`0` without a connection limit).
    pub fn connections(&self) -> usize {
        self.connections
            .as_ref()
            .map_or(0, |limit| limit.open.load(Ordering::Acquire))
    }

    /// Refuses a new connection if every slot is taken (without taking one).
    fn check_connections(&self) -> Result<(), Status> {
        match &self.connections {
            Some(limit) if limit.open.load(Ordering::Acquire) >= limit.max => {
                Err(Overload::Connections { max: limit.max }.into())
            }
            _ => Ok(()),
        }
    }

    /// Takes a token of the total rate, then of the path's rate, or refuses.
    fn check_rates(&self, message: &Message) -> Result<(), Status> {
        if let Some(total) = &self.total {
            if total.limiter.check().is_err() {
                return Err(Overload::TotalQps { max: total.max }.into());
            }
        }
        if self.handlers.is_empty() {
            return Ok(());
        }
        let service_method: &str = &message.service_method;
        let path = &service_method[..service_method.find('?').unwrap_or(service_method.len())];
        match self.handlers.get(path) {
            Some(rate) if rate.limiter.check().is_err() => Err(Overload::HandlerQps {
                path: path.to_owned(),
                max: rate.max,
            }
            .into()),
            _ => Ok(()),
        }
    }

    /// [`check_rates`](Self::check_rates), logging a refusal.
    fn admit_message(&self, kind: &str, message: &Message) -> Result<(), Status> {
        self.check_rates(message).inspect_err(|status| {
            let service_method: &str = &message.service_method;
            tracing::debug!(kind, service_method, %status, "overloader refused a message");
        })
    }
}

impl Default for Overloader {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Overloader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Overloader")
            .field(
                "max_connections",
                &self.connections.as_ref().map(|limit| limit.max),
            )
            .field("connections", &self.connections())
            .field("max_qps", &self.total.as_ref().map(|rate| rate.max))
            .field(
                "max_handler_qps",
                &self
                    .handlers
                    .iter()
                    .map(|(path, rate)| (path, rate.max))
                    .collect::<HashMap<_, _>>(),
            )
            .finish()
    }
}

impl Plugin for Overloader {
    /// `"overloader"`.
    fn name(&self) -> &str {
        "overloader"
    }

    /// Refuses a first dial while every connection slot is taken (a redial keeps its
    /// session's slot).
    fn post_dial<'a>(&'a self, conn: &'a mut PreSession<'_>) -> BoxFuture<'a, Result<(), Status>> {
        let checked = if conn.is_redial() {
            Ok(())
        } else {
            self.check_connections()
        };
        Box::pin(std::future::ready(checked))
    }

    /// Refuses an accepted connection while every connection slot is taken.
    fn post_accept<'a>(
        &'a self,
        conn: &'a mut PreSession<'_>,
    ) -> BoxFuture<'a, Result<(), Status>> {
        let checked = self.check_connections().inspect_err(|status| {
            let peer = conn.info().peer_addr();
            tracing::debug!(%peer, %status, "overloader refused a connection");
        });
        Box::pin(std::future::ready(checked))
    }

    /// Takes a connection slot for the session, or refuses it when none is free.
    fn post_open(&self, session: &Session) -> Result<(), Status> {
        let Some(limit) = &self.connections else {
            return Ok(());
        };
        match ConnectionLimit::take(limit) {
            Some(slot) => {
                session.attributes().insert(self.slot_key.clone(), slot);
                Ok(())
            }
            None => {
                let status = Status::from(Overload::Connections { max: limit.max });
                tracing::debug!(id = %session.id(), %status, "overloader refused a session");
                Err(status)
            }
        }
    }

    /// Gives the session's connection slot back, if it holds one.
    fn post_disconnect(&self, session: &Session) {
        session.attributes().remove(&self.slot_key);
    }

    /// Refuses a CALL over the total rate or its path's rate: it is answered [`OVERLOADED`].
    fn post_read_call_header(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        self.admit_message("call", call)
    }

    /// Refuses a PUSH over the total rate or its path's rate: it is dropped.
    fn post_read_push_header(&self, _: &Session, push: &mut Message) -> Result<(), Status> {
        self.admit_message("push", push)
    }
}

/// A rate limit: its value, and the limiter that enforces it.
struct Rate {
    max: u32,
    limiter: DefaultDirectRateLimiter,
}

impl Rate {
    /// `max` per second, in bursts of `max` (capped at [`MAX_QPS`]); `None` for `0`.
    fn new(max: u32) -> Option<Self> {
        let max = max.min(MAX_QPS);
        let burst = NonZeroU32::new(max)?;
        Some(Self {
            max,
            limiter: RateLimiter::direct(Quota::per_second(burst)),
        })
    }
}

/// The connection limit: its value, and the slots taken.
struct ConnectionLimit {
    max: usize,
    open: AtomicUsize,
}

impl ConnectionLimit {
    fn new(max: usize) -> Self {
        Self {
            max,
            open: AtomicUsize::new(0),
        }
    }

    /// Takes a slot if one is free.
    fn take(limit: &Arc<Self>) -> Option<Slot> {
        limit
            .open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |open| {
                (open < limit.max).then_some(open + 1)
            })
            .ok()?;
        Some(Slot(Arc::clone(limit)))
    }
}

/// One connection slot taken; dropping it gives it back.
struct Slot(Arc<ConnectionLimit>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use telerpc_socket::MessageType;

    fn call(service_method: &str) -> Message {
        Message::new(MessageType::Call, 1, service_method)
    }

    #[test]
    fn no_limits_refuse_nothing() {
        let overloader = Overloader::new();
        for _ in 0..10_000 {
            assert!(overloader.check_rates(&call("/a")).is_ok());
        }
        assert!(overloader.check_connections().is_ok());
    }

    #[test]
    fn zero_lifts_every_limit() {
        let overloader = Overloader::new()
            .max_connections(0)
            .max_qps(0)
            .max_handler_qps("/a", 0);
        assert!(overloader.connections.is_none());
        assert!(overloader.total.is_none());
        assert!(overloader.handlers.is_empty());
        for _ in 0..1_000 {
            assert!(overloader.check_rates(&call("/a")).is_ok());
        }
    }

    #[test]
    fn zero_lifts_an_earlier_handler_limit() {
        let overloader = Overloader::new()
            .max_handler_qps("/a", 1)
            .max_handler_qps("/a", 0);
        assert!(overloader.handlers.is_empty());
    }

    #[test]
    fn absurd_limits_do_not_panic() {
        let overloader = Overloader::new()
            .max_connections(usize::MAX)
            .max_qps(u32::MAX)
            .max_handler_qps("", u32::MAX)
            .max_handler_qps("?", 1)
            .max_handler_qps("/ünïcode?q=1", MAX_QPS + 1)
            .max_handler_qps(&"x".repeat(100_000), 1);
        assert_eq!(
            overloader.total.as_ref().map(|rate| rate.max),
            Some(MAX_QPS)
        );
        for _ in 0..10_000 {
            assert!(overloader.check_rates(&call("/b")).is_ok());
        }
        assert!(overloader.check_connections().is_ok());
        let limit = overloader.connections.as_ref().expect("a limit");
        let slot = ConnectionLimit::take(limit).expect("a free slot");
        assert_eq!(overloader.connections(), 1);
        drop(slot);
        assert_eq!(overloader.connections(), 0);
        let _ = format!("{overloader:?}");
    }

    #[test]
    fn a_rate_allows_a_burst_of_its_size_then_refuses() {
        let overloader = Overloader::new().max_qps(5);
        for _ in 0..5 {
            assert!(overloader.check_rates(&call("/a")).is_ok());
        }
        let refused = overloader.check_rates(&call("/a")).expect_err("over");
        assert_eq!(refused.code(), OVERLOADED);
        assert_eq!(refused.message(), OVERLOADED_MESSAGE);
        assert_eq!(
            refused.cause(),
            Some("over the total rate limit of 5/s for calls and pushes")
        );
    }

    #[test]
    fn a_handler_limit_applies_to_its_path_whatever_the_query() {
        let overloader = Overloader::new().max_handler_qps("/slow?ignored", 2);
        assert!(overloader.check_rates(&call("/slow?a=1")).is_ok());
        assert!(overloader.check_rates(&call("/slow")).is_ok());
        let refused = overloader
            .check_rates(&call("/slow?b=2"))
            .expect_err("over");
        assert_eq!(
            refused.cause(),
            Some(r#"over the rate limit of 2/s for calls and pushes to "/slow""#)
        );
        for _ in 0..100 {
            assert!(overloader.check_rates(&call("/fast")).is_ok());
        }
    }

    #[test]
    fn slots_are_counted_up_to_the_limit_and_given_back() {
        let limit = Arc::new(ConnectionLimit::new(2));
        let first = ConnectionLimit::take(&limit).expect("free");
        let second = ConnectionLimit::take(&limit).expect("free");
        assert!(ConnectionLimit::take(&limit).is_none());
        drop(first);
        let third = ConnectionLimit::take(&limit).expect("freed");
        drop((second, third));
        assert_eq!(limit.open.load(Ordering::Acquire), 0);
    }

    #[test]
    fn each_overloader_has_its_own_slot_key() {
        assert_ne!(Overloader::new().slot_key(), Overloader::new().slot_key());
    }
}
