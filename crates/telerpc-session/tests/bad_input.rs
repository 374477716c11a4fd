//! Bad input from a peer that writes frames by hand (spec §6): answered as eRPC answers it,
//! without eRPC's defects.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use telerpc_codec::id;
use telerpc_session::{BoxFuture, Health, Reply, Request, SessionConfig};
use telerpc_socket::{code, Message, MessageType, Status};
use telerpc_xfer::XferPipe;

use support::{
    duplex_sockets, raw_call, recv, reply_with, start, triple, within, FnHandler, Recorder,
};

#[tokio::test]
async fn a_call_without_a_service_method_is_answered_400() {
    within(async {
        let (mut peer, socket) = duplex_sockets(64 * 1024);
        let _session = start(socket, SessionConfig::default(), Some(triple()), None).await;

        peer.send(&raw_call(1, "", &5)).await.unwrap();
        let reply = recv(&mut peer).await;
        assert_eq!((reply.mtype, reply.seq), (MessageType::Reply, 1));
        assert_eq!(reply.status.map(|s| s.code()), Some(code::BAD_MESSAGE));
        assert_eq!((reply.body_codec, reply.body.len()), (id::NONE, 0));

        peer.send(&raw_call(2, "/triple", &5)).await.unwrap();
        assert_eq!(
            recv(&mut peer)
                .await
                .body_as::<i64>(telerpc_codec::CodecRegistry::standard())
                .unwrap(),
            15
        );
    })
    .await;
}

#[tokio::test]
async fn without_a_handler_a_call_is_answered_404_as_erpc_writes_it_and_a_push_is_dropped() {
    within(async {
        let (mut peer, socket) = duplex_sockets(64 * 1024);
        let _session = start(socket, SessionConfig::default(), None, None).await;

        let mut push = raw_call(1, "/chat/say", &"hi");
        push.mtype = MessageType::Push;
        peer.send(&push).await.unwrap();
        peer.send(&raw_call(2, "/math/nope", &[1])).await.unwrap();

        let reply = recv(&mut peer).await;
        assert_eq!(reply.seq, 2, "the push got nothing back");
        assert_eq!(reply.status, Some(Status::from_code(code::NOT_FOUND)));
        assert_eq!((reply.body_codec, reply.body.len()), (id::NONE, 0));
        assert!(reply.service_method.is_empty());

        // Spec §5: the 404 REPLY to seq 2, byte for byte.
        let mut wire = bytes::BytesMut::new();
        telerpc_socket::Proto::encode(
            &telerpc_socket::RawProto::default(),
            &reply,
            telerpc_socket::DEFAULT_FRAME_LIMIT,
            &mut wire,
        )
        .unwrap();
        let expected = "0000002d0001320200001f636f64653d343034266d73673d4e6f74253230466f756e642663617573653d000000";
        let hex: String = wire.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    })
    .await;
}

#[tokio::test]
async fn a_handler_that_panics_is_answered_500_and_the_connection_goes_on() {
    within(async {
        let handler = FnHandler::new(|request: Request| -> BoxFuture<'static, Reply> {
            match request.service_method() {
                "/panic/now" => panic!("panicked before its future"),
                _ => Box::pin(async move {
                    tokio::task::yield_now().await;
                    if request.service_method() == "/panic/later" {
                        panic!("panicked while running");
                    }
                    reply_with(&request, &"fine")
                }),
            }
        });
        let recorder = Arc::new(Recorder::default());
        let (mut peer, socket) = duplex_sockets(64 * 1024);
        let session = start(
            socket,
            SessionConfig::default(),
            Some(handler),
            Some(recorder.clone()),
        )
        .await;

        for (seq, method) in [(1, "/panic/now"), (2, "/panic/later")] {
            peer.send(&raw_call(seq, method, &())).await.unwrap();
            let reply = recv(&mut peer).await;
            assert_eq!(reply.seq, seq);
            let status = reply.status.expect("an error status");
            assert_eq!(status.code(), code::INTERNAL_SERVER_ERROR);
            assert!(status.cause().unwrap().contains("panicked"), "{status}");
        }
        peer.send(&raw_call(3, "/ok", &())).await.unwrap();
        let reply = recv(&mut peer).await;
        assert_eq!((reply.seq, reply.is_ok()), (3, true));
        assert_eq!(session.health(), Health::Open);
        let errors = recorder.seen.errors.lock().unwrap().clone();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[1].contains("/panic/later") && errors[1].contains("panicked while running"));
    })
    .await;
}

#[tokio::test]
async fn a_reply_echoes_the_calls_seq_and_transfer_filters() {
    within(async {
        let (mut peer, socket) = duplex_sockets(64 * 1024);
        let _session = start(socket, SessionConfig::default(), Some(triple()), None).await;

        let mut call = raw_call(77, "/triple", &2);
        call.xfer_pipe = XferPipe::from_ids(&b"g"[..]).unwrap();
        peer.send(&call).await.unwrap();
        let reply = recv(&mut peer).await;
        assert_eq!((reply.seq, reply.xfer_pipe.ids()), (77, &b"g"[..]));
        assert_eq!(&reply.body[..], b"6");
        assert_eq!(reply.body_codec, id::JSON);
    })
    .await;
}

/// Starts a call from the session and answers it from the raw peer with `answer`; returns
/// the call's outcome.
async fn answered_with(answer: impl FnOnce(&Message) -> Message) -> Result<i64, Status> {
    let (mut peer, socket) = duplex_sockets(64 * 1024);
    let session = start(socket, SessionConfig::default(), None, None).await;
    let call = tokio::spawn(async move { session.call::<i64, _>("/math/add", &[1, 2, 3]).await });
    let received = recv(&mut peer).await;
    assert_eq!(received.mtype, MessageType::Call);
    peer.send(&answer(&received)).await.unwrap();
    call.await.unwrap()
}

#[tokio::test]
async fn a_reply_with_codec_0_and_a_body_fails_the_call_instead_of_hanging_it() {
    within(async {
        let outcome = answered_with(|call| {
            let mut reply = Message::reply_to(call);
            reply.body_codec = id::NONE;
            reply.body = Bytes::from_static(b"6");
            reply
        })
        .await;
        let status = outcome.expect_err("not OK");
        assert_eq!(status.code(), code::BAD_MESSAGE);
        assert!(status.cause().unwrap().contains("no codec"), "{status}");
    })
    .await;
}

#[tokio::test]
async fn a_reply_that_does_not_decode_is_an_error_not_ok() {
    within(async {
        let outcome = answered_with(|call| {
            let mut reply = Message::reply_to(call);
            reply.body = Bytes::from_static(b"\"six\"");
            reply
        })
        .await;
        let status = outcome.expect_err("not OK");
        assert_eq!(status.code(), code::BAD_MESSAGE);
        assert!(
            status.cause().unwrap().starts_with("json decode"),
            "{status}"
        );

        let unknown_codec = answered_with(|call| {
            let mut reply = Message::reply_to(call);
            reply.body_codec = b'?';
            reply.body = Bytes::from_static(b"6");
            reply
        })
        .await;
        assert_eq!(unknown_codec.unwrap_err().code(), code::BAD_MESSAGE);
    })
    .await;
}

#[tokio::test]
async fn a_reply_status_is_the_calls_error_and_an_ok_reply_decodes() {
    within(async {
        let failed = answered_with(|call| {
            let mut reply = Message::reply_to(call);
            reply.status = Some(Status::new(1234, "custom").with_cause("why"));
            reply
        })
        .await;
        assert_eq!(failed, Err(Status::new(1234, "custom").with_cause("why")));

        let ok = answered_with(|call| {
            let mut reply = Message::reply_to(call);
            reply.body = Bytes::from_static(b"6");
            reply
        })
        .await;
        assert_eq!(ok, Ok(6));
    })
    .await;
}

#[tokio::test]
async fn an_auth_call_after_the_open_closes_the_connection() {
    within(async {
        let recorder = Arc::new(Recorder::default());
        let (mut peer, socket) = duplex_sockets(64 * 1024);
        let session = start(
            socket,
            SessionConfig::default(),
            Some(triple()),
            Some(recorder.clone()),
        )
        .await;

        let mut auth = Message::new(MessageType::AuthCall, 1, "");
        auth.body = Bytes::from_static(b"secret");
        peer.send(&auth).await.unwrap();

        assert!(
            peer.recv().await.unwrap().is_none(),
            "the connection was closed, no reply"
        );
        session.closed().await;
        assert_eq!(session.health(), Health::Closed);
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 1);
        let errors = recorder.seen.errors.lock().unwrap().clone();
        assert!(errors.iter().any(|e| e.contains("AuthCall")), "{errors:?}");
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_frame_closes_the_connection() {
    within(async {
        use tokio::io::AsyncWriteExt;
        let (mut peer, stream) = tokio::io::duplex(64 * 1024);
        let session = start(
            telerpc_socket::Socket::new(stream),
            SessionConfig::default(),
            None,
            None,
        )
        .await;
        // A size prefix smaller than any frame.
        peer.write_all(&[0, 0, 0, 2]).await.unwrap();
        session.closed().await;
        assert_eq!(
            session.call::<(), _>("/x", &()).await.unwrap_err().code(),
            code::CONN_CLOSED
        );
    })
    .await;
}
