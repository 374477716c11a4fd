//! [`Connection`]: a framed connection, ready to start a session or to rejoin one.

use telerpc_socket::{Socket, Status};
use tokio::io::{AsyncRead, AsyncWrite};

use super::stream::EndpointSocket;
use crate::{BoxFuture, Session, SessionBuilder};

/// A framed connection that a session can start on, or that a reconnecting session can be
/// given: what the opener of [`Dialer::dial_with`](super::Dialer::dial_with) produces for the
/// first dial and for every redial.
///
/// Every [`Socket`] over any stream is one, so an opener may frame whatever it made of the
/// connection (a TLS stream over a TCP stream, for example). The socket must be built with the
/// session config's [`socket`](crate::SessionConfig::socket) settings.
pub trait Connection: Send + 'static {
    /// Starts a session on this connection; see [`SessionBuilder::start`].
    ///
    /// The future is boxed so that a dial's future stays provably `Send` whatever the
    /// connection's type holds (the compiler cannot always prove it through an
    /// `impl Future` here); it costs one allocation per session started.
    fn start(self, builder: SessionBuilder) -> BoxFuture<'static, Result<Session, Status>>;

    /// Gives a reconnecting session this connection; see [`Session::attach`].
    fn attach(self, session: &Session) -> Result<(), Status>;
}

impl<R, W> Connection for Socket<R, W>
where
    R: AsyncRead + Send + Unpin + 'static,
    W: AsyncWrite + Send + Unpin + 'static,
{
    fn start(self, builder: SessionBuilder) -> BoxFuture<'static, Result<Session, Status>> {
        Box::pin(builder.start(self))
    }

    fn attach(self, session: &Session) -> Result<(), Status> {
        session.attach(self)
    }
}

impl Connection for EndpointSocket {
    fn start(self, builder: SessionBuilder) -> BoxFuture<'static, Result<Session, Status>> {
        Box::pin(EndpointSocket::start(self, builder))
    }

    fn attach(self, session: &Session) -> Result<(), Status> {
        EndpointSocket::attach(self, session)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::endpoint::{DialError, Dialer, Target};

    /// A socket over boxed halves, whose types carry `'static` object lifetimes.
    type Boxed = Socket<Box<dyn AsyncRead + Send + Unpin>, Box<dyn AsyncWrite + Send + Unpin>>;

    /// A dial over any socket, awaited inside another future, can still be spawned.
    #[test]
    fn a_dial_over_any_socket_is_send() {
        fn send<T: Send>(_: T) {}
        let dialer = Dialer::new();
        let target = Target::tcp("127.0.0.1:1");
        send(async {
            dialer
                .dial_with(&target, |target| async move {
                    Err::<Boxed, _>(DialError::Timeout {
                        target,
                        timeout: Duration::ZERO,
                    })
                })
                .await
        });
    }
}
