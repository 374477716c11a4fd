//! [`PeerHandle`]: the way from a session back to its peer, kept in the session's attributes.

use std::fmt;
use std::sync::Weak;

use telerpc_session::Session;

use crate::peer::{Peer, PeerInner};

/// The attribute key under which every session of a peer holds its [`PeerHandle`]:
/// `telerpc.peer`.
pub const PEER_ATTRIBUTE: &str = "telerpc.peer";

/// A weak handle on the peer a session belongs to, stored in the session's
/// [`attributes`](Session::attributes) under [`PEER_ATTRIBUTE`] before any
/// [`on_open`](telerpc_session::EventListener::on_open) runs, so handlers and listeners reach
/// the peer (its hub, broadcast, dial) from any session they are given. [`peer_of`] is the
/// short way.
///
/// It is weak: a session does not keep its peer alive. Once every [`Peer`] handle is dropped,
/// [`peer`](Self::peer) returns `None`.
#[derive(Clone)]
pub struct PeerHandle {
    peer: Weak<PeerInner>,
    /// The session's key in the peer's hub.
    key: u64,
}

impl PeerHandle {
    pub(crate) fn new(peer: Weak<PeerInner>, key: u64) -> Self {
        Self { peer, key }
    }

    /// The peer, while it is alive.
    pub fn peer(&self) -> Option<Peer> {
        self.peer.upgrade().map(Peer::from_inner)
    }

    /// The hub key of `session`, if a peer made it.
    pub(crate) fn key_of(session: &Session) -> Option<u64> {
        Some(session.attributes().get::<Self>(PEER_ATTRIBUTE)?.key)
    }
}

/// The peer `session` belongs to: `None` when no peer made the session, or the peer is gone.
///
/// ```
/// use telerpc_peer::{peer_of, Peer, PeerConfig};
/// use telerpc_session::Session;
/// use telerpc_socket::Socket;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), telerpc_socket::Status> {
/// let peer = Peer::new(PeerConfig::default());
/// let (a, b) = tokio::io::duplex(4096);
/// let session = peer.serve_conn(a).await?;
/// assert!(peer_of(&session).is_some_and(|found| found.ptr_eq(&peer)));
///
/// let alone = Session::builder().start(Socket::new(b)).await?;
/// assert!(peer_of(&alone).is_none());
/// # Ok(())
/// # }
/// ```
pub fn peer_of(session: &Session) -> Option<Peer> {
    session
        .attributes()
        .get::<PeerHandle>(PEER_ATTRIBUTE)?
        .peer()
}

impl fmt::Debug for PeerHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PeerHandle")
            .field("alive", &(self.peer.strong_count() > 0))
            .field("key", &self.key)
            .finish()
    }
}
