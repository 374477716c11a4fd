//! [`Address`]: where either end of a socket is.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

/// The address of one end of a [`Socket`](crate::Socket): an internet address, a Unix domain
/// socket path, or unknown for streams that have none (such as `tokio::io::duplex`).
///
/// It is displayed the way Go displays a `net.Addr`: `127.0.0.1:8080`, `[::1]:8080`, or the
/// socket file's path. An unnamed Unix socket (the usual dialing side) and an unknown address
/// display as an empty string, which is also what [`text`](Self::text) reports as `None`.
///
/// ```
/// use telerpc_socket::Address;
///
/// let inet = Address::from("127.0.0.1:8080".parse::<std::net::SocketAddr>().unwrap());
/// assert_eq!(inet.to_string(), "127.0.0.1:8080");
/// assert_eq!(inet.text().as_deref(), Some("127.0.0.1:8080"));
/// assert_eq!(Address::Unknown.text(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum Address {
    /// An IPv4 or IPv6 address and port.
    Inet(SocketAddr),
    /// A Unix domain socket: its path, or `None` for an unnamed socket.
    Unix(Option<PathBuf>),
    /// The stream has no address.
    #[default]
    Unknown,
}

impl Address {
    /// The address as text, or `None` when it has no name (an unnamed Unix socket or an
    /// unknown address).
    pub fn text(&self) -> Option<String> {
        match self {
            Self::Inet(addr) => Some(addr.to_string()),
            Self::Unix(Some(path)) => Some(path.display().to_string()),
            Self::Unix(None) | Self::Unknown => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Inet(addr) => addr.fmt(f),
            Self::Unix(Some(path)) => path.display().fmt(f),
            Self::Unix(None) | Self::Unknown => Ok(()),
        }
    }
}

impl From<SocketAddr> for Address {
    fn from(addr: SocketAddr) -> Self {
        Self::Inet(addr)
    }
}

#[cfg(unix)]
impl From<tokio::net::unix::SocketAddr> for Address {
    fn from(addr: tokio::net::unix::SocketAddr) -> Self {
        Self::Unix(addr.as_pathname().map(PathBuf::from))
    }
}
