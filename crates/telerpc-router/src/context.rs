//! [`MessageCtx`]: what every handler knows about the message it handles.

use std::any::Any;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use telerpc_codec::{CodecRegistry, DecodeBody};
use telerpc_session::{Request, Session};
use telerpc_socket::{Address, Attributes, Message, Meta, Status};
use tokio::time::Instant;

use crate::{statuses, Extensions, REAL_IP_META_KEY};

/// The part of a handler's context that CALLs and PUSHes share: the inbound message, the
/// session it came on, its path and query, and what is known about the peer.
///
/// [`CallCtx`](crate::CallCtx) and [`PushCtx`](crate::PushCtx) dereference to it, so every
/// method here is called on them directly (`ctx.session()`, `ctx.query()`).
///
/// - The session is a full handle: a handler calls or pushes back to its caller through
///   [`session`](Self::session), on the same connection.
/// - The service method is split at its first `?`: the [`path`](Self::path) is what the router
///   routed on, the rest the [`query`](Self::query).
#[derive(Debug)]
pub struct MessageCtx {
    request: Request,
    path_len: usize,
    query: Meta,
}

impl MessageCtx {
    /// The context of `request`, whose service method's path is its first `path_len` bytes
    /// and whose query is `query` (see [`parse_query`]).
    pub(crate) fn new(request: Request, path_len: usize, query: Meta) -> Self {
        Self {
            request,
            path_len,
            query,
        }
    }

    /// The session the message came on: call or push back to the peer through it.
    pub fn session(&self) -> &Session {
        self.request.session()
    }

    /// The message as received.
    pub fn message(&self) -> &Message {
        self.request.message()
    }

    /// The message's seq: the peer's counter, which a REPLY echoes.
    pub fn seq(&self) -> i32 {
        self.message().seq
    }

    /// The whole service method, query included: `/a/b?x=1`.
    pub fn service_method(&self) -> &str {
        self.request.service_method()
    }

    /// The service method's path, the part the router routed on: `/a/b` of `/a/b?x=1`.
    pub fn path(&self) -> &str {
        &self.service_method()[..self.path_len]
    }

    /// The raw query string, after the first `?` and still escaped: `x=1` of `/a/b?x=1`;
    /// empty without one.
    pub fn query_string(&self) -> &str {
        self.service_method().get(self.path_len + 1..).unwrap_or("")
    }

    /// The query string's pairs, decoded, in the same ordered multimap as meta (spec §3):
    /// `query().get("x")` is `Some("1")` for `/a/b?x=1`.
    pub fn query(&self) -> &Meta {
        &self.query
    }

    /// The message's meta.
    pub fn meta(&self) -> &Meta {
        &self.message().meta
    }

    /// The id of the codec the body was encoded with.
    pub fn body_codec(&self) -> u8 {
        self.message().body_codec
    }

    /// The session's codec registry.
    pub fn codecs(&self) -> &Arc<CodecRegistry> {
        self.session().config().codecs()
    }

    /// The body decoded as `T` with the codec the message names. A body that does not decode,
    /// or a codec the registry does not know, is 400 Bad Message with the decode error as the
    /// cause (spec §6).
    pub fn body_as<T: DecodeBody>(&self) -> Result<T, Status> {
        self.request.body_as()
    }

    /// The peer's address on the session's current connection.
    pub fn peer_addr(&self) -> Address {
        self.session().peer_addr()
    }

    /// The client's real IP address: the message's [`X-Real-IP`](REAL_IP_META_KEY) meta when
    /// it holds an IP address (or an IP address and port), else the IP of the peer's address;
    /// `None` when neither is known (a Unix socket or an in-memory stream without the meta).
    /// An `X-Real-IP` that is not an address is ignored (logged at debug).
    pub fn real_ip(&self) -> Option<IpAddr> {
        if let Some(value) = self.meta().get(REAL_IP_META_KEY) {
            let value = value.trim();
            let parsed = value
                .parse::<IpAddr>()
                .or_else(|_| value.parse::<SocketAddr>().map(|addr| addr.ip()));
            match parsed {
                Ok(ip) => return Some(ip),
                Err(_) => tracing::debug!(value, "ignored an X-Real-IP that is not an address"),
            }
        }
        match self.peer_addr() {
            Address::Inet(addr) => Some(addr.ip()),
            _ => None,
        }
    }

    /// When the caller stops waiting: the arrival of the CALL plus the time left it carried
    /// in [`TIMEOUT_META_KEY`](telerpc_session::TIMEOUT_META_KEY). The session stops the
    /// handler and answers 408 when it passes. `None` for a PUSH, and for a CALL that carried
    /// no time left (as from an eRPC peer).
    pub fn deadline(&self) -> Option<Instant> {
        self.request.deadline()
    }

    /// The session's attributes, shared by every handler of the session.
    pub fn attributes(&self) -> &Attributes {
        self.session().attributes()
    }

    /// The session's value of type `T` (see [`Extensions`]).
    pub fn extension<T: Any + Send + Sync>(&self) -> Option<Arc<T>> {
        self.attributes().extension::<T>()
    }
}

/// The query of `service_method`, whose path is its first `path_len` bytes: what follows the
/// `?`, parsed. Fails with 400 if it does not decode.
pub(crate) fn parse_query(service_method: &str, path_len: usize) -> Result<Meta, Status> {
    match service_method.get(path_len + 1..) {
        Some(raw) => Meta::parse_query(raw.as_bytes()).map_err(|error| statuses::bad_query(&error)),
        None => Ok(Meta::new()),
    }
}
