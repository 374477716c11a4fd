//! The auth handshake over loopback TCP: between two peers, byte for byte against raw eRPC
//! frames, and every way it can be refused.

mod support;

use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use support::{bare_listener, dial_bare, eventually, send_frame, serve, within};
use telerpc_codec::id;
use telerpc_peer::{NetAddr, Peer, PeerConfig};
use telerpc_plugin::auth::{Bearer, Checker, Credentials};
use telerpc_plugin::{Plugin, PreSession};
use telerpc_router::{CallCtx, Router};
use telerpc_session::Session;
use telerpc_socket::{code, Message, MessageType, Proto, RawProto, Status, DEFAULT_FRAME_LIMIT};
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

const TOKEN: &str = "s3cret-token";

/// A checker that accepts [`TOKEN`] and names the session after the user.
fn checker() -> Checker {
    Checker::new(|credentials, info| {
        if credentials.body.as_ref() == TOKEN.as_bytes() {
            info.set_id("user-7");
            info.attributes().insert("user", "user-7".to_owned());
            Ok(())
        } else {
            Err(Status::from_code(code::UNAUTHORIZED).with_cause("unknown token"))
        }
    })
}

/// A server peer with `plugins` and an echo route naming the session's user, listening on
/// loopback.
async fn server(plugins: Vec<Arc<dyn Plugin>>) -> (Peer, NetAddr) {
    let router = Router::new().call("/echo", |ctx: CallCtx, text: String| async move {
        let user = ctx.session().attributes().get::<String>("user");
        let user = user.as_deref().map_or("nobody", String::as_str).to_owned();
        Ok::<_, Status>(format!("{user}: {text}"))
    });
    serve(router, plugins).await
}

/// A server with the [`checker`], and a bare TCP connection to it.
async fn checked_stream() -> (Peer, TcpStream) {
    let (server, addr) = server(vec![Arc::new(checker())]).await;
    let stream = TcpStream::connect(addr.address()).await.expect("connects");
    (server, stream)
}

/// A client peer sending `token` as plain text.
fn client(token: &str) -> Peer {
    Peer::new(
        PeerConfig::default()
            .with_plugin(Arc::new(Bearer::token(id::PLAIN, token.to_owned())))
            .with_handshake_timeout(Duration::from_secs(5)),
    )
}

/// `client` dialing a bare listener that reads its AUTH_CALL: the dial under way, and the
/// listener's end of the connection.
async fn dial_past_the_auth_call(
    client: &Peer,
) -> (JoinHandle<Result<Session, Status>>, TcpStream) {
    let (dialing, mut stream) = dial_bare(client, &bare_listener().await).await;
    assert!(read_frame(&mut stream).await.is_some(), "an AUTH_CALL");
    (dialing, stream)
}

/// Reads one whole rawproto frame from `stream`, or `None` at the end of the stream.
async fn read_frame(stream: &mut TcpStream) -> Option<Vec<u8>> {
    let mut size = [0; 4];
    match stream.read_exact(&mut size).await {
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::UnexpectedEof => return None,
        Err(error) if error.kind() == std::io::ErrorKind::ConnectionReset => return None,
        Err(error) => panic!("reading a frame: {error}"),
    }
    let len = u32::from_be_bytes(size) as usize;
    assert!((4..=64 * 1024).contains(&len), "frame size {len}");
    let mut frame = size.to_vec();
    frame.resize(len, 0);
    stream
        .read_exact(&mut frame[4..])
        .await
        .expect("a whole frame");
    Some(frame)
}

/// Decodes one whole rawproto frame.
fn decode(frame: &[u8]) -> Message {
    let mut buffer = BytesMut::from(frame);
    let message = RawProto::default()
        .decode(&mut buffer, DEFAULT_FRAME_LIMIT)
        .expect("decodes")
        .expect("a whole frame");
    assert!(buffer.is_empty());
    message
}

/// An AUTH_CALL as an eRPC dialer writes it.
fn auth_call(token: &str) -> Message {
    let mut call = Message::new(MessageType::AuthCall, 1, "");
    call.body_codec = id::PLAIN;
    call.body = token.to_owned().into();
    call
}

/// A CALL to `/echo` with `json` as its body, as an eRPC dialer writes it.
fn echo_call(json: &str) -> Message {
    let mut call = Message::new(MessageType::Call, 1, "/echo");
    call.body_codec = id::JSON;
    call.body = json.to_owned().into();
    call
}

/// Asserts that the other side has closed `stream`.
async fn assert_closed(stream: &mut TcpStream) {
    assert_eq!(read_frame(stream).await, None, "the connection is closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_good_token_opens_a_session_that_calls() {
    within(async {
        let (server, addr) = server(vec![Arc::new(checker())]).await;
        let client = client(TOKEN);
        let session = client.dial(addr).await.expect("the dial is accepted");
        let answer: String = session.call("/echo", "hello").await.unwrap();
        assert_eq!(answer, "user-7: hello");
        eventually(|| server.hub().get("user-7").is_some()).await;
        assert_eq!(server.hub().count(), 1);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_fails_the_dial_with_105() {
    within(async {
        let (server, addr) = server(vec![Arc::new(checker())]).await;
        let client = client("not-the-token");
        let refused = client.dial(addr).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        let cause = refused.cause().unwrap_or_default();
        assert!(cause.contains("401"), "{refused}");
        assert!(cause.contains("unknown token"), "{refused}");
        assert_eq!(client.hub().count(), 0);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(server.hub().count(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bearer_sends_erpcs_auth_call_and_obeys_the_reply() {
    within(async {
        let listener = bare_listener().await;
        let client = client(TOKEN);

        // Accepted.
        let (dialing, mut stream) = dial_bare(&client, &listener).await;
        let bytes = read_frame(&mut stream).await.expect("an AUTH_CALL");
        let mut expected = vec![0, 0, 0, 32, 0, 1, b'1', 4, 0, 0, 6];
        expected.extend_from_slice(b"code=0");
        expected.extend_from_slice(&[0, 0, b's']);
        expected.extend_from_slice(TOKEN.as_bytes());
        assert_eq!(bytes, expected);
        let call = decode(&bytes);
        assert_eq!(call, auth_call(TOKEN));

        let mut reply = Message::new(MessageType::AuthReply, call.seq, "");
        reply.body_codec = call.body_codec;
        send_frame(&mut stream, &reply).await;
        let session = dialing.await.unwrap().expect("the dial is accepted");
        assert_eq!(client.hub().count(), 1);
        session.close().await;

        // Refused: the dial fails with the refusal, and the dialer hangs up.
        let (dialing, mut stream) = dial_bare(&client, &listener).await;
        let call = decode(&read_frame(&mut stream).await.expect("an AUTH_CALL"));
        let mut reply = Message::new(MessageType::AuthReply, call.seq, "");
        reply.status = Some(Status::new(403, "auth fail").with_cause("auth fail detail"));
        send_frame(&mut stream, &reply).await;
        let refused = dialing.await.unwrap().unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
        assert!(
            refused.to_string().contains("auth fail detail"),
            "{refused}"
        );
        assert_closed(&mut stream).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_answers_erpcs_auth_call() {
    within(async {
        let (server, mut stream) = checked_stream().await;
        send_frame(&mut stream, &auth_call(TOKEN)).await;
        let bytes = read_frame(&mut stream).await.expect("an AUTH_REPLY");
        let mut expected = vec![0, 0, 0, 20, 0, 1, b'1', 5, 0, 0, 6];
        expected.extend_from_slice(b"code=0");
        expected.extend_from_slice(&[0, 0, b's']);
        assert_eq!(bytes, expected);

        // The session has started: a CALL is answered.
        send_frame(&mut stream, &echo_call("\"raw\"")).await;
        let reply = decode(&read_frame(&mut stream).await.expect("a REPLY"));
        assert_eq!(reply.mtype, MessageType::Reply);
        assert!(reply.is_ok(), "{reply:?}");
        assert_eq!(&reply.body[..], b"\"user-7: raw\"");
        assert_eq!(server.hub().count(), 1);

        // An AUTH_CALL after the handshake is illegal: the session closes.
        send_frame(&mut stream, &auth_call(TOKEN)).await;
        assert_closed(&mut stream).await;
        eventually(|| server.hub().count() == 0).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checker_refuses_a_wrong_token_then_closes() {
    within(async {
        let (server, mut stream) = checked_stream().await;
        send_frame(&mut stream, &auth_call("guess")).await;
        let reply = decode(&read_frame(&mut stream).await.expect("an AUTH_REPLY"));
        assert_eq!(reply.mtype, MessageType::AuthReply);
        assert_eq!(reply.seq, 1);
        assert_eq!(reply.body_codec, id::PLAIN);
        assert!(reply.body.is_empty());
        let status = reply.status.expect("a refusal");
        assert_eq!(status.code(), code::UNAUTHORIZED);
        assert_eq!(status.cause(), Some("unknown token"));
        assert_closed(&mut stream).await;
        assert_eq!(server.hub().count(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_instead_of_an_auth_call_is_refused() {
    within(async {
        let (server, mut stream) = checked_stream().await;
        send_frame(&mut stream, &echo_call("\"sneaky\"")).await;
        let reply = decode(&read_frame(&mut stream).await.expect("an AUTH_REPLY"));
        assert_eq!(reply.mtype, MessageType::AuthReply);
        let status = reply.status.expect("a refusal");
        assert_eq!(status.code(), code::UNAUTHORIZED);
        assert!(
            status
                .cause()
                .unwrap_or_default()
                .contains("expected AuthCall"),
            "{status}"
        );
        assert_closed(&mut stream).await;
        assert_eq!(server.hub().count(), 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_without_the_checker_closes_on_the_auth_call() {
    within(async {
        let (server, addr) = server(Vec::new()).await;
        let client = client(TOKEN);
        let started = tokio::time::Instant::now();
        let refused = client.dial(addr).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "refused at once, not by the handshake timeout"
        );
        assert_eq!(client.hub().count(), 0);
        eventually(|| server.hub().count() == 0).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_acceptor_that_never_answers_fails_the_dial_at_the_handshake_timeout() {
    within(async {
        let client = Peer::new(
            PeerConfig::default()
                .with_plugin(Arc::new(Bearer::token(id::PLAIN, TOKEN)))
                .with_handshake_timeout(Duration::from_millis(300)),
        );
        let (dialing, mut stream) = dial_past_the_auth_call(&client).await;
        let refused = dialing.await.unwrap().unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        assert_closed(&mut stream).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auth_call_answered_by_another_message_is_refused() {
    within(async {
        let (dialing, mut stream) = dial_past_the_auth_call(&client(TOKEN)).await;
        let push = Message::new(MessageType::Push, 1, "/news");
        send_frame(&mut stream, &push).await;
        let refused = dialing.await.unwrap().unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED, "{refused}");
        assert!(
            refused.to_string().contains("expected AuthReply"),
            "{refused}"
        );
        assert_closed(&mut stream).await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_come_from_the_bearer_and_an_async_checker_judges_them() {
    within(async {
        let checker = Checker::new_async(|credentials: Credentials, info| async move {
            tokio::task::yield_now().await;
            match (credentials.codec, credentials.body.as_ref()) {
                (id::JSON, b"\"alice\"") => {
                    info.attributes().insert("user", "alice".to_owned());
                    Ok(())
                }
                _ => Err(Status::from_code(code::UNAUTHORIZED)),
            }
        });
        let (_server, addr) = server(vec![Arc::new(checker)]).await;
        let bearer = Bearer::new(|conn: &PreSession<'_>| {
            assert!(!conn.is_redial());
            Ok(Credentials::new(id::JSON, "\"alice\""))
        });
        let client = Peer::new(PeerConfig::default().with_plugin(Arc::new(bearer)));
        let session = client.dial(addr.clone()).await.unwrap();
        let answer: String = session.call("/echo", "hi").await.unwrap();
        assert_eq!(answer, "alice: hi");

        // A bearer that refuses to dial fails the dial without a word on the wire.
        let shy =
            Bearer::new(|_: &PreSession<'_>| Err(Status::new(1001, "no credentials at hand")));
        let client = Peer::new(PeerConfig::default().with_plugin(Arc::new(shy)));
        let refused = client.dial(addr).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
        assert!(
            refused.to_string().contains("no credentials at hand"),
            "{refused}"
        );
    })
    .await;
}
