//! `auth`: eRPC's authentication handshake, [`Bearer`] on the dialing side and [`Checker`] on
//! the accepting side.
//!
//! Right after a connection is made, before either session starts, the dialer sends one
//! AUTH_CALL carrying its credentials and the acceptor answers one AUTH_REPLY (spec §2):
//!
//! | frame | seq | service method | status | codec | body |
//! |---|---|---|---|---|---|
//! | AUTH_CALL (dialer) | 1 | empty | `code=0` | the bearer's choice | the credentials |
//! | AUTH_REPLY (acceptor) | the AUTH_CALL's | empty | OK, or the refusal (e.g. 401 with a cause) | the AUTH_CALL's | empty |
//!
//! Seq 1 is what eRPC writes: its pre-session counter is pre-incremented for the AUTH_CALL, the
//! dialer's first message (eRPC then goes on from 2, this crate's sessions from 1; both are
//! valid, seqs only pair a REPLY with its CALL). The acceptor echoes the AUTH_CALL's seq, which
//! is what eRPC's acceptor writes too (its own first message, seq 1).
//!
//! Outcomes, on either side the connection is closed unless the handshake succeeded:
//!
//! | what happens | acceptor ([`Checker`]) | dialer ([`Bearer`]) |
//! |---|---|---|
//! | the checker accepts | AUTH_REPLY OK, the session starts | the session starts |
//! | the checker refuses with a status | AUTH_REPLY with that status, then closes | the dial fails with 105, the refusal in its cause |
//! | the first message is not an AUTH_CALL | AUTH_REPLY 401 ([`AuthError::UnexpectedMessage`]), then closes | – |
//! | the answer is not an AUTH_REPLY | – | refused with 401 ([`AuthError::UnexpectedMessage`]): the dial fails with 105 |
//! | the other side closes, sends an unreadable frame, or never answers | closes | the dial fails with 105 |
//!
//! An acceptor without a checker takes the AUTH_CALL for a message that is illegal after the
//! handshake and closes the connection (as eRPC does), so a bearer dialing it fails with 105
//! at once. A checker facing a dialer without a bearer waits for an AUTH_CALL that never comes
//! (or receives its first CALL and refuses it): the peer's handshake timeout bounds the wait.
//! After the handshake, AUTH_CALL and AUTH_REPLY are illegal: a session that reads one closes.
//!
//! Both plugins also run on a redialed connection: a redial authenticates again.
//!
//! ```no_run
//! use std::sync::Arc;
//! use telerpc_codec::id;
//! use telerpc_peer::{NetAddr, Peer, PeerConfig};
//! use telerpc_plugin::auth::{Bearer, Checker};
//! use telerpc_socket::{code, Status};
//!
//! # async fn f() -> Result<(), Box<dyn std::error::Error>> {
//! let checker = Checker::new(|credentials, info| {
//!     if credentials.body.as_ref() != b"secret-token" {
//!         return Err(Status::from_code(code::UNAUTHORIZED).with_cause("unknown token"));
//!     }
//!     info.set_id("user-42"); // the session keeps it
//!     Ok(())
//! });
//! let server = Peer::new(
//!     PeerConfig::default()
//!         .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
//!         .with_plugin(Arc::new(checker)),
//! );
//! let addr = server.listen().await?[0].clone();
//!
//! let client = Peer::new(
//!     PeerConfig::default().with_plugin(Arc::new(Bearer::token(id::PLAIN, "secret-token"))),
//! );
//! let session = client.dial(addr).await?;
//! # drop(session);
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use telerpc_session::{BoxFuture, Plugin, PreSession};
use telerpc_socket::{code, Message, MessageType, SocketInfo, Status};

/// What an AUTH_CALL carries: the credentials, encoded, and the id of the codec that encoded
/// them.
///
/// The body is a secret: `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The id of the codec of the body (`telerpc_codec::id`), as the AUTH_CALL's codec byte.
    pub codec: u8,
    /// The encoded credentials, as the AUTH_CALL's body.
    pub body: Bytes,
}

impl Credentials {
    /// Credentials `body` encoded with the codec `codec`.
    pub fn new(codec: u8, body: impl Into<Bytes>) -> Self {
        Self {
            codec,
            body: body.into(),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("codec", &self.codec)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A handshake that went against the protocol. It crosses the wire (and reaches the dialer's
/// caller, inside the 105's cause) as [`AuthError::status`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// The other side sent a message of another type than the handshake's next one.
    #[error("auth handshake: expected {expected:?}, received {received:?}")]
    UnexpectedMessage {
        /// The type the handshake needed: AUTH_CALL for the acceptor, AUTH_REPLY for the
        /// dialer.
        expected: MessageType,
        /// The type that arrived.
        received: MessageType,
    },
}

impl AuthError {
    /// Status 401 Unauthorized, this error's text as the cause (eRPC refuses a wrong message
    /// type in the handshake with 401).
    pub fn status(&self) -> Status {
        Status::from_code(code::UNAUTHORIZED).with_cause(self.to_string())
    }
}

impl From<AuthError> for Status {
    fn from(error: AuthError) -> Self {
        error.status()
    }
}

type CredentialsFn = dyn Fn(&PreSession<'_>) -> Result<Credentials, Status> + Send + Sync;

/// The dialing side of the handshake: on every dialed (and redialed) connection it sends an
/// AUTH_CALL with its [`Credentials`] and waits for the AUTH_REPLY (see the
/// [module](self) for the frames and every outcome).
///
/// An OK AUTH_REPLY lets the session start; any other answer refuses the connection with the
/// AUTH_REPLY's status (or a 401 [`AuthError`], or the I/O failure's status), which the peer
/// turns into a failed dial: 105, that status in the cause. The wait for the answer is bounded
/// by whoever runs the hook (the peer's handshake timeout).
#[derive(Clone)]
pub struct Bearer {
    credentials: Arc<CredentialsFn>,
}

impl Bearer {
    /// A bearer that asks `credentials` for each connection's credentials; it may look at the
    /// connection (its addresses, whether it is a redial, its info) and may refuse to dial with
    /// a status, which then fails the dial like a refusal from the other side.
    ///
    /// ```
    /// use telerpc_codec::id;
    /// use telerpc_plugin::auth::{Bearer, Credentials};
    /// use telerpc_plugin::PreSession;
    ///
    /// let bearer = Bearer::new(|conn: &PreSession<'_>| {
    ///     let token = if conn.is_redial() { "again" } else { "first" };
    ///     Ok(Credentials::new(id::PLAIN, token))
    /// });
    /// # drop(bearer);
    /// ```
    pub fn new<F>(credentials: F) -> Self
    where
        F: Fn(&PreSession<'_>) -> Result<Credentials, Status> + Send + Sync + 'static,
    {
        Self {
            credentials: Arc::new(credentials),
        }
    }

    /// A bearer that always sends `token`, encoded by the codec `codec` (e.g.
    /// `telerpc_codec::id::PLAIN` for a token sent as text).
    pub fn token(codec: u8, token: impl Into<Bytes>) -> Self {
        let credentials = Credentials::new(codec, token);
        Self::new(move |_: &PreSession<'_>| Ok(credentials.clone()))
    }

    async fn handshake(&self, conn: &mut PreSession<'_>) -> Result<(), Status> {
        let credentials = (self.credentials)(conn)?;
        conn.send(&auth_call(credentials)).await?;
        let answer = conn.recv().await?;
        if answer.mtype != MessageType::AuthReply {
            return Err(AuthError::UnexpectedMessage {
                expected: MessageType::AuthReply,
                received: answer.mtype,
            }
            .into());
        }
        match answer.status {
            Some(status) if !status.is_ok() => {
                tracing::debug!(id = %conn.info().id(), %status, "auth: the acceptor refused");
                Err(status)
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Debug for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bearer").finish_non_exhaustive()
    }
}

impl Plugin for Bearer {
    fn name(&self) -> &str {
        "auth-bearer"
    }

    fn post_dial<'a>(&'a self, conn: &'a mut PreSession<'_>) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(self.handshake(conn))
    }
}

/// The AUTH_CALL carrying `credentials`.
fn auth_call(credentials: Credentials) -> Message {
    let mut call = Message::new(MessageType::AuthCall, 1, "");
    call.body_codec = credentials.codec;
    call.body = credentials.body;
    call
}

type CheckFn =
    dyn Fn(Credentials, Arc<SocketInfo>) -> BoxFuture<'static, Result<(), Status>> + Send + Sync;

/// The accepting side of the handshake: on every accepted connection it reads the AUTH_CALL,
/// judges its [`Credentials`], answers an AUTH_REPLY with the verdict, and lets the session
/// start only if it is OK (see the [module](self) for the frames and every outcome).
///
/// The check gets the connection's [`SocketInfo`]: it may set the connection's id (a user id,
/// say) and attributes, which the session keeps. A refusal is any non-OK status (typically
/// `401 Unauthorized` with a cause); it travels in the AUTH_REPLY, then the connection is
/// closed. Waiting for the AUTH_CALL is bounded by whoever runs the hook (the peer's handshake
/// timeout).
#[derive(Clone)]
pub struct Checker {
    check: Arc<CheckFn>,
}

impl Checker {
    /// A checker that judges credentials with `check`, synchronously.
    ///
    /// ```
    /// use telerpc_plugin::auth::Checker;
    /// use telerpc_socket::{code, Status};
    ///
    /// let checker = Checker::new(|credentials, info| match credentials.body.as_ref() {
    ///     b"alice-token" => {
    ///         info.set_id("alice");
    ///         Ok(())
    ///     }
    ///     _ => Err(Status::from_code(code::UNAUTHORIZED).with_cause("unknown token")),
    /// });
    /// # drop(checker);
    /// ```
    pub fn new<F>(check: F) -> Self
    where
        F: Fn(&Credentials, &SocketInfo) -> Result<(), Status> + Send + Sync + 'static,
    {
        Self {
            check: Arc::new(move |credentials, info| {
                Box::pin(std::future::ready(check(&credentials, &info)))
            }),
        }
    }

    /// A checker that judges credentials with `check`, asynchronously (a lookup in a database,
    /// a call to another service).
    ///
    /// ```
    /// use telerpc_plugin::auth::Checker;
    /// use telerpc_socket::{code, Status};
    ///
    /// let checker = Checker::new_async(|credentials, info| async move {
    ///     tokio::task::yield_now().await; // ask somebody
    ///     if credentials.body.is_empty() {
    ///         return Err(Status::from_code(code::UNAUTHORIZED).with_cause("no token"));
    ///     }
    ///     info.attributes().insert("token-len", credentials.body.len());
    ///     Ok(())
    /// });
    /// # drop(checker);
    /// ```
    pub fn new_async<F, Fut>(check: F) -> Self
    where
        F: Fn(Credentials, Arc<SocketInfo>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<(), Status>> + Send + 'static,
    {
        Self {
            check: Arc::new(move |credentials, info| Box::pin(check(credentials, info))),
        }
    }

    /// A checker that accepts exactly the credentials body `token`, whatever its codec, and
    /// refuses anything else with 401 Unauthorized.
    pub fn token(token: impl Into<Bytes>) -> Self {
        let token = token.into();
        Self::new(move |credentials, _| {
            if credentials.body == token {
                Ok(())
            } else {
                Err(Status::from_code(code::UNAUTHORIZED).with_cause("wrong credentials"))
            }
        })
    }

    async fn handshake(&self, conn: &mut PreSession<'_>) -> Result<(), Status> {
        let call = conn.recv().await?;
        let mut reply = Message::new(MessageType::AuthReply, call.seq, "");
        reply.body_codec = call.body_codec;
        let verdict = if call.mtype == MessageType::AuthCall {
            let credentials = Credentials::new(call.body_codec, call.body);
            (self.check)(credentials, Arc::clone(conn.info())).await
        } else {
            Err(AuthError::UnexpectedMessage {
                expected: MessageType::AuthCall,
                received: call.mtype,
            }
            .into())
        };
        match verdict {
            Ok(()) => conn.send(&reply).await,
            Err(status) => {
                let status = if status.is_ok() {
                    // An OK "refusal" would let the dialer in while this side closes.
                    Status::from_code(code::UNAUTHORIZED)
                } else {
                    status
                };
                tracing::debug!(id = %conn.info().id(), %status, "auth: refused a connection");
                reply.status = Some(status.clone());
                // The refusal stands even if it cannot be delivered.
                let _ = conn.send(&reply).await;
                Err(status)
            }
        }
    }
}

impl fmt::Debug for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Checker").finish_non_exhaustive()
    }
}

impl Plugin for Checker {
    fn name(&self) -> &str {
        "auth-checker"
    }

    fn post_accept<'a>(
        &'a self,
        conn: &'a mut PreSession<'_>,
    ) -> BoxFuture<'a, Result<(), Status>> {
        Box::pin(self.handshake(conn))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_call_has_erpcs_layout() {
        let call = auth_call(Credentials::new(b's', "token"));
        assert_eq!(call.seq, 1);
        assert_eq!(call.mtype, MessageType::AuthCall);
        assert!(call.service_method.is_empty());
        assert!(call.status.is_none());
        assert!(call.meta.is_empty());
        assert_eq!(call.body_codec, b's');
        assert_eq!(&call.body[..], b"token");
    }

    #[test]
    fn credentials_do_not_show_their_body() {
        let shown = format!("{:?}", Credentials::new(b's', "hunter2"));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("body_len: 7"), "{shown}");
    }

    #[test]
    fn a_wrong_message_is_a_401() {
        let status = AuthError::UnexpectedMessage {
            expected: MessageType::AuthCall,
            received: MessageType::Call,
        }
        .status();
        assert_eq!(status.code(), code::UNAUTHORIZED);
        assert!(status.to_string().contains("expected AuthCall"), "{status}");
    }
}
