//! Listening: binding a [`NetAddr`] and serving it with an accept loop.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use telerpc_session::endpoint::{AcceptLoop, Listener, Target};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::core::Core;
use crate::{NetAddr, Network};

/// Binds `addr` as its network says: a `tcp` address as the endpoint tier binds it; a `tcp4`
/// or `tcp6` address at the first of its host's addresses of the family that can be bound
/// (a `tcp6` socket accepting IPv6 only); a Unix path, whose socket file is removed when the
/// listener closes.
pub(crate) async fn bind(addr: &NetAddr) -> io::Result<Listener> {
    match addr.network() {
        Network::Tcp | Network::Unix => Listener::bind(&addr.target().await?).await,
        Network::Tcp4 => {
            let mut last = None;
            for candidate in addr.resolve().await? {
                match Listener::bind(&Target::from(candidate)).await {
                    Ok(listener) => return Ok(listener),
                    Err(error) => last = Some(error),
                }
            }
            Err(last.unwrap_or_else(|| io::ErrorKind::AddrNotAvailable.into()))
        }
        Network::Tcp6 => {
            let mut last = None;
            for candidate in addr.resolve().await? {
                match bind_v6_only(candidate) {
                    Ok(listener) => return Ok(listener),
                    Err(error) => last = Some(error),
                }
            }
            Err(last.unwrap_or_else(|| io::ErrorKind::AddrNotAvailable.into()))
        }
    }
}

/// A TCP listener on the IPv6 address `addr` that accepts IPv6 connections only, as Go's
/// `tcp6` listeners do (`IPV6_V6ONLY`), so that `[::]` does not take IPv4 connections too.
fn bind_v6_only(addr: SocketAddr) -> io::Result<Listener> {
    use socket2::{Domain, Protocol, Socket, Type};

    let socket = Socket::new(Domain::IPV6, Type::STREAM, Some(Protocol::TCP))?;
    socket.set_only_v6(true)?;
    // As tokio's own `TcpListener::bind` does on Unix: a restarted server rebinds at once.
    #[cfg(unix)]
    socket.set_reuse_address(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Listener::from_tcp(tokio::net::TcpListener::from_std(socket.into())?)
}

/// One address being served: its accept loop, and how to stop it.
#[derive(Debug)]
pub(crate) struct Served {
    addr: NetAddr,
    stop: watch::Sender<bool>,
    accepting: JoinHandle<io::Result<()>>,
}

impl Served {
    /// Serves `listener`, bound for `configured`, on a task of its own: every accepted
    /// connection is admitted under the peer's connection limit and served on a task of its
    /// own (see [`Core::serve_accepted`]).
    pub(crate) fn start(core: &Arc<Core>, configured: &NetAddr, listener: Listener) -> Self {
        let addr = configured.bound(listener.local_addr());
        let accept = AcceptLoop::new(listener).with_counter(Arc::clone(core.counter()));
        let (stop, shutdown) = watch::channel(false);
        let core = Arc::clone(core);
        let accepting = tokio::spawn(accept.run(
            move |stream, slot| {
                tokio::spawn(Arc::clone(&core).serve_accepted(stream, slot));
            },
            shutdown,
        ));
        tracing::info!(%addr, "listening");
        Self {
            addr,
            stop,
            accepting,
        }
    }

    /// The address actually bound.
    pub(crate) fn addr(&self) -> &NetAddr {
        &self.addr
    }

    /// Stops accepting, and resolves once the listener is closed (a Unix socket file
    /// removed).
    pub(crate) async fn stop(self) {
        self.stop.send_replace(true);
        match self.accepting.await {
            Ok(Ok(())) => tracing::debug!(addr = %self.addr, "stopped listening"),
            Ok(Err(error)) => {
                tracing::warn!(addr = %self.addr, %error, "the accept loop had failed");
            }
            Err(error) => tracing::warn!(addr = %self.addr, %error, "the accept loop panicked"),
        }
    }
}
