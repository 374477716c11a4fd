//! [`Broadcast`]: one PUSH to every session of a peer, or to those a filter selects.

use std::fmt;
use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use telerpc_codec::{CodecRegistry, EncodeBody, Raw};
use telerpc_session::{BoxFuture, Session};
use telerpc_socket::{code, Status};
use tokio::task::JoinSet;

use crate::Peer;

/// A broadcast's choice of sessions.
type Filter<'a> = Box<dyn Fn(&Session) -> bool + Send + 'a>;

/// What a [`Broadcast`] achieved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BroadcastReport {
    /// The sessions whose PUSH was queued.
    pub sent: usize,
    /// The sessions whose PUSH failed, by id, with why (102 for a session that ended
    /// meanwhile, 104 or 408 for a full outbound queue).
    pub failed: Vec<(Arc<str>, Status)>,
}

impl BroadcastReport {
    /// The sessions the broadcast tried: sent and failed.
    pub fn attempted(&self) -> usize {
        self.sent + self.failed.len()
    }
}

/// A PUSH to many sessions, being built: set options, then `.await` it.
///
/// Made by [`Peer::broadcast`]. Awaiting it encodes the body once, with the codec set or the
/// peer's [default codec](crate::PeerConfig::default_codec), then pushes the encoded body to
/// every live session of the [hub](Peer::hub) that the [`filter`](Self::filter) selects (all
/// of them without one), concurrently, each push on a task of its own. Each push resolves as
/// [`Session::push`] does, once queued, so a session with a full queue waits up to the
/// [`timeout`](Self::timeout) without holding the others back.
///
/// Resolves with a [`BroadcastReport`]; fails with 104 only when the body cannot be encoded
/// (then nothing is sent).
///
/// ```no_run
/// # async fn f(peer: telerpc_peer::Peer) -> Result<(), telerpc_socket::Status> {
/// let everyone = peer.broadcast("/chat/say", "hello, everyone").await?;
/// assert_eq!(everyone.attempted(), peer.hub().count()); // if no session came or went
///
/// let room = peer
///     .broadcast("/chat/say", "hello, room 7")
///     .filter(|session| {
///         session.attributes().get::<u32>("room").as_deref() == Some(&7)
///     })
///     .await?;
/// # Ok(())
/// # }
/// ```
#[must_use = "a broadcast does nothing until it is awaited"]
pub struct Broadcast<'a, A: ?Sized> {
    peer: &'a Peer,
    service_method: &'a str,
    arg: &'a A,
    filter: Option<Filter<'a>>,
    codec: Option<u8>,
    timeout: Option<Duration>,
}

impl Peer {
    /// A PUSH of `arg` to `service_method` on every live session; see [`Broadcast`].
    pub fn broadcast<'a, A>(&'a self, service_method: &'a str, arg: &'a A) -> Broadcast<'a, A>
    where
        A: EncodeBody + ?Sized,
    {
        Broadcast {
            peer: self,
            service_method,
            arg,
            filter: None,
            codec: None,
            timeout: None,
        }
    }
}

impl<'a, A: EncodeBody + ?Sized> Broadcast<'a, A> {
    /// Pushes only to the sessions for which `filter` returns `true`.
    pub fn filter(mut self, filter: impl Fn(&Session) -> bool + Send + 'a) -> Self {
        self.filter = Some(Box::new(filter));
        self
    }

    /// Sets the codec of the body (default: the peer's default codec).
    pub fn codec(mut self, codec_id: u8) -> Self {
        self.codec = Some(codec_id);
        self
    }

    /// Sets how long each push may wait for room in a full queue (default: the peer's call
    /// timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }
}

impl<'a, A: EncodeBody + ?Sized + Sync> IntoFuture for Broadcast<'a, A> {
    type Output = Result<BroadcastReport, Status>;
    type IntoFuture = BoxFuture<'a, Result<BroadcastReport, Status>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            let config = self.peer.session_config();
            let codec = self.codec.unwrap_or(config.default_codec());
            let body = encode(config.codecs(), codec, self.arg)?;
            let mut targets = Vec::new();
            self.peer.hub().range(|session| {
                if self.filter.as_ref().is_none_or(|filter| filter(session)) {
                    targets.push(session.clone());
                }
                true
            });
            let service_method: Arc<str> = Arc::from(self.service_method);
            let timeout = self.timeout.unwrap_or(config.call_timeout());
            let mut pushes = JoinSet::new();
            for session in targets {
                let (body, service_method) = (body.clone(), Arc::clone(&service_method));
                pushes.spawn(async move {
                    let pushed = session
                        .push(&service_method, &body)
                        .codec(codec)
                        .timeout(timeout)
                        .await;
                    (session.id(), pushed)
                });
            }
            let mut report = BroadcastReport::default();
            while let Some(joined) = pushes.join_next().await {
                match joined {
                    Ok((_, Ok(()))) => report.sent += 1,
                    Ok((id, Err(status))) => report.failed.push((id, status)),
                    Err(error) => tracing::warn!(%error, "a broadcast push task failed"),
                }
            }
            tracing::debug!(
                service_method = %service_method,
                sent = report.sent,
                failed = report.failed.len(),
                "broadcast"
            );
            Ok(report)
        })
    }
}

/// `arg` encoded once with the codec `codec`, to push as is to every session.
fn encode<A: EncodeBody + ?Sized>(
    codecs: &CodecRegistry,
    codec: u8,
    arg: &A,
) -> Result<Raw, Status> {
    let mut body = BytesMut::new();
    codecs
        .require(codec)
        .and_then(|codec| arg.encode_body(codec.as_ref(), &mut body))
        .map_err(|error| Status::from_code(code::WRITE_FAILED).with_cause(error.to_string()))?;
    Ok(Raw(body.freeze()))
}

impl<A: ?Sized> fmt::Debug for Broadcast<'_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broadcast")
            .field("service_method", &self.service_method)
            .field("filter", &self.filter.is_some())
            .field("codec", &self.codec)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
