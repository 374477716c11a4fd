//! [`PreSession`]: a connection before its session starts, as connection hooks see it.

use std::sync::Arc;

use telerpc_socket::{code, Message, Socket, SocketInfo, Status};
use tokio::io::{AsyncRead, AsyncWrite};

/// A socket over boxed halves: what a peer frames every connection as, whatever its stream.
pub type BoxedSocket =
    Socket<Box<dyn AsyncRead + Send + Unpin>, Box<dyn AsyncWrite + Send + Unpin>>;

/// A connection whose session has not started: [`Plugin::post_dial`] and
/// [`Plugin::post_accept`] get it to exchange messages with the other side first (an
/// authentication handshake, as eRPC's AUTH_CALL and AUTH_REPLY), and to read or set the
/// connection's id and attributes, which the session then keeps.
///
/// Nothing else reads or writes the connection meanwhile; whoever runs the hooks bounds them
/// in time.
///
/// [`Plugin::post_dial`]: crate::Plugin::post_dial
/// [`Plugin::post_accept`]: crate::Plugin::post_accept
#[derive(Debug)]
pub struct PreSession<'a> {
    socket: &'a mut BoxedSocket,
    redial: bool,
}

impl<'a> PreSession<'a> {
    /// The connection framed by `socket`; `redial` tells a redialed connection from a first.
    pub fn new(socket: &'a mut BoxedSocket, redial: bool) -> Self {
        Self { socket, redial }
    }

    /// Whether this connection replaces a lost one of the same session.
    pub fn is_redial(&self) -> bool {
        self.redial
    }

    /// The connection's id, attributes and addresses, which the session keeps.
    pub fn info(&self) -> &Arc<SocketInfo> {
        self.socket.info()
    }

    /// Sends `message` at once. A failure is 104 Write Failed, its reason the cause.
    pub async fn send(&mut self, message: &Message) -> Result<(), Status> {
        self.socket
            .send(message)
            .await
            .map_err(|error| Status::from_code(code::WRITE_FAILED).with_cause(error.to_string()))
    }

    /// Receives the next message. The connection closing is 102 Connection Closed; a frame
    /// that cannot be read is 400 Bad Message, its reason the cause.
    pub async fn recv(&mut self) -> Result<Message, Status> {
        match self.socket.recv().await {
            Ok(Some(message)) => Ok(message),
            Ok(None) => Err(Status::from_code(code::CONN_CLOSED)),
            Err(error) => Err(Status::from_code(code::BAD_MESSAGE).with_cause(error.to_string())),
        }
    }
}
