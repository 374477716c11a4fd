//! [`Listener`]: a bound TCP or Unix listener.

use std::io;
#[cfg(unix)]
use std::path::PathBuf;

use telerpc_socket::Address;
use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;

use super::accept::Accept;
use super::stream::Stream;
use super::target::Target;

/// A listening socket, TCP or Unix, that knows its real address.
///
/// - [`local_addr`](Self::local_addr) is the address actually bound: a TCP listener bound to
///   port 0 reports the port the OS chose.
/// - A Unix listener made by [`bind`](Self::bind) removes its socket file when dropped, as
///   Go's does; one made by [`from_unix`](Self::from_unix) leaves the file alone. Binding a
///   path that exists fails with `AddrInUse`: a stale file is not removed.
/// - It implements [`Accept`], so an [`AcceptLoop`](super::AcceptLoop) can serve it.
///
/// ```
/// use telerpc_session::endpoint::{Listener, Target};
/// use telerpc_socket::Address;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await?;
/// let Address::Inet(addr) = listener.local_addr() else { unreachable!() };
/// assert_ne!(addr.port(), 0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Listener {
    inner: Inner,
    local_addr: Address,
}

#[derive(Debug)]
enum Inner {
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix {
        listener: UnixListener,
        /// The socket file to remove on drop, when this listener created it.
        unlink: Option<PathBuf>,
    },
}

impl Listener {
    /// Binds `target`. A TCP target's host is resolved and the first address that can be bound
    /// is kept; a Unix target's socket file is created.
    pub async fn bind(target: &Target) -> io::Result<Self> {
        match target {
            Target::Tcp(addr) => Self::from_tcp(TcpListener::bind(addr.as_str()).await?),
            #[cfg(unix)]
            Target::Unix(path) => {
                let mut listener = Self::from_unix(UnixListener::bind(path)?)?;
                if let Inner::Unix { unlink, .. } = &mut listener.inner {
                    *unlink = Some(path.clone());
                }
                Ok(listener)
            }
        }
    }

    /// A listener over a bound TCP listener.
    pub fn from_tcp(listener: TcpListener) -> io::Result<Self> {
        let local_addr = listener.local_addr()?.into();
        Ok(Self {
            inner: Inner::Tcp(listener),
            local_addr,
        })
    }

    /// A listener over a bound Unix listener; its socket file is left in place on drop.
    #[cfg(unix)]
    pub fn from_unix(listener: UnixListener) -> io::Result<Self> {
        let local_addr = listener.local_addr()?.into();
        Ok(Self {
            inner: Inner::Unix {
                listener,
                unlink: None,
            },
            local_addr,
        })
    }

    /// The address actually bound.
    pub fn local_addr(&self) -> &Address {
        &self.local_addr
    }

    /// Waits for the next connection and returns it with the peer's address.
    pub async fn accept(&self) -> io::Result<(Stream, Address)> {
        match &self.inner {
            Inner::Tcp(listener) => {
                let (stream, peer) = listener.accept().await?;
                Ok((Stream::Tcp(stream), peer.into()))
            }
            #[cfg(unix)]
            Inner::Unix { listener, .. } => {
                let (stream, peer) = listener.accept().await?;
                Ok((Stream::Unix(stream), peer.into()))
            }
        }
    }
}

impl Accept for Listener {
    type Conn = Stream;

    async fn accept(&mut self) -> io::Result<(Stream, Address)> {
        Listener::accept(self).await
    }
}

#[cfg(unix)]
impl Drop for Listener {
    /// Removes the socket file of a Unix listener that [`bind`](Listener::bind) created.
    fn drop(&mut self) {
        if let Inner::Unix {
            unlink: Some(path), ..
        } = &self.inner
        {
            if let Err(error) = std::fs::remove_file(path) {
                tracing::debug!(path = %path.display(), %error, "could not remove the socket file");
            }
        }
    }
}
