//! [`connect`]: opening a [`Stream`] to a [`Target`] within a time limit, and [`DialError`].

use std::io;
use std::time::Duration;

use telerpc_socket::{code, Status};
use tokio::net::TcpStream;
#[cfg(unix)]
use tokio::net::UnixStream;

use super::stream::Stream;
use super::target::Target;

/// Why a dial failed. Crossing to the user it becomes status 105 Dial Failed with this error
/// as the cause ([`status`](Self::status), or `Status::from`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DialError {
    /// No connection was made within the dial timeout (name resolution included).
    #[error("dialing {target} timed out after {timeout:?}")]
    Timeout {
        /// What was dialed.
        target: Target,
        /// The time limit.
        timeout: Duration,
    },
    /// The connection could not be made: refused, unreachable, no such socket file, a name
    /// that does not resolve…
    #[error("dialing {target}: {source}")]
    Connect {
        /// What was dialed.
        target: Target,
        /// The OS's error.
        #[source]
        source: io::Error,
    },
    /// The connection was made but could not be set up as a socket (a TCP option refused, an
    /// address unreadable); it is closed.
    #[error("setting up the connection to {target}: {source}")]
    Setup {
        /// What was dialed.
        target: Target,
        /// The OS's error.
        #[source]
        source: io::Error,
    },
}

impl DialError {
    /// Status 105 Dial Failed, eRPC's text, with this error as the cause.
    pub fn status(&self) -> Status {
        Status::from_code(code::DIAL_FAILED).with_cause(self.to_string())
    }
}

impl From<DialError> for Status {
    fn from(error: DialError) -> Self {
        error.status()
    }
}

/// Connects to `target`, giving up after `timeout` (`None`: whatever the OS allows).
///
/// A TCP target's name is resolved and its addresses tried in turn until one connects; the
/// timeout covers all of it. No socket option is applied here: a [`Socket`] made from the
/// stream applies its [`TcpOptions`](telerpc_socket::TcpOptions).
///
/// [`Socket`]: telerpc_socket::Socket
///
/// ```
/// use std::time::Duration;
/// use telerpc_session::endpoint::{connect, Listener, Target};
/// use telerpc_socket::Address;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await?;
/// let Address::Inet(addr) = listener.local_addr() else { unreachable!() };
/// let stream = connect(&Target::from(*addr), Some(Duration::from_secs(1))).await?;
/// assert_eq!(stream.peer_addr()?, Address::Inet(*addr));
/// # Ok(())
/// # }
/// ```
pub async fn connect(target: &Target, timeout: Option<Duration>) -> Result<Stream, DialError> {
    let attempt = open(target);
    let opened = match timeout {
        Some(timeout) => {
            tokio::time::timeout(timeout, attempt)
                .await
                .map_err(|_| DialError::Timeout {
                    target: target.clone(),
                    timeout,
                })?
        }
        None => attempt.await,
    };
    opened.map_err(|source| DialError::Connect {
        target: target.clone(),
        source,
    })
}

async fn open(target: &Target) -> io::Result<Stream> {
    match target {
        Target::Tcp(addr) => TcpStream::connect(addr.as_str()).await.map(Stream::Tcp),
        #[cfg(unix)]
        Target::Unix(path) => UnixStream::connect(path).await.map(Stream::Unix),
    }
}
