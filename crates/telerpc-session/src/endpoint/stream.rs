//! [`Stream`]: a connection of either transport, and how it becomes a session's socket.

use std::io;

#[cfg(unix)]
use telerpc_socket::UnixSocket;
use telerpc_socket::{Address, Socket, SocketConfig, Status, TcpSocket};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

use crate::{Session, SessionBuilder};

/// A connected byte stream of either transport, as a [`Listener`](super::Listener) accepts it
/// or [`connect`](super::connect()) opens it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Stream {
    /// A TCP connection.
    Tcp(TcpStream),
    /// A Unix domain socket connection.
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Stream {
    /// This end's address.
    pub fn local_addr(&self) -> io::Result<Address> {
        match self {
            Self::Tcp(stream) => stream.local_addr().map(Address::from),
            #[cfg(unix)]
            Self::Unix(stream) => stream.local_addr().map(Address::from),
        }
    }

    /// The peer's address.
    pub fn peer_addr(&self) -> io::Result<Address> {
        match self {
            Self::Tcp(stream) => stream.peer_addr().map(Address::from),
            #[cfg(unix)]
            Self::Unix(stream) => stream.peer_addr().map(Address::from),
        }
    }

    /// Frames the stream with `config`: a TCP stream gets `config`'s
    /// [`TcpOptions`](telerpc_socket::TcpOptions) applied. Fails when an option is refused or
    /// an address cannot be read; the stream is then closed.
    pub(super) fn into_socket(self, config: &SocketConfig) -> io::Result<EndpointSocket> {
        match self {
            Self::Tcp(stream) => Socket::tcp(stream, config.clone()).map(EndpointSocket::Tcp),
            #[cfg(unix)]
            Self::Unix(stream) => Socket::unix(stream, config.clone()).map(EndpointSocket::Unix),
        }
    }
}

/// A framed [`Stream`], ready to start or rejoin a session.
#[derive(Debug)]
pub(super) enum EndpointSocket {
    Tcp(TcpSocket),
    #[cfg(unix)]
    Unix(UnixSocket),
}

impl EndpointSocket {
    /// Starts a session on the socket; see [`SessionBuilder::start`].
    pub(super) async fn start(self, builder: SessionBuilder) -> Result<Session, Status> {
        match self {
            Self::Tcp(socket) => builder.start(socket).await,
            #[cfg(unix)]
            Self::Unix(socket) => builder.start(socket).await,
        }
    }

    /// Gives a reconnecting session this socket; see [`Session::attach`].
    pub(super) fn attach(self, session: &Session) -> Result<(), Status> {
        match self {
            Self::Tcp(socket) => session.attach(socket),
            #[cfg(unix)]
            Self::Unix(socket) => session.attach(socket),
        }
    }
}

#[cfg(test)]
mod tests {
    use telerpc_socket::TcpOptions;
    use tokio::net::TcpListener;

    use super::*;

    #[tokio::test]
    async fn applies_the_tcp_options() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        for nodelay in [false, true] {
            let client = TcpStream::connect(addr).await.unwrap();
            let config =
                SocketConfig::default().with_tcp(TcpOptions::default().with_nodelay(nodelay));
            let EndpointSocket::Tcp(socket) = Stream::Tcp(client).into_socket(&config).unwrap()
            else {
                panic!("not a TCP socket")
            };
            let (read, _) = socket.get_ref();
            assert_eq!(read.as_ref().nodelay().unwrap(), nodelay);
            assert_eq!(socket.peer_addr(), &Address::Inet(addr));
        }
    }
}
