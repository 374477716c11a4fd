//! Bad input (spec §6) as a raw peer sees the router answer it, frame by frame: undecodable
//! bodies, unknown codecs, unknown calls and pushes, bad query strings, panicking handlers,
//! handlers' error statuses, and results the reply codec cannot carry.

mod support;

use support::{message, raw_peer, recv, DuplexSocket};
use telerpc_codec::{id, Proto};
use telerpc_router::{CallCtx, PushCtx, Router, ACCEPT_BODY_CODEC_META_KEY};
use telerpc_socket::{code, Message, MessageType, Status};
use tokio::sync::mpsc;

#[derive(Clone, PartialEq, prost::Message)]
struct PbTest {
    #[prost(int32, tag = "1")]
    a: i32,
}

fn router() -> (Router, mpsc::UnboundedReceiver<i64>) {
    let (heard, hearing) = mpsc::unbounded_channel();
    let router = Router::new()
        .call("/math/add", |_ctx: CallCtx, numbers: Vec<i64>| async move {
            Ok::<_, Status>(numbers.iter().sum::<i64>())
        })
        .call("/panic", |_ctx: CallCtx, (): ()| async move {
            if true {
                panic!("the handler broke");
            }
            Ok::<_, Status>(())
        })
        .call("/err/always", |ctx: CallCtx, (): ()| async move {
            ctx.set_reply_meta("why", "testing");
            Err::<(), _>(Status::new(1234, "custom failure").with_cause("cause text"))
        })
        .call("/pb", |_ctx: CallCtx, (): ()| async {
            Ok::<_, Status>(Proto(PbTest { a: 1 }))
        })
        .push("/note", move |_ctx: PushCtx, n: i64| {
            let heard = heard.clone();
            async move { heard.send(n).map_err(|_| Status::new(500, "ended")) }
        });
    (router, hearing)
}

/// Sends `call` and reads its reply, which must answer it.
async fn exchange(socket: &mut DuplexSocket, call: Message) -> Message {
    let seq = call.seq;
    socket.send(&call).await.unwrap();
    let reply = recv(socket).await;
    assert_eq!((reply.mtype, reply.seq), (MessageType::Reply, seq));
    reply
}

/// Checks that `reply` is an error reply with `code`, eRPC's message for it, codec 0 and no
/// body, and returns its cause.
fn error_cause(reply: &Message, code: i32) -> String {
    let status = reply.status.as_ref().expect("an error status");
    assert_eq!(status.code(), code, "{status}");
    assert_eq!(Some(status.message()), code::text(code));
    assert_eq!((reply.body_codec, reply.body.len()), (id::NONE, 0));
    status.cause().expect("a cause").to_owned()
}

/// Checks that the connection still serves calls, with `seq`.
async fn still_serves(socket: &mut DuplexSocket, seq: i32) {
    let reply = exchange(
        socket,
        message(MessageType::Call, seq, "/math/add", id::JSON, b"[2,3]"),
    )
    .await;
    assert!(reply.is_ok(), "{:?}", reply.status);
    assert_eq!(&reply.body[..], b"5");
}

#[tokio::test]
async fn a_body_that_does_not_decode_is_answered_400_with_the_decode_error() {
    let (router, _) = router();
    let (mut socket, _server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 1, "/math/add", id::JSON, b"[1,"),
    )
    .await;
    let cause = error_cause(&reply, code::BAD_MESSAGE);
    assert!(cause.starts_with("json decode:"), "{cause}");
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 2, "/math/add", id::JSON, b"\"six\""),
    )
    .await;
    assert!(error_cause(&reply, code::BAD_MESSAGE).contains("json decode"));
    still_serves(&mut socket, 3).await;
}

#[tokio::test]
async fn an_unknown_codec_is_answered_400() {
    let (router, _) = router();
    let (mut socket, _server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 1, "/math/add", b'?', b"[1]"),
    )
    .await;
    assert_eq!(
        error_cause(&reply, code::BAD_MESSAGE),
        "unknown body codec id 0x3f"
    );
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 2, "/math/add", id::NONE, b""),
    )
    .await;
    assert_eq!(
        error_cause(&reply, code::BAD_MESSAGE),
        "unknown body codec id 0x00"
    );
    still_serves(&mut socket, 3).await;
}

#[tokio::test]
async fn an_unknown_call_is_answered_404_as_erpc_answers_it() {
    let (router, _) = router();
    let (mut socket, _server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 7, "/no/such/route", id::JSON, b""),
    )
    .await;
    assert_eq!(reply.status, Some(Status::from_code(404)));
    assert_eq!(error_cause(&reply, code::NOT_FOUND), "");
    assert!(reply.meta.is_empty());
    still_serves(&mut socket, 8).await;
}

#[tokio::test]
async fn an_unknown_or_undecodable_push_is_dropped_and_the_connection_goes_on() {
    let (router, mut hearing) = router();
    let (mut socket, _server) = raw_peer(router).await;
    for push in [
        message(MessageType::Push, 1, "/no/such/push", id::JSON, b"1"),
        message(MessageType::Push, 2, "/note", id::JSON, b"not json"),
        message(MessageType::Push, 3, "/note", b'?', b"1"),
        message(MessageType::Push, 4, "/note?bad=%FF", id::JSON, b"1"),
        message(MessageType::Push, 5, "/note", id::JSON, b"5"),
    ] {
        socket.send(&push).await.unwrap();
    }
    assert_eq!(support::within(hearing.recv()).await, Some(5));
    still_serves(&mut socket, 6).await;
    assert!(
        hearing.try_recv().is_err(),
        "only the good push reached the handler"
    );
}

#[tokio::test]
async fn a_query_string_that_does_not_decode_is_answered_400() {
    let (router, _) = router();
    let (mut socket, _server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 1, "/math/add?x=%FF", id::JSON, b"[1]"),
    )
    .await;
    assert!(error_cause(&reply, code::BAD_MESSAGE).contains("not UTF-8"));
    still_serves(&mut socket, 2).await;
}

#[tokio::test]
async fn a_panicking_handler_is_answered_500_and_the_connection_kept() {
    let (router, _) = router();
    let (mut socket, server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 1, "/panic", id::JSON, b""),
    )
    .await;
    assert_eq!(
        error_cause(&reply, code::INTERNAL_SERVER_ERROR),
        "the handler broke"
    );
    still_serves(&mut socket, 2).await;
    assert_eq!(server.health(), telerpc_session::Health::Open);
}

#[tokio::test]
async fn a_handlers_error_status_is_sent_with_codec_0_and_no_body() {
    let (router, _) = router();
    let (mut socket, _server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 1, "/err/always", id::JSON, b""),
    )
    .await;
    assert_eq!(
        reply.status,
        Some(Status::new(1234, "custom failure").with_cause("cause text"))
    );
    assert_eq!((reply.body_codec, reply.body.len()), (id::NONE, 0));
    assert_eq!(
        reply.meta.get("why"),
        Some("testing"),
        "the reply meta set goes too"
    );
}

#[tokio::test]
async fn a_result_the_reply_codec_cannot_carry_is_answered_500() {
    let (router, _) = router();
    let (mut socket, _server) = raw_peer(router).await;
    let reply = exchange(
        &mut socket,
        message(MessageType::Call, 1, "/pb", id::JSON, b""),
    )
    .await;
    let cause = error_cause(&reply, code::INTERNAL_SERVER_ERROR);
    assert_eq!(cause, "the json codec cannot carry a protobuf body");
    let mut call = message(MessageType::Call, 2, "/pb", id::JSON, b"");
    call.meta.append(ACCEPT_BODY_CODEC_META_KEY, "112");
    let reply = exchange(&mut socket, call).await;
    assert!(reply.is_ok(), "asked for protobuf: {:?}", reply.status);
    assert_eq!(
        (reply.body_codec, &reply.body[..]),
        (id::PROTOBUF, &[0x08, 0x01][..])
    );
}
