//! [`TcpOptions`]: the socket options applied to a TCP connection.

use std::io;
use std::time::Duration;

use socket2::{SockRef, TcpKeepalive};
use tokio::net::TcpStream;

/// The options [`Socket::tcp`](crate::Socket::tcp) applies to a TCP connection, with Go's
/// defaults so a telerpc peer behaves on the network like an eRPC one.
///
/// | option | default | effect |
/// |---|---|---|
/// | [`nodelay`](Self::nodelay) | `true` | `TCP_NODELAY`: frames leave at once, no Nagle delay |
/// | [`keepalive`](Self::keepalive) | `Some(15 s)` | keepalive probes after that idle time, then at that interval; `None` turns keepalive off |
/// | [`recv_buffer_size`](Self::recv_buffer_size) | `None` | `SO_RCVBUF`; `None` keeps the OS default |
/// | [`send_buffer_size`](Self::send_buffer_size) | `None` | `SO_SNDBUF`; `None` keeps the OS default |
///
/// The keepalive interval is set where the OS allows it (Linux, Android, the BSDs, Apple
/// systems, Windows); elsewhere only the idle time is.
///
/// ```
/// use std::time::Duration;
/// use telerpc_socket::TcpOptions;
///
/// let options = TcpOptions::default().with_keepalive(Some(Duration::from_secs(30)));
/// assert!(options.nodelay());
/// assert_eq!(options.keepalive(), Some(Duration::from_secs(30)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TcpOptions {
    nodelay: bool,
    keepalive: Option<Duration>,
    recv_buffer_size: Option<usize>,
    send_buffer_size: Option<usize>,
}

/// Go's default keepalive period, used for both the idle time and the probe interval.
const GO_KEEPALIVE: Duration = Duration::from_secs(15);

impl Default for TcpOptions {
    /// Go's defaults: no delay, keepalive every 15 s, OS buffer sizes.
    fn default() -> Self {
        Self {
            nodelay: true,
            keepalive: Some(GO_KEEPALIVE),
            recv_buffer_size: None,
            send_buffer_size: None,
        }
    }
}

impl TcpOptions {
    /// Sets `TCP_NODELAY`.
    pub fn with_nodelay(mut self, nodelay: bool) -> Self {
        self.nodelay = nodelay;
        self
    }

    /// Sets the keepalive period; `None` turns keepalive off.
    pub fn with_keepalive(mut self, keepalive: Option<Duration>) -> Self {
        self.keepalive = keepalive;
        self
    }

    /// Sets `SO_RCVBUF` in bytes; `None` keeps the OS default.
    pub fn with_recv_buffer_size(mut self, size: Option<usize>) -> Self {
        self.recv_buffer_size = size;
        self
    }

    /// Sets `SO_SNDBUF` in bytes; `None` keeps the OS default.
    pub fn with_send_buffer_size(mut self, size: Option<usize>) -> Self {
        self.send_buffer_size = size;
        self
    }

    /// Whether `TCP_NODELAY` is set.
    pub fn nodelay(&self) -> bool {
        self.nodelay
    }

    /// The keepalive period, or `None` for no keepalive.
    pub fn keepalive(&self) -> Option<Duration> {
        self.keepalive
    }

    /// The requested `SO_RCVBUF`, or `None` for the OS default.
    pub fn recv_buffer_size(&self) -> Option<usize> {
        self.recv_buffer_size
    }

    /// The requested `SO_SNDBUF`, or `None` for the OS default.
    pub fn send_buffer_size(&self) -> Option<usize> {
        self.send_buffer_size
    }

    /// Applies the options to `stream`. The first option the OS refuses is the error; options
    /// before it stay applied.
    pub fn apply(&self, stream: &TcpStream) -> io::Result<()> {
        let socket = SockRef::from(stream);
        socket.set_tcp_nodelay(self.nodelay)?;
        match self.keepalive {
            Some(period) => socket.set_tcp_keepalive(&keepalive_params(period))?,
            None => socket.set_keepalive(false)?,
        }
        if let Some(size) = self.recv_buffer_size {
            socket.set_recv_buffer_size(size)?;
        }
        if let Some(size) = self.send_buffer_size {
            socket.set_send_buffer_size(size)?;
        }
        Ok(())
    }
}

/// Keepalive after `period` of idleness, then a probe every `period`, as Go does.
#[cfg(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "ios",
    target_os = "linux",
    target_os = "macos",
    target_os = "netbsd",
    target_os = "windows",
))]
fn keepalive_params(period: Duration) -> TcpKeepalive {
    TcpKeepalive::new().with_time(period).with_interval(period)
}

/// Keepalive after `period` of idleness; this OS does not let the probe interval be set.
#[cfg(not(any(
    target_os = "android",
    target_os = "dragonfly",
    target_os = "freebsd",
    target_os = "ios",
    target_os = "linux",
    target_os = "macos",
    target_os = "netbsd",
    target_os = "windows",
)))]
fn keepalive_params(period: Duration) -> TcpKeepalive {
    TcpKeepalive::new().with_time(period)
}
