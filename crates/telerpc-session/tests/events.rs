//! The event listener: open, refusal, close exactly once, every message, errors.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;

use telerpc_session::{Health, Session, SessionConfig};
use telerpc_socket::{code, MessageType, Status};

use support::{duplex_sockets, raw_call, recv, start, triple, within, Recorder};

#[tokio::test]
async fn a_refused_open_closes_the_session_and_on_close_fires_exactly_once() {
    within(async {
        let recorder = Arc::new(Recorder {
            refuse: Some(Status::new(1401, "not today")),
            ..Recorder::default()
        });
        let (socket, mut peer) = duplex_sockets(4096);
        let refused = Session::builder()
            .listener(recorder.clone())
            .handler(triple())
            .start(socket)
            .await
            .unwrap_err();
        assert_eq!(refused, Status::new(1401, "not today"));
        assert_eq!(recorder.seen.opened.load(Ordering::SeqCst), 1);
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 1);

        let session = recorder.opened_session.lock().unwrap().clone().unwrap();
        assert_eq!(session.health(), Health::Closed);
        session.closed().await;
        session.close().await;
        let call = session.call::<i64, _>("/triple", &1).await.unwrap_err();
        assert_eq!(call.code(), code::CONN_CLOSED);
        assert_eq!(
            session.push("/x", &1).await.unwrap_err().code(),
            code::CONN_CLOSED
        );
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 1, "still once");

        // Nothing was read or answered: the peer sees the connection end.
        peer.send(&raw_call(1, "/triple", &1)).await.ok();
        assert!(peer.recv().await.map_or(true, |m| m.is_none()));
    })
    .await;
}

#[tokio::test]
async fn on_close_fires_once_however_the_session_ends() {
    within(async {
        let (closes_tx, mut closes) = tokio::sync::mpsc::unbounded_channel();
        let recorder = Arc::new(Recorder {
            closes: Some(closes_tx),
            ..Recorder::default()
        });
        let (a, b) = duplex_sockets(4096);
        let session = start(a, SessionConfig::default(), None, Some(recorder.clone())).await;
        let peer = start(b, SessionConfig::default(), None, None).await;

        // Both ends close at once, and this end is closed twice more.
        tokio::join!(session.close(), peer.close(), session.close());
        session.close().await;
        closes.recv().await.unwrap();
        assert!(closes.try_recv().is_err());
        assert_eq!(recorder.seen.opened.load(Ordering::SeqCst), 1);
        assert_eq!(recorder.seen.closed.load(Ordering::SeqCst), 1);
    })
    .await;
}

#[tokio::test]
async fn every_message_read_is_heard_before_dispatch() {
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

        let mut push = raw_call(1, "/note", &"hello");
        push.mtype = MessageType::Push;
        peer.send(&push).await.unwrap();
        peer.send(&raw_call(2, "/triple", &4)).await.unwrap();
        assert_eq!(recv(&mut peer).await.seq, 2);

        let calling = tokio::spawn({
            let session = session.clone();
            async move { session.call::<i64, _>("/back", &1).await }
        });
        let call = recv(&mut peer).await;
        let mut reply = telerpc_socket::Message::reply_to(&call);
        reply.body = bytes::Bytes::from_static(b"10");
        peer.send(&reply).await.unwrap();
        assert_eq!(calling.await.unwrap(), Ok(10));

        let heard: Vec<_> = recorder
            .seen
            .messages
            .lock()
            .unwrap()
            .iter()
            .map(|m| (m.mtype, m.seq))
            .collect();
        assert_eq!(
            heard,
            [
                (MessageType::Push, 1),
                (MessageType::Call, 2),
                (MessageType::Reply, call.seq)
            ]
        );
        let stats = session.stats();
        assert_eq!((stats.messages_in, stats.messages_out), (3, 2));
    })
    .await;
}
