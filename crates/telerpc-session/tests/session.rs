//! A session's outbound frames, identity and statistics.

mod support;

use std::time::Duration;

use bytes::Bytes;
use telerpc_codec::{id, CodecRegistry};
use telerpc_session::{Health, SessionConfig, TIMEOUT_META_KEY};
use telerpc_socket::{code, Address, Message, MessageType, SocketConfig};
use telerpc_xfer::XferPipe;

use support::{duplex_sockets, recv, start, tcp_sockets, triple, within};

#[tokio::test]
async fn calls_and_pushes_share_one_seq_counter_and_carry_their_options() {
    within(async {
        let (socket, mut peer) = duplex_sockets(64 * 1024);
        let session = start(socket, SessionConfig::default(), None, None).await;

        let calling = tokio::spawn({
            let session = session.clone();
            async move {
                session
                    .call::<String, _>("/echo", "hi")
                    .meta("author", "ada")
                    .codec(id::PLAIN)
                    .timeout(Duration::from_secs(2))
                    .xfer(XferPipe::from_ids(&b"g"[..]).unwrap())
                    .await
            }
        });
        let call = recv(&mut peer).await;
        assert_eq!((call.mtype, call.seq), (MessageType::Call, 1));
        assert_eq!(&*call.service_method, "/echo");
        assert_eq!((call.body_codec, &call.body[..]), (id::PLAIN, &b"hi"[..]));
        assert_eq!(call.meta.get("author"), Some("ada"));
        let left: u64 = call.meta.get(TIMEOUT_META_KEY).unwrap().parse().unwrap();
        assert!(left > 1000 && left <= 2000, "{left} ms left");
        assert_eq!(call.xfer_pipe.ids(), b"g");

        session.push("/note", &[1, 2]).meta("k", "v").await.unwrap();
        let push = recv(&mut peer).await;
        assert_eq!((push.mtype, push.seq), (MessageType::Push, 2));
        assert_eq!((push.body_codec, &push.body[..]), (id::JSON, &b"[1,2]"[..]));
        assert_eq!(push.meta.get("k"), Some("v"));
        assert_eq!(push.meta.get(TIMEOUT_META_KEY), None);

        let mut reply = Message::reply_to(&call);
        reply.body = Bytes::from_static(b"back");
        peer.send(&reply).await.unwrap();
        assert_eq!(calling.await.unwrap(), Ok("back".to_owned()));

        let raw = tokio::spawn({
            let session = session.clone();
            async move { session.call::<(), _>("/raw", &()).raw().await }
        });
        let call = recv(&mut peer).await;
        assert_eq!(call.seq, 3);
        let mut reply = Message::reply_to(&call);
        reply.meta.append("answer", "meta");
        reply
            .set_body(CodecRegistry::standard(), id::JSON, &42)
            .unwrap();
        peer.send(&reply).await.unwrap();
        let whole = raw.await.unwrap().unwrap();
        assert_eq!((whole.seq, whole.meta.get("answer")), (3, Some("meta")));
        assert_eq!(&whole.body[..], b"42");
    })
    .await;
}

#[tokio::test]
async fn an_empty_ok_reply_reads_as_null_in_the_calls_codec() {
    within(async {
        let (socket, mut peer) = duplex_sockets(64 * 1024);
        let session = start(socket, SessionConfig::default(), None, None).await;
        let calling =
            tokio::spawn(async move { session.call::<Option<i64>, _>("/maybe", &()).await });
        let call = recv(&mut peer).await;
        let mut reply = Message::reply_to(&call);
        reply.body_codec = id::NONE;
        peer.send(&reply).await.unwrap();
        assert_eq!(calling.await.unwrap(), Ok(None));
    })
    .await;
}

#[tokio::test]
async fn a_frame_over_the_limit_is_refused_at_once_with_104_and_the_session_goes_on() {
    within(async {
        let socket_config = SocketConfig::default().with_frame_limit(256);
        let config = SessionConfig::default().with_socket(socket_config.clone());
        let (a, b) = tokio::io::duplex(64 * 1024);
        let client = start(
            telerpc_socket::Socket::with_config(a, socket_config.clone()),
            config.clone(),
            None,
            None,
        )
        .await;
        let _server = start(
            telerpc_socket::Socket::with_config(b, socket_config),
            config,
            Some(triple()),
            None,
        )
        .await;

        let big = "x".repeat(1000);
        let status = client.call::<i64, _>("/triple", &big).await.unwrap_err();
        assert_eq!(status.code(), code::WRITE_FAILED);
        assert!(
            status.cause().unwrap().contains("exceeds the limit"),
            "{status}"
        );
        let status = client.push("/note", &big).await.unwrap_err();
        assert_eq!(status.code(), code::WRITE_FAILED);
        assert_eq!(client.stats().messages_out, 0, "nothing was queued");

        assert_eq!(client.call::<i64, _>("/triple", &5).await, Ok(15));
        assert_eq!(client.health(), Health::Open);
    })
    .await;
}

#[tokio::test]
async fn identity_addresses_and_statistics() {
    within(async {
        let (a, b) = tcp_sockets().await;
        let client = start(a, SessionConfig::default(), None, None).await;
        let server = start(b, SessionConfig::default(), Some(triple()), None).await;

        let (Address::Inet(client_addr), Address::Inet(server_addr)) =
            (client.local_addr(), server.local_addr())
        else {
            panic!("inet addresses");
        };
        assert_eq!(client.peer_addr(), Address::Inet(server_addr));
        assert_eq!(server.peer_addr(), Address::Inet(client_addr));
        assert_eq!(
            &*client.id(),
            server_addr.to_string(),
            "the peer's address by default"
        );
        client.set_id("alice");
        assert_eq!(&*client.id(), "alice");
        client.attributes().insert("room", 7_u32);
        assert_eq!(
            client.clone().attributes().get::<u32>("room").as_deref(),
            Some(&7)
        );

        let before = client.stats();
        assert_eq!(
            (before.messages_out, before.bytes_out, before.queued_frames),
            (0, 0, 0)
        );
        for n in 0..10 {
            assert_eq!(client.call::<i64, _>("/triple", &n).await, Ok(3 * n));
        }
        let (sent, received) = (client.stats(), server.stats());
        assert_eq!((sent.messages_out, sent.messages_in), (10, 10));
        assert_eq!((received.messages_in, received.messages_out), (10, 10));
        assert_eq!(received.bytes_in, sent.bytes_out);
        assert_eq!(sent.bytes_in, received.bytes_out);
        assert!(sent.bytes_out > 10 * 20);
        assert!(sent.last_activity > before.last_activity);
    })
    .await;
}
