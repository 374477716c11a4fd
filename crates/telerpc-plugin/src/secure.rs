//! [`Secure`]: encrypts and authenticates message bodies with ChaCha20-Poly1305, under eRPC's
//! `X-Secure` / `X-Accept-Secure` meta.
//!
//! **eRPC's semantics.** A caller marks a CALL (or a PUSH) to be sent encrypted with the meta
//! [`X-Secure`](SECURE_META_KEY)` = true`; the plugin encrypts its body as it is written and
//! the receiving side's plugin decrypts it as it is read, before any handler sees it. The
//! REPLY to a CALL is encrypted when that CALL had `X-Secure = true` or
//! [`X-Accept-Secure`](ACCEPT_SECURE_META_KEY)` = true` (a clear call asking for an encrypted
//! answer), or when the handler set `X-Secure = true` on the reply itself. An encrypted
//! message carries `X-Secure = true`, which is how the reading side knows to decrypt it. A
//! meta value counts as true when it is `true` in any case. Both sides need the plugin with
//! the same key; a message without the mark passes in clear, untouched.
//!
//! **Not eRPC's cipher.** eRPC's own secure plugin encrypts with AES in ECB mode, which is not
//! secure: identical 16-byte blocks of plaintext give identical blocks of ciphertext, so the
//! structure of the data shows through, and nothing detects a body that was altered on the
//! way. We do not copy it. This plugin uses an AEAD, ChaCha20-Poly1305 (RFC 8439), with a
//! fresh random nonce per message from the operating system's CSPRNG, so **its wire is not
//! interoperable with eRPC's secure plugin**: both ends must be telerpc peers with this one.
//!
//! **Wire format.** The encrypted body replaces the body in the frame; the codec byte is
//! unchanged (it names the codec of the plaintext):
//!
//! ```text
//! nonce (12 bytes) || ciphertext (as long as the plaintext) || tag (16 bytes)
//! ```
//!
//! Every body of a marked message is encrypted, an empty one too (28 bytes then). The AEAD
//! authenticates the body only, with no associated data: the service method, the meta and the
//! status travel in clear and are not protected (an error REPLY has no body and is sent in
//! clear). So that nobody on the way can strip the mark and hand back a body in clear, the
//! calling side remembers which of its CALLs asked for an encrypted reply (under
//! [`EXPECTED_SEQS_ATTRIBUTE`]) and refuses an OK reply to one of them that comes unmarked, with
//! 400 (a peer without the plugin answers such calls in clear, and is refused the same way). Since a nonce is 96 random bits, keep a key for fewer than 2^32 messages.
//!
//! **Failures.** A marked body that does not decrypt (wrong key, altered in transit, or
//! shorter than a nonce and a tag) is 400 Bad Message with the cause
//! `secure: the body does not decrypt…`, never a panic: a CALL is answered with it, a PUSH is
//! dropped, and a REPLY fails its call with it. No randomness for a nonce fails the write
//! with 500.
//!
//! **Where it goes.** On a peer (`PeerConfig::with_plugin`) it covers every message of every
//! session; on a router or a group, the messages of its handlers (and then the calls of that
//! peer are not encrypted: put it on the peer to encrypt what a peer sends). To know that a
//! reply must be encrypted, the plugin keeps the seqs of the CALLs that asked for it in the
//! session's attributes (under [`REPLY_SEQS_ATTRIBUTE`]) until their replies are written, at
//! most [`MAX_SECURE_REPLIES`] per session; a CALL beyond that is answered 503 rather than
//! have its reply go out in clear.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_plugin::secure::Secure;
//!
//! let secure = Secure::new([7; 32]);
//! let sealed = secure.seal(b"top secret")?;
//! assert_eq!(sealed.len(), 12 + 10 + 16);
//! assert_eq!(&secure.open(&sealed)?[..], b"top secret");
//! assert!(Secure::new([8; 32]).open(&sealed).is_err());
//!
//! // Both peers: PeerConfig::default().with_plugin(Arc::new(Secure::new(key))); then
//! // session.call_raw("/x", &body).meta("X-Secure", "true") travels encrypted.
//! let plugin: Arc<dyn telerpc_plugin::Plugin> = Arc::new(secure);
//! # drop(plugin);
//! # Ok::<(), telerpc_plugin::secure::SecureError>(())
//! ```

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::{Bytes, BytesMut};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::TryRng;
use telerpc_session::{Plugin, Session};
use telerpc_socket::{code, Message, Status};

/// The meta key that marks a message whose body is encrypted (eRPC's), with the value `true`.
pub const SECURE_META_KEY: &str = "X-Secure";

/// The meta key with which a CALL asks for an encrypted REPLY (eRPC's), with the value `true`.
pub const ACCEPT_SECURE_META_KEY: &str = "X-Accept-Secure";

/// The length of the nonce that starts an encrypted body.
pub const NONCE_LEN: usize = 12;

/// The length of the authentication tag that ends an encrypted body.
pub const TAG_LEN: usize = 16;

/// The session attribute under which the plugin keeps the seqs of the CALLs whose replies it
/// must encrypt.
pub const REPLY_SEQS_ATTRIBUTE: &str = "telerpc.secure.reply-seqs";

/// The most CALLs of one session that may await an encrypted reply at once.
pub const MAX_SECURE_REPLIES: usize = 65_536;

/// The session attribute under which the calling side keeps the seqs of its CALLs that asked
/// for an encrypted reply, so that a reply for one of them that arrives in clear is refused.
pub const EXPECTED_SEQS_ATTRIBUTE: &str = "telerpc.secure.expected-seqs";

/// Why a body could not be sealed or opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecureError {
    /// The body is shorter than a nonce and a tag, so it cannot be an encrypted body.
    #[error("the body does not decrypt: {len} bytes is shorter than a nonce and a tag")]
    TooShort {
        /// The body's length.
        len: usize,
    },
    /// The body is not authentic under the key: another key, or altered bytes.
    #[error("the body does not decrypt")]
    Forged,
    /// The operating system gave no randomness for a nonce.
    #[error("no randomness for a nonce: {0}")]
    Randomness(String),
    /// The plaintext is too long for the cipher (over 256 GiB).
    #[error("the body is too long to encrypt")]
    TooLong,
}

impl SecureError {
    /// The status this error crosses the wire as: 400 Bad Message for a body that does not
    /// decrypt, 500 for a body that could not be encrypted; the cause is `secure: ` and the
    /// error.
    pub fn status(&self) -> Status {
        let code = match self {
            Self::TooShort { .. } | Self::Forged => code::BAD_MESSAGE,
            Self::Randomness(_) | Self::TooLong => code::INTERNAL_SERVER_ERROR,
        };
        Status::from_code(code).with_cause(format!("secure: {self}"))
    }
}

/// The secure plugin: encrypts the bodies of messages marked `X-Secure = true` and of the
/// replies asked for with `X-Secure` or `X-Accept-Secure`, and decrypts them on the other
/// side (see the [module](self) documentation for the semantics and the wire format).
///
/// Its name is `secure`. `Debug` does not show the key.
pub struct Secure {
    cipher: ChaCha20Poly1305,
}

impl Secure {
    /// The plugin encrypting with the 256-bit `key`, which both sides must share.
    pub fn new(key: [u8; 32]) -> Self {
        Self {
            cipher: ChaCha20Poly1305::new(&Key::from(key)),
        }
    }

    /// `plaintext` encrypted and authenticated under a fresh random nonce, in the wire format:
    /// nonce, ciphertext, tag ([`NONCE_LEN`]` + plaintext.len() + `[`TAG_LEN`] bytes).
    ///
    /// Fails with [`SecureError::Randomness`] if the operating system gives no randomness.
    pub fn seal(&self, plaintext: &[u8]) -> Result<Bytes, SecureError> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::SysRng
            .try_fill_bytes(&mut nonce)
            .map_err(|error| SecureError::Randomness(error.to_string()))?;
        let nonce = Nonce::from(nonce);
        let sealed = self
            .cipher
            .encrypt(&nonce, plaintext)
            .map_err(|_| SecureError::TooLong)?;
        let mut body = BytesMut::with_capacity(NONCE_LEN + sealed.len());
        body.extend_from_slice(&nonce);
        body.extend_from_slice(&sealed);
        Ok(body.freeze())
    }

    /// The plaintext of `sealed`, a body in the wire format [`seal`](Self::seal) writes.
    ///
    /// Fails with [`SecureError::TooShort`] if it is shorter than a nonce and a tag, and with
    /// [`SecureError::Forged`] if it is not authentic under this key.
    pub fn open(&self, sealed: &[u8]) -> Result<Bytes, SecureError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(SecureError::TooShort { len: sealed.len() });
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| SecureError::Forged)?;
        self.cipher
            .decrypt(&nonce, ciphertext)
            .map(Bytes::from)
            .map_err(|_| SecureError::Forged)
    }

    /// Encrypts the body of `message` in place and marks it.
    fn seal_message(&self, message: &mut Message) -> Result<(), Status> {
        message.body = self.seal(&message.body).map_err(|error| {
            tracing::debug!(%error, "secure: a body could not be encrypted");
            error.status()
        })?;
        message.meta.set(SECURE_META_KEY, "true");
        Ok(())
    }

    /// Decrypts the body of `message` in place if it is marked.
    fn open_message(&self, message: &mut Message) -> Result<(), Status> {
        if !is_true(message, SECURE_META_KEY) {
            return Ok(());
        }
        message.body = self.open(&message.body).map_err(|error| {
            tracing::debug!(seq = message.seq, %error, "secure: a body did not decrypt");
            error.status()
        })?;
        Ok(())
    }
}

impl Plugin for Secure {
    fn name(&self) -> &str {
        "secure"
    }

    fn post_open(&self, session: &Session) -> Result<(), Status> {
        // Made here, before any caller can race to make it.
        session
            .attributes()
            .insert(EXPECTED_SEQS_ATTRIBUTE, ExpectedSeqs::default());
        Ok(())
    }

    fn pre_write_call(&self, session: &Session, call: &mut Message) -> Result<(), Status> {
        let secure = is_true(call, SECURE_META_KEY);
        if secure {
            self.seal_message(call)?;
        }
        if secure || is_true(call, ACCEPT_SECURE_META_KEY) {
            if let Some(expected) = expected_seqs(session) {
                expected.expect(call.seq);
            }
        }
        Ok(())
    }

    fn pre_write_push(&self, _session: &Session, push: &mut Message) -> Result<(), Status> {
        if is_true(push, SECURE_META_KEY) {
            self.seal_message(push)?;
        }
        Ok(())
    }

    fn post_read_call_body(&self, session: &Session, call: &mut Message) -> Result<(), Status> {
        self.open_message(call)?;
        let wants_secure_reply =
            is_true(call, SECURE_META_KEY) || is_true(call, ACCEPT_SECURE_META_KEY);
        let seqs = reply_seqs(session, wants_secure_reply);
        if let Some(seqs) = seqs {
            let mut seqs = seqs.lock().unwrap_or_else(PoisonError::into_inner);
            if !wants_secure_reply {
                // A seq left by a call whose reply was never written must not encrypt the
                // reply of a later call that reuses it.
                seqs.remove(&call.seq);
            } else if seqs.len() >= MAX_SECURE_REPLIES && !seqs.contains(&call.seq) {
                tracing::debug!(
                    seq = call.seq,
                    "secure: too many calls await a secure reply"
                );
                return Err(Status::new(503, "Service Unavailable").with_cause(format!(
                    "secure: over {MAX_SECURE_REPLIES} calls await a secure reply"
                )));
            } else {
                seqs.insert(call.seq);
            }
        }
        Ok(())
    }

    fn post_read_push_body(&self, _session: &Session, push: &mut Message) -> Result<(), Status> {
        self.open_message(push)
    }

    fn pre_write_reply(&self, session: &Session, reply: &mut Message) -> Result<(), Status> {
        let asked = reply_seqs(session, false).is_some_and(|seqs| {
            seqs.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(&reply.seq)
        });
        let ok = reply.status.as_ref().is_none_or(Status::is_ok);
        if ok && (asked || is_true(reply, SECURE_META_KEY)) {
            self.seal_message(reply)?;
        }
        Ok(())
    }

    fn post_read_reply_body(&self, session: &Session, reply: &mut Message) -> Result<(), Status> {
        let expected = expected_seqs(session).is_some_and(|seqs| seqs.take(reply.seq));
        if reply.status.as_ref().is_some_and(|status| !status.is_ok()) {
            return Ok(());
        }
        if expected && !is_true(reply, SECURE_META_KEY) {
            tracing::debug!(
                seq = reply.seq,
                "secure: a reply asked for encrypted came in clear"
            );
            return Err(Status::from_code(code::BAD_MESSAGE)
                .with_cause("secure: the call asked for an encrypted reply; it came in clear"));
        }
        self.open_message(reply)
    }
}

impl fmt::Debug for Secure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secure").finish_non_exhaustive()
    }
}

/// The seqs of the session's CALLs awaiting an encrypted reply.
type ReplySeqs = Mutex<HashSet<i32>>;

/// The session's [`ReplySeqs`]; made if `create` and there are none yet. (A session's read
/// hooks run on its one reader, so two cannot race to make them.)
fn reply_seqs(session: &Session, create: bool) -> Option<Arc<ReplySeqs>> {
    let attributes = session.attributes();
    if let Some(seqs) = attributes.get::<ReplySeqs>(REPLY_SEQS_ATTRIBUTE) {
        return Some(seqs);
    }
    if !create {
        return None;
    }
    let seqs = Arc::new(ReplySeqs::default());
    attributes.insert_shared(REPLY_SEQS_ATTRIBUTE, Arc::clone(&seqs) as _);
    Some(seqs)
}

/// The seqs of a session's own CALLs that asked for an encrypted reply, oldest first. When
/// [`MAX_SECURE_REPLIES`] wait, the oldest is forgotten: its call has long passed its
/// deadline, and the session drops a reply no call awaits anyway.
#[derive(Debug, Default)]
struct ExpectedSeqs(Mutex<VecDeque<i32>>);

impl ExpectedSeqs {
    /// Remembers that the CALL `seq` expects an encrypted reply.
    fn expect(&self, seq: i32) {
        let mut seqs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if seqs.len() >= MAX_SECURE_REPLIES {
            seqs.pop_front();
        }
        seqs.push_back(seq);
    }

    /// Whether the CALL `seq` expected an encrypted reply; forgets it.
    fn take(&self, seq: i32) -> bool {
        let mut seqs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        match seqs.iter().rposition(|&waiting| waiting == seq) {
            Some(at) => seqs.remove(at).is_some(),
            None => false,
        }
    }
}

/// The session's [`ExpectedSeqs`], made by [`Plugin::post_open`] before any call can be made.
fn expected_seqs(session: &Session) -> Option<Arc<ExpectedSeqs>> {
    session
        .attributes()
        .get::<ExpectedSeqs>(EXPECTED_SEQS_ATTRIBUTE)
}

/// Whether the meta `key` of `message` is `true` (in any case).
fn is_true(message: &Message, key: &str) -> bool {
    message
        .meta
        .get(key)
        .is_some_and(|value| value.eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_bodies_differ_for_the_same_plaintext() {
        let secure = Secure::new([1; 32]);
        let a = secure.seal(b"same").unwrap();
        let b = secure.seal(b"same").unwrap();
        assert_ne!(a, b, "a fresh nonce per message");
        assert_eq!(a.len(), NONCE_LEN + 4 + TAG_LEN);
    }

    #[test]
    fn short_and_forged_bodies_are_bad_messages() {
        let secure = Secure::new([1; 32]);
        let short = secure.open(&[0; NONCE_LEN + TAG_LEN - 1]).unwrap_err();
        assert_eq!(short, SecureError::TooShort { len: 27 });
        let forged = secure.open(&[0; NONCE_LEN + TAG_LEN]).unwrap_err();
        assert_eq!(forged, SecureError::Forged);
        for error in [short, forged] {
            let status = error.status();
            assert_eq!(status.code(), code::BAD_MESSAGE);
            let cause = status.cause().unwrap_or_default();
            assert!(
                cause.starts_with("secure: the body does not decrypt"),
                "{cause}"
            );
        }
    }

    #[test]
    fn empty_plaintext_round_trips() {
        let secure = Secure::new([2; 32]);
        let sealed = secure.seal(b"").unwrap();
        assert_eq!(sealed.len(), NONCE_LEN + TAG_LEN);
        assert!(secure.open(&sealed).unwrap().is_empty());
    }
}
