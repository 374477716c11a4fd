//! [`Transport`]: how a connection becomes a session's socket: TCP options, TLS, the cutoff.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use telerpc_session::endpoint::Stream;
use telerpc_socket::{Address, Socket, SocketConfig, SocketInfo, SocketReader, SocketWriter};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::{TlsAcceptor, TlsConnector};

use crate::lifecycle::Lifecycle;

/// The socket of every session of a peer, whatever its stream: plain TCP or Unix, TLS over
/// either, or any stream handed to [`serve_conn`](crate::Peer::serve_conn).
pub(crate) type PeerSocket =
    Socket<Box<dyn AsyncRead + Send + Unpin>, Box<dyn AsyncWrite + Send + Unpin>>;

/// Turns connections into [`PeerSocket`]s:
///
/// - a TCP stream gets the socket config's TCP options, as [`Socket::tcp`] applies them;
/// - with an acceptor, an accepted or served connection is a TLS server first (its handshake
///   bounded by the handshake timeout, and abandoned if the peer starts shutting down); with
///   a connector, a dialed one is a TLS client (its handshake within the dial's timeout);
/// - both halves are [guarded](crate::cutoff::Cutoff::guard) by the peer's cutoff;
/// - the socket's info has the stream's addresses (unknown for a served stream), so the
///   session's id is the peer's address as it would be over a plain socket.
pub(crate) struct Transport {
    socket: SocketConfig,
    acceptor: Option<TlsAcceptor>,
    connector: Option<TlsConnector>,
    handshake_timeout: Duration,
    lifecycle: Arc<Lifecycle>,
}

impl Transport {
    pub(crate) fn new(
        socket: SocketConfig,
        acceptor: Option<TlsAcceptor>,
        connector: Option<TlsConnector>,
        handshake_timeout: Duration,
        lifecycle: Arc<Lifecycle>,
    ) -> Self {
        Self {
            socket,
            acceptor,
            connector,
            handshake_timeout,
            lifecycle,
        }
    }

    /// Whether dialed connections speak TLS.
    pub(crate) fn dials_tls(&self) -> bool {
        self.connector.is_some()
    }

    /// The socket of an accepted connection (or one handed over already accepted).
    pub(crate) async fn accepted(&self, stream: Stream) -> io::Result<PeerSocket> {
        let info = self.info(&stream)?;
        match stream {
            Stream::Tcp(tcp) => {
                self.socket.tcp().apply(&tcp)?;
                match &self.acceptor {
                    Some(acceptor) => Ok(self.whole(self.handshake(acceptor, tcp).await?, info)),
                    None => {
                        let (read, write) = tcp.into_split();
                        Ok(self.halves(read, write, info))
                    }
                }
            }
            #[cfg(unix)]
            Stream::Unix(unix) => match &self.acceptor {
                Some(acceptor) => Ok(self.whole(self.handshake(acceptor, unix).await?, info)),
                None => {
                    let (read, write) = unix.into_split();
                    Ok(self.halves(read, write, info))
                }
            },
            _ => Err(unsupported()),
        }
    }

    /// The socket of a dialed connection; `server_name` is what a TLS dial verifies (the
    /// caller has it whenever a connector is set).
    pub(crate) async fn dialed(
        &self,
        stream: Stream,
        server_name: Option<ServerName<'static>>,
    ) -> io::Result<PeerSocket> {
        let info = self.info(&stream)?;
        let tls = match (&self.connector, server_name) {
            (Some(connector), Some(name)) => Some((connector, name)),
            (Some(_), None) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "no TLS server name for this address",
                ))
            }
            (None, _) => None,
        };
        match stream {
            Stream::Tcp(tcp) => {
                self.socket.tcp().apply(&tcp)?;
                match tls {
                    Some((connector, name)) => {
                        Ok(self.whole(connector.connect(name, tcp).await?, info))
                    }
                    None => {
                        let (read, write) = tcp.into_split();
                        Ok(self.halves(read, write, info))
                    }
                }
            }
            #[cfg(unix)]
            Stream::Unix(unix) => match tls {
                Some((connector, name)) => {
                    Ok(self.whole(connector.connect(name, unix).await?, info))
                }
                None => {
                    let (read, write) = unix.into_split();
                    Ok(self.halves(read, write, info))
                }
            },
            _ => Err(unsupported()),
        }
    }

    /// The socket of any stream handed over to be served; its addresses are unknown.
    pub(crate) async fn served<S>(&self, io: S) -> io::Result<PeerSocket>
    where
        S: AsyncRead + AsyncWrite + Send + Unpin + 'static,
    {
        let info = SocketInfo::new(Address::Unknown, Address::Unknown);
        match &self.acceptor {
            Some(acceptor) => Ok(self.whole(self.handshake(acceptor, io).await?, info)),
            None => Ok(self.whole(io, info)),
        }
    }

    /// The TLS server handshake over `io`, bounded by the handshake timeout and abandoned
    /// once the peer drains (the connection could no longer become a session).
    async fn handshake<IO>(
        &self,
        acceptor: &TlsAcceptor,
        io: IO,
    ) -> io::Result<tokio_rustls::server::TlsStream<IO>>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        tokio::select! {
            handshake = tokio::time::timeout(self.handshake_timeout, acceptor.accept(io)) => {
                handshake.map_err(|_| {
                    io::Error::new(io::ErrorKind::TimedOut, "the TLS handshake timed out")
                })?
            }
            () = self.lifecycle.until_draining() => Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "the peer began shutting down during the TLS handshake",
            )),
        }
    }

    fn info(&self, stream: &Stream) -> io::Result<SocketInfo> {
        Ok(SocketInfo::new(stream.local_addr()?, stream.peer_addr()?))
    }

    /// A socket over a stream that does not split on its own (TLS, a served stream).
    fn whole<S>(&self, io: S, info: SocketInfo) -> PeerSocket
    where
        S: AsyncRead + AsyncWrite + Send + 'static,
    {
        let (read, write) = tokio::io::split(io);
        self.halves(read, write, info)
    }

    /// A socket over two halves, each guarded by the cutoff.
    fn halves<R, W>(&self, read: R, write: W, info: SocketInfo) -> PeerSocket
    where
        R: AsyncRead + Send + Unpin + 'static,
        W: AsyncWrite + Send + Unpin + 'static,
    {
        let cutoff = self.lifecycle.cutoff();
        let info = Arc::new(info);
        let read: Box<dyn AsyncRead + Send + Unpin> = Box::new(cutoff.guard(read));
        let write: Box<dyn AsyncWrite + Send + Unpin> = Box::new(cutoff.guard(write));
        tracing::debug!(
            id = %info.id(),
            local = %info.local_addr(),
            peer = %info.peer_addr(),
            "connection set up"
        );
        Socket::from_parts(
            SocketReader::new(read, Arc::clone(&info), &self.socket),
            SocketWriter::new(write, info, &self.socket),
        )
    }
}

/// A stream of a kind this tier does not know (the endpoint tier may add kinds).
fn unsupported() -> io::Error {
    io::Error::new(io::ErrorKind::Unsupported, "an unsupported kind of stream")
}
