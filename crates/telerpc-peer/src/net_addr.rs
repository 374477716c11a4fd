//! [`Network`] and [`NetAddr`]: what a peer listens on or dials, as Go names it.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::Path;

use telerpc_session::endpoint::Target;
use telerpc_socket::Address;

/// The kind of network of a [`NetAddr`], Go's `network` argument.
///
/// | network | what | a host name resolves to |
/// |---|---|---|
/// | [`Tcp`](Self::Tcp) | TCP over IPv4 or IPv6 | any of its addresses |
/// | [`Tcp4`](Self::Tcp4) | TCP over IPv4 only | its IPv4 addresses |
/// | [`Tcp6`](Self::Tcp6) | TCP over IPv6 only; a listener accepts IPv6 connections only (`IPV6_V6ONLY`), as Go's does | its IPv6 addresses |
/// | [`Unix`](Self::Unix) | a Unix domain socket: the address is its path | — |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Network {
    /// TCP over IPv4 or IPv6.
    Tcp,
    /// TCP over IPv4 only.
    Tcp4,
    /// TCP over IPv6 only.
    Tcp6,
    /// A Unix domain socket.
    Unix,
}

impl Network {
    /// Go's name of the network: `tcp`, `tcp4`, `tcp6` or `unix`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Tcp4 => "tcp4",
            Self::Tcp6 => "tcp6",
            Self::Unix => "unix",
        }
    }

    /// Whether `addr` belongs to this network's address family (every address belongs to
    /// [`Tcp`](Self::Tcp); none to [`Unix`](Self::Unix)).
    fn admits(&self, addr: &SocketAddr) -> bool {
        match self {
            Self::Tcp => true,
            Self::Tcp4 => addr.is_ipv4(),
            Self::Tcp6 => addr.is_ipv6(),
            Self::Unix => false,
        }
    }
}

impl fmt::Display for Network {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An address on a [`Network`]: `host:port` for the TCP networks (a name or a literal,
/// `[::1]:9090` for IPv6), a path for [`Unix`](Network::Unix).
///
/// It displays as `network://address`: `tcp4://127.0.0.1:9090`, `unix:///run/app.sock`.
///
/// ```
/// use telerpc_peer::{NetAddr, Network};
///
/// let addr = NetAddr::tcp4("127.0.0.1:9090");
/// assert_eq!(addr.network(), Network::Tcp4);
/// assert_eq!(addr.address(), "127.0.0.1:9090");
/// assert_eq!(addr.to_string(), "tcp4://127.0.0.1:9090");
/// assert_eq!(NetAddr::unix("/run/app.sock").to_string(), "unix:///run/app.sock");
/// let literal: std::net::SocketAddr = "[::1]:80".parse().unwrap();
/// assert_eq!(NetAddr::from(literal), NetAddr::tcp("[::1]:80"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NetAddr {
    network: Network,
    address: String,
}

impl NetAddr {
    /// `address` on `network`.
    pub fn new(network: Network, address: impl Into<String>) -> Self {
        Self {
            network,
            address: address.into(),
        }
    }

    /// A TCP address, IPv4 or IPv6: `host:port`.
    pub fn tcp(address: impl Into<String>) -> Self {
        Self::new(Network::Tcp, address)
    }

    /// An IPv4-only TCP address: `host:port`.
    pub fn tcp4(address: impl Into<String>) -> Self {
        Self::new(Network::Tcp4, address)
    }

    /// An IPv6-only TCP address: `host:port`, such as `[::1]:9090`.
    pub fn tcp6(address: impl Into<String>) -> Self {
        Self::new(Network::Tcp6, address)
    }

    /// A Unix domain socket's path (a path that is not UTF-8 is taken lossily).
    pub fn unix(path: impl AsRef<Path>) -> Self {
        Self::new(Network::Unix, path.as_ref().to_string_lossy())
    }

    /// The network.
    pub fn network(&self) -> Network {
        self.network
    }

    /// The address: `host:port`, or a Unix socket's path.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The host of a TCP address: `127.0.0.1`, `::1` (brackets removed), `example.com`;
    /// `None` for a Unix address or text without a port.
    pub(crate) fn host(&self) -> Option<&str> {
        if self.network == Network::Unix {
            return None;
        }
        let (host, _port) = self.address.rsplit_once(':')?;
        Some(host.trim_start_matches('[').trim_end_matches(']'))
    }

    /// The address as a peer at `address` of this network reports it: a TCP listener's real
    /// `ip:port`, a Unix listener's path. An address without a name keeps `self`.
    pub(crate) fn bound(&self, address: &Address) -> Self {
        match address {
            Address::Inet(addr) => Self::new(self.network, addr.to_string()),
            Address::Unix(Some(path)) => Self::unix(path),
            Address::Unix(None) | Address::Unknown => self.clone(),
        }
    }

    /// The addresses of a TCP network's host that its family admits, resolved now; fails
    /// when there is none.
    pub(crate) async fn resolve(&self) -> io::Result<Vec<SocketAddr>> {
        let candidates: Vec<SocketAddr> = tokio::net::lookup_host(self.address.as_str())
            .await?
            .filter(|addr| self.network.admits(addr))
            .collect();
        if candidates.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::AddrNotAvailable,
                format!("{self} has no address of its network"),
            ));
        }
        Ok(candidates)
    }

    /// What the endpoint tier dials: a `tcp` address as written (resolved at each dial), a
    /// `tcp4` or `tcp6` address resolved now to its first address of the family, a Unix path.
    pub(crate) async fn target(&self) -> io::Result<Target> {
        match self.network {
            Network::Tcp => Ok(Target::tcp(self.address.as_str())),
            Network::Tcp4 | Network::Tcp6 => Ok(Target::from(self.resolve().await?[0])),
            Network::Unix => unix_target(&self.address),
        }
    }
}

#[cfg(unix)]
fn unix_target(path: &str) -> io::Result<Target> {
    Ok(Target::unix(path))
}

#[cfg(not(unix))]
fn unix_target(path: &str) -> io::Result<Target> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        format!("Unix domain sockets are not supported here: {path}"),
    ))
}

impl From<SocketAddr> for NetAddr {
    /// A [`tcp`](Network::Tcp) address for the literal.
    fn from(addr: SocketAddr) -> Self {
        Self::tcp(addr.to_string())
    }
}

impl fmt::Display for NetAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.network, self.address)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_host() {
        assert_eq!(NetAddr::tcp("127.0.0.1:80").host(), Some("127.0.0.1"));
        assert_eq!(NetAddr::tcp6("[::1]:80").host(), Some("::1"));
        assert_eq!(NetAddr::tcp("localhost:80").host(), Some("localhost"));
        assert_eq!(NetAddr::tcp("no-port").host(), None);
        assert_eq!(NetAddr::unix("/tmp/a:b").host(), None);
    }

    #[tokio::test]
    async fn resolves_within_the_family() {
        let v4 = NetAddr::tcp4("127.0.0.1:1").resolve().await.unwrap();
        assert_eq!(v4, ["127.0.0.1:1".parse::<SocketAddr>().unwrap()]);
        let error = NetAddr::tcp6("127.0.0.1:1").resolve().await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::AddrNotAvailable);
        assert!(NetAddr::tcp4("[::1]:1").resolve().await.is_err());
        assert_eq!(
            NetAddr::tcp6("[::1]:1").target().await.unwrap(),
            Target::tcp("[::1]:1")
        );
    }

    #[test]
    fn reports_the_bound_address() {
        let bound = NetAddr::tcp4("127.0.0.1:0").bound(&Address::Inet(
            "127.0.0.1:4000".parse::<SocketAddr>().unwrap(),
        ));
        assert_eq!(bound, NetAddr::tcp4("127.0.0.1:4000"));
        let unix = NetAddr::unix("/tmp/x.sock");
        assert_eq!(unix.bound(&Address::Unknown), unix);
    }
}
