//! [`LogConfig`]: eRPC's message logging through `tracing` (details, cost, slow messages),
//! and the handler wrapper that does it.

use std::sync::Arc;
use std::time::Duration;

use bytestring::ByteString;
use telerpc_session::{BoxFuture, Handler, Reply, Request, Session};
use telerpc_socket::{Message, Status};
use tokio::time::Instant;

/// The `tracing` target of every message event of this tier.
pub const LOG_TARGET: &str = "telerpc_peer::message";

/// The slow-message threshold unless another is set: 1 s, as eRPC's.
pub const DEFAULT_SLOW_THRESHOLD: Duration = Duration::from_secs(1);

/// How much of a body a detailed event shows: 1 KiB, then the body's size.
pub const DETAIL_BODY_LIMIT: usize = 1024;

/// How a peer logs the messages its handler handles, eRPC's options over `tracing`.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | [`print_detail`](Self::print_detail) | off | add each message's meta (as a query string) and body (UTF-8, lossily, the first [`DETAIL_BODY_LIMIT`] bytes) to its event, and log every REPLY received with its meta and body |
/// | [`count_time`](Self::count_time) | on | measure each handled message's cost, from the handler's call to its answer |
/// | [`slow_threshold`](Self::slow_threshold) | [`DEFAULT_SLOW_THRESHOLD`] (1 s) | a message whose cost reaches it is logged at WARN rather than DEBUG (needs `count_time`) |
///
/// Every CALL and PUSH the handler takes gets one event under the target [`LOG_TARGET`] once
/// it is handled (or dropped unfinished: the caller's deadline passed, the connection ended),
/// with the fields `kind` (`call`, `push`), `id` (the session's), `peer` (its address),
/// `service_method`, `seq`, `status` (a call's code, 0 for OK), `cost_us` (microseconds,
/// with `count_time`) and, with `print_detail`, `request_meta`, `request_body`, `reply_meta`
/// and `reply_body`. Its level is DEBUG, or WARN when slow. Calls refused while the peer
/// shuts down are not handled, so not logged here.
///
/// eRPC does not measure by default (`CountTime` is off there); here the measure is on by
/// default, since it costs two clock reads and keeps slow messages visible.
///
/// ```
/// use std::time::Duration;
/// use telerpc_peer::LogConfig;
///
/// let logging = LogConfig::default()
///     .with_print_detail(true)
///     .with_slow_threshold(Duration::from_millis(200));
/// assert!(logging.print_detail() && logging.count_time());
/// assert_eq!(logging.slow_threshold(), Duration::from_millis(200));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogConfig {
    print_detail: bool,
    count_time: bool,
    slow_threshold: Duration,
}

impl Default for LogConfig {
    /// No details, cost measured, slow from 1 s.
    fn default() -> Self {
        Self {
            print_detail: false,
            count_time: true,
            slow_threshold: DEFAULT_SLOW_THRESHOLD,
        }
    }
}

impl LogConfig {
    /// Sets whether events carry each message's meta and body.
    pub fn with_print_detail(mut self, print_detail: bool) -> Self {
        self.print_detail = print_detail;
        self
    }

    /// Sets whether each handled message's cost is measured.
    pub fn with_count_time(mut self, count_time: bool) -> Self {
        self.count_time = count_time;
        self
    }

    /// Sets the cost from which a message is logged at WARN.
    pub fn with_slow_threshold(mut self, threshold: Duration) -> Self {
        self.slow_threshold = threshold;
        self
    }

    /// Whether events carry each message's meta and body.
    pub fn print_detail(&self) -> bool {
        self.print_detail
    }

    /// Whether each handled message's cost is measured.
    pub fn count_time(&self) -> bool {
        self.count_time
    }

    /// The cost from which a message is logged at WARN.
    pub fn slow_threshold(&self) -> Duration {
        self.slow_threshold
    }
}

/// Wraps a handler: times each CALL and PUSH and logs it as [`LogConfig`] says.
pub(crate) struct Logged {
    inner: Arc<dyn Handler>,
    config: LogConfig,
}

impl Logged {
    pub(crate) fn new(inner: Arc<dyn Handler>, config: LogConfig) -> Self {
        Self { inner, config }
    }
}

impl Handler for Logged {
    fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
        let mut entry = Entry::new("call", &request, self.config);
        let answer = self.inner.call(request);
        Box::pin(async move {
            let reply = answer.await;
            entry.done(Some(&reply));
            reply
        })
    }

    fn push(&self, request: Request) -> BoxFuture<'static, ()> {
        let mut entry = Entry::new("push", &request, self.config);
        let handled = self.inner.push(request);
        Box::pin(async move {
            handled.await;
            entry.done(None);
        })
    }
}

/// One handled message on its way to its log event, which it emits when done or, unfinished,
/// when dropped.
struct Entry {
    kind: &'static str,
    session: Session,
    service_method: ByteString,
    seq: i32,
    started: Option<Instant>,
    config: LogConfig,
    /// The request's meta and body, with `print_detail`.
    detail: Option<(String, String)>,
    logged: bool,
}

impl Entry {
    fn new(kind: &'static str, request: &Request, config: LogConfig) -> Self {
        let message = request.message();
        Self {
            kind,
            session: request.session().clone(),
            service_method: message.service_method.clone(),
            seq: message.seq,
            started: config.count_time.then(Instant::now),
            config,
            detail: config
                .print_detail
                .then(|| (message.meta.to_query(), render_body(&message.body))),
            logged: false,
        }
    }

    /// Logs the handled message; a call with its `reply`.
    fn done(&mut self, reply: Option<&Reply>) {
        self.logged = true;
        let cost = self.started.map(|started| started.elapsed());
        let slow = cost.is_some_and(|cost| cost >= self.config.slow_threshold);
        let status = reply.map(|reply| reply.status.as_ref().map_or(0, Status::code));
        let reply_detail = reply
            .filter(|_| self.config.print_detail)
            .map(|reply| (reply.meta.to_query(), render_body(&reply.body)));
        let (request_meta, request_body) = split(self.detail.as_ref());
        let (reply_meta, reply_body) = split(reply_detail.as_ref());
        macro_rules! handled {
            ($level:expr, $text:literal) => {
                tracing::event!(
                    target: LOG_TARGET,
                    $level,
                    kind = self.kind,
                    id = %self.session.id(),
                    peer = %self.session.peer_addr(),
                    service_method = %self.service_method,
                    seq = self.seq,
                    status,
                    cost_us = cost.map(micros),
                    request_meta,
                    request_body,
                    reply_meta,
                    reply_body,
                    $text
                )
            };
        }
        if slow {
            handled!(tracing::Level::WARN, "slow message handled");
        } else {
            handled!(tracing::Level::DEBUG, "message handled");
        }
    }
}

impl Drop for Entry {
    /// Logs a message whose handler was dropped before it answered.
    fn drop(&mut self) {
        if self.logged {
            return;
        }
        let cost = self.started.map(|started| started.elapsed());
        let slow = cost.is_some_and(|cost| cost >= self.config.slow_threshold);
        macro_rules! dropped {
            ($level:expr, $text:literal) => {
                tracing::event!(
                    target: LOG_TARGET,
                    $level,
                    kind = self.kind,
                    id = %self.session.id(),
                    peer = %self.session.peer_addr(),
                    service_method = %self.service_method,
                    seq = self.seq,
                    cost_us = cost.map(micros),
                    $text
                )
            };
        }
        if slow {
            dropped!(tracing::Level::WARN, "slow message dropped unfinished");
        } else {
            dropped!(tracing::Level::DEBUG, "message dropped unfinished");
        }
    }
}

/// Logs a REPLY received, with its meta and body, when `config` asks for details.
pub(crate) fn log_reply(config: &LogConfig, session: &Session, reply: &Message) {
    if !config.print_detail {
        return;
    }
    tracing::debug!(
        target: LOG_TARGET,
        kind = "reply",
        id = %session.id(),
        peer = %session.peer_addr(),
        seq = reply.seq,
        status = reply.status.as_ref().map_or(0, Status::code),
        reply_meta = %reply.meta.to_query(),
        reply_body = %render_body(&reply.body),
        "reply received"
    );
}

/// A body as text: UTF-8 (lossily), the first [`DETAIL_BODY_LIMIT`] bytes, then its size.
fn render_body(body: &[u8]) -> String {
    if body.len() <= DETAIL_BODY_LIMIT {
        return String::from_utf8_lossy(body).into_owned();
    }
    let head = String::from_utf8_lossy(&body[..DETAIL_BODY_LIMIT]);
    format!("{head}… ({} bytes)", body.len())
}

/// A detail pair's halves as optional fields (absent without details).
fn split(detail: Option<&(String, String)>) -> (Option<&str>, Option<&str>) {
    match detail {
        Some((meta, body)) => (Some(meta.as_str()), Some(body.as_str())),
        None => (None, None),
    }
}

/// A duration in whole microseconds, saturating.
fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_bodies_within_the_limit() {
        assert_eq!(render_body(b"[1,2]"), "[1,2]");
        let long = vec![b'a'; DETAIL_BODY_LIMIT + 5];
        let rendered = render_body(&long);
        assert!(rendered.ends_with(&format!("… ({} bytes)", DETAIL_BODY_LIMIT + 5)));
        assert_eq!(rendered.matches('a').count(), DETAIL_BODY_LIMIT);
        assert_eq!(render_body(&[0xff]), "\u{fffd}");
    }

    #[test]
    fn counts_microseconds() {
        assert_eq!(micros(Duration::from_millis(3)), 3000);
        assert_eq!(micros(Duration::MAX), u64::MAX);
    }
}
