//! [`PeerError`]: why a peer could not start listening.

use std::io;

use telerpc_socket::Status;

use crate::NetAddr;

/// Why [`Peer::listen`](crate::Peer::listen) failed. Calls, dials and served connections
/// fail with a [`Status`](telerpc_socket::Status) instead.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeerError {
    /// An address could not be resolved or bound. No address of the call is served: those
    /// bound before it are closed.
    #[error("listening on {addr}: {source}")]
    Bind {
        /// The address.
        addr: NetAddr,
        /// The OS's error.
        #[source]
        source: io::Error,
    },
    /// The peer listens already: `listen` serves the configured addresses once.
    #[error("the peer is listening already")]
    AlreadyListening,
    /// The peer is shutting down, or has shut down.
    #[error("the peer is shutting down")]
    ShuttingDown,
    /// A plugin's [`post_listen`](telerpc_session::Plugin::post_listen) refused an address.
    #[error("a plugin refused to listen on {addr}: {status}")]
    Refused {
        /// The address refused.
        addr: NetAddr,
        /// The plugin's status.
        status: Status,
    },
}
