//! The secure plugin over TCP, through a relay that records the bytes on the wire; and its
//! encryption as a property.

mod support;

use std::sync::{Arc, Mutex, PoisonError};

use proptest::prelude::*;
use support::{serve, shut_down, with_plugins, within};
use telerpc_codec::Raw;
use telerpc_peer::{NetAddr, Peer, PeerConfig};
use telerpc_plugin::secure::{
    Secure, SecureError, ACCEPT_SECURE_META_KEY, NONCE_LEN, SECURE_META_KEY, TAG_LEN,
};
use telerpc_plugin::Plugin;
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::Session;
use telerpc_socket::{code, Message, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

/// The key both sides share, unless a test says otherwise.
const KEY: [u8; 32] = [42; 32];

/// What the tests send: never to be seen on the wire when encrypted.
const SECRET: &str = "attack at dawn, bring the blue folder";

/// The bytes that went one way through the relay.
type Recorded = Arc<Mutex<Vec<u8>>>;

/// Copies `from` to `to`, appending each chunk to `record`.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    record: Recorded,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                record
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend_from_slice(&buffer[..n]);
                if to.write_all(&buffer[..n]).await.is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown().await;
}

/// A TCP relay to `target` for one connection: its address, the bytes sent towards the
/// target, and the bytes sent back.
async fn relay(target: String) -> (String, Recorded, Recorded) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr").to_string();
    let (up, down) = (Recorded::default(), Recorded::default());
    let (up_record, down_record) = (Arc::clone(&up), Arc::clone(&down));
    tokio::spawn(async move {
        let Ok((client, _)) = listener.accept().await else {
            return;
        };
        let Ok(server) = TcpStream::connect(target).await else {
            return;
        };
        let (client_read, client_write) = client.into_split();
        let (server_read, server_write) = server.into_split();
        tokio::spawn(pump(client_read, server_write, up_record));
        tokio::spawn(pump(server_read, client_write, down_record));
    });
    (addr, up, down)
}

/// Whether `haystack` holds `needle`.
fn holds(haystack: &Recorded, needle: &str) -> bool {
    let haystack = haystack.lock().unwrap_or_else(PoisonError::into_inner);
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// A PUSH the server's handler got: its meta `X-Secure` and its body.
type Pushed = (Option<String>, Vec<u8>);

/// The server's router: `/echo` answers the body it got (the plaintext, once decrypted: had it
/// got the ciphertext, the client would read that back); PUSHes to `/note` go to `pushes`.
fn server_router(pushes: mpsc::UnboundedSender<Pushed>) -> Router {
    Router::new()
        .call("/echo", |_ctx: CallCtx, body: Raw| async move {
            Ok::<_, Status>(body)
        })
        .push("/note", move |ctx: PushCtx, body: Raw| {
            let pushes = pushes.clone();
            async move {
                let secure = ctx.meta().get(SECURE_META_KEY).map(str::to_owned);
                let _ = pushes.send((secure, body.0.to_vec()));
                Ok(())
            }
        })
}

/// A server and a client, each with its own plugins, the client's session going through a
/// recording relay.
struct Pair {
    server: Peer,
    client: Peer,
    session: Session,
    up: Recorded,
    down: Recorded,
    pushes: mpsc::UnboundedReceiver<Pushed>,
}

impl Pair {
    async fn start(
        server_plugins: Vec<Arc<dyn Plugin>>,
        client_plugins: Vec<Arc<dyn Plugin>>,
    ) -> Self {
        let (sender, pushes) = mpsc::unbounded_channel();
        let (server, server_addr) = serve(server_router(sender), server_plugins).await;
        let (relay_addr, up, down) = relay(server_addr.address().to_owned()).await;
        let client = Peer::new(with_plugins(PeerConfig::default(), client_plugins));
        let session = client.dial(NetAddr::tcp(relay_addr)).await.expect("dial");
        Self {
            server,
            client,
            session,
            up,
            down,
            pushes,
        }
    }

    /// Both with the plugin under [`KEY`].
    async fn secure() -> Self {
        Self::start(
            vec![Arc::new(Secure::new(KEY))],
            vec![Arc::new(Secure::new(KEY))],
        )
        .await
    }

    /// The body of `SECRET` as JSON.
    fn body() -> Raw {
        Raw(format!("{SECRET:?}").into())
    }

    /// A CALL to `/echo` of `body`, with the meta `marked: true` if `marked` names a key.
    async fn echo(&self, body: &Raw, marked: Option<&str>) -> Result<Message, Status> {
        let call = self.session.call_raw("/echo", body);
        match marked {
            Some(key) => call.meta(key, "true").await,
            None => call.await,
        }
    }

    async fn shutdown(self) {
        shut_down(&[&self.client, &self.server]).await;
    }
}

/// The status with which a server with `server_plugins` refuses an `X-Secure` call of `body`
/// from a client with `client_plugins`.
async fn refused(
    server_plugins: Vec<Arc<dyn Plugin>>,
    client_plugins: Vec<Arc<dyn Plugin>>,
    body: Raw,
) -> Status {
    let pair = Pair::start(server_plugins, client_plugins).await;
    let status = pair
        .echo(&body, Some(SECURE_META_KEY))
        .await
        .expect_err("the server refuses it");
    pair.shutdown().await;
    status
}

#[tokio::test]
async fn an_x_secure_call_round_trips_and_never_shows_on_the_wire() {
    within(async {
        let pair = Pair::secure().await;
        let reply = pair
            .echo(&Pair::body(), Some(SECURE_META_KEY))
            .await
            .expect("answered");
        assert_eq!(&reply.body[..], Pair::body().0.as_ref());
        assert_eq!(reply.meta.get(SECURE_META_KEY), Some("true"));
        assert!(holds(&pair.up, "/echo"), "the relay recorded the call");
        assert!(!holds(&pair.up, SECRET), "the call's body went in clear");
        assert!(!holds(&pair.down, SECRET), "the reply's body went in clear");
        pair.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn x_accept_secure_gets_an_encrypted_reply_to_a_clear_call() {
    within(async {
        let pair = Pair::secure().await;
        let body = Raw("\"clear-call-9c1d\"".into());
        let reply = pair
            .echo(&body, Some(ACCEPT_SECURE_META_KEY))
            .await
            .expect("answered");
        assert_eq!(&reply.body[..], body.0.as_ref());
        assert_eq!(reply.meta.get(SECURE_META_KEY), Some("true"));
        assert!(
            holds(&pair.up, "\"clear-call-9c1d\""),
            "the call goes in clear"
        );
        assert!(
            !holds(&pair.down, "\"clear-call-9c1d\""),
            "the reply does not"
        );
        pair.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_call_without_x_secure_passes_in_clear() {
    within(async {
        let pair = Pair::secure().await;
        let body = Raw("\"plain-old-2b8e\"".into());
        let reply = pair.echo(&body, None).await.expect("answered");
        assert_eq!(&reply.body[..], body.0.as_ref());
        assert_eq!(reply.meta.get(SECURE_META_KEY), None);
        assert!(holds(&pair.up, "\"plain-old-2b8e\""));
        assert!(holds(&pair.down, "\"plain-old-2b8e\""));
        pair.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn an_x_secure_push_is_decrypted_for_its_handler() {
    within(async {
        let mut pair = Pair::secure().await;
        pair.session
            .push("/note", &Pair::body())
            .meta(SECURE_META_KEY, "true")
            .await
            .expect("queued");
        let (secure, body) = pair.pushes.recv().await.expect("the handler got it");
        assert_eq!(secure.as_deref(), Some("true"));
        assert_eq!(body, Pair::body().0.as_ref());
        assert!(!holds(&pair.up, SECRET));
        pair.shutdown().await;
    })
    .await;
}

#[tokio::test]
async fn a_wrong_key_is_bad_message() {
    within(async {
        let status = refused(
            vec![Arc::new(Secure::new([1; 32]))],
            vec![Arc::new(Secure::new([2; 32]))],
            Pair::body(),
        )
        .await;
        assert_eq!(status.code(), code::BAD_MESSAGE);
        assert_eq!(status.cause(), Some("secure: the body does not decrypt"));
    })
    .await;
}

/// Flips the last byte of every `X-Secure` body it writes: placed after [`Secure`], it
/// alters the ciphertext as an attacker on the wire would.
struct Tamper;

impl Plugin for Tamper {
    fn name(&self) -> &str {
        "tamper"
    }

    fn pre_write_call(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
        if call.meta.get(SECURE_META_KEY).is_some() {
            let mut body = call.body.to_vec();
            if let Some(last) = body.last_mut() {
                *last ^= 0x01;
            }
            call.body = body.into();
        }
        Ok(())
    }
}

#[tokio::test]
async fn a_tampered_body_is_bad_message() {
    within(async {
        let status = refused(
            vec![Arc::new(Secure::new(KEY))],
            vec![Arc::new(Secure::new(KEY)), Arc::new(Tamper)],
            Pair::body(),
        )
        .await;
        assert_eq!(status.code(), code::BAD_MESSAGE);
        assert_eq!(status.cause(), Some("secure: the body does not decrypt"));
    })
    .await;
}

#[tokio::test]
async fn a_secure_body_too_short_to_decrypt_is_bad_message() {
    within(async {
        // The client has no plugin: it marks a clear, short body as secure.
        let status = refused(vec![Arc::new(Secure::new(KEY))], vec![], Raw("1".into())).await;
        assert_eq!(status.code(), code::BAD_MESSAGE);
        let cause = status.cause().unwrap_or_default();
        assert!(
            cause.starts_with("secure: the body does not decrypt"),
            "{cause}"
        );
    })
    .await;
}

proptest! {
    #[test]
    fn sealing_then_opening_gives_the_body_back(
        key in any::<[u8; 32]>(),
        body in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let secure = Secure::new(key);
        let sealed = secure.seal(&body).expect("sealed");
        prop_assert_eq!(sealed.len(), NONCE_LEN + body.len() + TAG_LEN);
        prop_assert_eq!(&secure.open(&sealed).expect("opened")[..], &body[..]);
    }

    #[test]
    fn any_change_to_a_sealed_body_fails_to_open(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        at in any::<prop::sample::Index>(),
        flip in 1u8..,
    ) {
        let secure = Secure::new(KEY);
        let mut sealed = secure.seal(&body).expect("sealed").to_vec();
        let at = at.index(sealed.len());
        sealed[at] ^= flip;
        prop_assert_eq!(secure.open(&sealed), Err(SecureError::Forged));
    }

    #[test]
    fn a_cut_or_lengthened_sealed_body_fails_to_open(
        body in proptest::collection::vec(any::<u8>(), 0..512),
        cut in 1usize..64,
        extra in proptest::collection::vec(any::<u8>(), 1..16),
    ) {
        let secure = Secure::new(KEY);
        let sealed = secure.seal(&body).expect("sealed");
        let cut_to = sealed.len().saturating_sub(cut);
        prop_assert!(secure.open(&sealed[..cut_to]).is_err());
        let mut longer = sealed.to_vec();
        longer.extend_from_slice(&extra);
        prop_assert!(secure.open(&longer).is_err());
    }

    #[test]
    fn opening_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let outcome = Secure::new(KEY).open(&bytes);
        prop_assert!(outcome.is_err());
    }
}

#[tokio::test]
async fn a_reply_asked_for_encrypted_that_comes_in_clear_is_refused() {
    within(async {
        // A server without the plugin answers in clear, as a relay that stripped the mark
        // from a downgraded reply would.
        let pair = Pair::start(Vec::new(), vec![Arc::new(Secure::new(KEY))]).await;
        let refused = pair
            .echo(&Pair::body(), Some(ACCEPT_SECURE_META_KEY))
            .await
            .expect_err("a clear reply to a call that asked for an encrypted one");
        assert_eq!(refused.code(), code::BAD_MESSAGE);
        assert!(
            refused
                .cause()
                .unwrap_or_default()
                .contains("came in clear"),
            "{refused:?}"
        );
        let clear = pair.echo(&Pair::body(), None).await.expect("a clear call");
        assert_eq!(&clear.body[..], Pair::body().0.as_ref());
        pair.shutdown().await;
    })
    .await;
}
