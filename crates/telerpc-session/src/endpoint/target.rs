//! [`Target`]: the address an endpoint listens on or dials.

use std::fmt;
use std::net::SocketAddr;
#[cfg(unix)]
use std::path::PathBuf;

/// Where a [`Listener`](super::Listener) listens or a [`Dialer`](super::Dialer) dials: a TCP
/// address or a Unix domain socket path.
///
/// A TCP target is text, `host:port`, resolved when it is used, so `localhost:9090`,
/// `127.0.0.1:0` and `[::1]:9090` all work; a listener tries the resolved addresses in turn and
/// keeps the first it can bind, a dialer the first it can connect to. It displays as written;
/// a Unix target displays as its path.
///
/// ```
/// use telerpc_session::endpoint::Target;
///
/// let tcp = Target::tcp("127.0.0.1:0");
/// assert_eq!(tcp.to_string(), "127.0.0.1:0");
/// let addr: std::net::SocketAddr = "[::1]:9090".parse().unwrap();
/// assert_eq!(Target::from(addr), Target::tcp("[::1]:9090"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// A TCP address, `host:port`.
    Tcp(String),
    /// A Unix domain socket path.
    #[cfg(unix)]
    Unix(PathBuf),
}

impl Target {
    /// A TCP target, `host:port`.
    pub fn tcp(addr: impl Into<String>) -> Self {
        Self::Tcp(addr.into())
    }

    /// A Unix domain socket target.
    #[cfg(unix)]
    pub fn unix(path: impl Into<PathBuf>) -> Self {
        Self::Unix(path.into())
    }
}

impl From<SocketAddr> for Target {
    fn from(addr: SocketAddr) -> Self {
        Self::Tcp(addr.to_string())
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp(addr) => f.write_str(addr),
            #[cfg(unix)]
            Self::Unix(path) => path.display().fmt(f),
        }
    }
}
