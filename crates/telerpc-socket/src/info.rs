//! [`SocketInfo`]: what is known about a connection, shared by its halves.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::{Address, Attributes};

/// The identity of one connection: its id, its attributes and both addresses.
///
/// A [`Socket`](crate::Socket) holds its info behind an `Arc` that its
/// [`SocketReader`](crate::SocketReader) and [`SocketWriter`](crate::SocketWriter) share after
/// [`split`](crate::Socket::split), and that the tiers above may clone, so the id and
/// attributes set through any holder are seen by all.
///
/// The id names the connection in logs and lets the tiers above find it. By default it is the
/// peer's address as text, as eRPC does (`127.0.0.1:53412`, or a Unix socket's path); a peer
/// without a named address gets a process-unique `socket-<n>`, with `n` counting from 1. It can
/// be replaced at any time through a shared reference with [`set_id`](Self::set_id), for
/// example by the user name learned during authentication.
///
/// ```
/// use telerpc_socket::{Address, SocketInfo};
///
/// let info = SocketInfo::new(Address::Unknown, Address::Unknown);
/// assert!(info.id().starts_with("socket-"));
/// info.set_id("alice");
/// assert_eq!(&*info.id(), "alice");
/// ```
#[derive(Debug)]
pub struct SocketInfo {
    id: RwLock<Arc<str>>,
    attributes: Attributes,
    local_addr: Address,
    peer_addr: Address,
}

impl SocketInfo {
    /// The info of a connection between `local_addr` and `peer_addr`, with the default id and
    /// no attributes.
    pub fn new(local_addr: Address, peer_addr: Address) -> Self {
        let id = peer_addr.text().unwrap_or_else(generated_id);
        Self {
            id: RwLock::new(id.into()),
            attributes: Attributes::new(),
            local_addr,
            peer_addr,
        }
    }

    /// The connection's id.
    pub fn id(&self) -> Arc<str> {
        self.id
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the connection's id.
    pub fn set_id(&self, id: impl Into<Arc<str>>) {
        *self.id.write().unwrap_or_else(PoisonError::into_inner) = id.into();
    }

    /// The connection's attributes.
    pub fn attributes(&self) -> &Attributes {
        &self.attributes
    }

    /// This end's address.
    pub fn local_addr(&self) -> &Address {
        &self.local_addr
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> &Address {
        &self.peer_addr
    }
}

/// A process-unique id for a connection whose peer has no address: `socket-1`, `socket-2`, …
fn generated_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("socket-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}
