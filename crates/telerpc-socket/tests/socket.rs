//! The socket: framed I/O over duplex pipes, TCP and Unix sockets, its limits, its ends of
//! stream, and its shared id and attributes.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use socket2::SockRef;
use telerpc_codec::{id, CodecRegistry};
use telerpc_socket::{
    Address, Message, MessageType, Proto, ProtoError, RawProto, Socket, SocketConfig, SocketError,
    SocketInfo, SocketReader, TcpOptions, TcpSocket, DEFAULT_FRAME_LIMIT,
    DEFAULT_READ_BUFFER_CAPACITY,
};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, DuplexStream, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// Every test that does I/O must finish within this.
const DEADLINE: Duration = Duration::from_secs(5);

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the test hung")
}

/// A CALL `/math/add` with meta and the JSON body `[a, b]`.
fn call(seq: i32, a: i64, b: i64) -> Message {
    let mut call = Message::new(MessageType::Call, seq, "/math/add");
    call.meta.append("author", "telerpc");
    call.set_body(CodecRegistry::standard(), id::JSON, &vec![a, b])
        .expect("a JSON body");
    call
}

/// A PUSH `/chat/say` whose plain body is `len` bytes.
fn push_of_len(seq: i32, len: usize) -> Message {
    let mut push = Message::new(MessageType::Push, seq, "/chat/say");
    push.body_codec = id::PLAIN;
    push.body = Bytes::from(vec![b'x'; len]);
    push
}

/// The rawproto frames of `messages`, back to back.
fn frames(messages: &[Message]) -> BytesMut {
    let mut wire = BytesMut::new();
    for message in messages {
        RawProto::default()
            .encode(message, DEFAULT_FRAME_LIMIT, &mut wire)
            .expect("an encodable message");
    }
    wire
}

async fn tcp_pair(config: SocketConfig) -> (TcpSocket, TcpSocket) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (accepted, dialed) = tokio::join!(
        listener.accept(),
        TcpStream::connect(listener.local_addr().unwrap())
    );
    let server = Socket::tcp(accepted.unwrap().0, config.clone()).unwrap();
    let client = Socket::tcp(dialed.unwrap(), config).unwrap();
    (server, client)
}

#[tokio::test]
async fn duplex_round_trip_both_ways() {
    within(async {
        let (a, b) = tokio::io::duplex(4096);
        let (mut client, mut server) = (Socket::new(a), Socket::new(b));

        let sent = call(1, 1, 2);
        client.send(&sent).await.unwrap();
        let received = server.recv().await.unwrap().expect("the CALL");
        assert_eq!(received, sent);

        let mut reply = Message::reply_to(&received);
        reply
            .set_body(CodecRegistry::standard(), reply.body_codec, &3)
            .unwrap();
        server.send(&reply).await.unwrap();
        let answer = client.recv().await.unwrap().expect("the REPLY");
        assert_eq!(answer.mtype, MessageType::Reply);
        assert_eq!(answer.seq, 1);
        assert_eq!(answer.body_as::<i64>(CodecRegistry::standard()).unwrap(), 3);
    })
    .await;
}

#[tokio::test]
async fn tcp_loopback_round_trip_with_addresses_as_ids() {
    within(async {
        let (mut server, mut client) = tcp_pair(SocketConfig::default()).await;

        let Address::Inet(server_addr) = *server.local_addr() else {
            panic!("an inet address, got {:?}", server.local_addr());
        };
        assert_eq!(client.peer_addr(), &Address::Inet(server_addr));
        assert_eq!(server.peer_addr(), client.local_addr());
        assert_eq!(&*client.id(), server_addr.to_string());
        assert_eq!(&*server.id(), client.local_addr().to_string());

        let sent = [call(1, 1, 2), push_of_len(2, 10_000), call(3, 5, 8)];
        for message in &sent {
            client.feed(message).unwrap();
        }
        client.flush().await.unwrap();
        for message in &sent {
            assert_eq!(server.recv().await.unwrap().as_ref(), Some(message));
        }

        server.send(&Message::reply_to(&sent[0])).await.unwrap();
        assert_eq!(
            client.recv().await.unwrap().map(|m| m.mtype),
            Some(MessageType::Reply)
        );

        client.shutdown().await.unwrap();
        assert!(server.recv().await.unwrap().is_none());
    })
    .await;
}

/// A Unix socket path under the temporary directory, removed when dropped.
#[cfg(unix)]
struct TempSocketPath(std::path::PathBuf);

#[cfg(unix)]
impl TempSocketPath {
    fn unique() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "telerpc-socket-{}-{}-{}.sock",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            nanos
        );
        Self(std::env::temp_dir().join(name))
    }
}

#[cfg(unix)]
impl Drop for TempSocketPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn unix_round_trip_with_path_addresses() {
    use tokio::net::{UnixListener, UnixStream};

    let path = TempSocketPath::unique();
    within(async {
        let listener = UnixListener::bind(&path.0).unwrap();
        let (accepted, dialed) = tokio::join!(listener.accept(), UnixStream::connect(&path.0));
        let mut server = Socket::unix(accepted.unwrap().0, SocketConfig::default()).unwrap();
        let mut client = Socket::unix(dialed.unwrap(), SocketConfig::default()).unwrap();

        assert_eq!(server.local_addr(), &Address::Unix(Some(path.0.clone())));
        assert_eq!(client.peer_addr(), &Address::Unix(Some(path.0.clone())));
        assert_eq!(&*client.id(), path.0.display().to_string());
        assert!(
            server.id().starts_with("socket-"),
            "unnamed peer: {}",
            server.id()
        );

        let sent = call(7, 20, 22);
        client.send(&sent).await.unwrap();
        assert_eq!(server.recv().await.unwrap(), Some(sent.clone()));
        server.send(&Message::reply_to(&sent)).await.unwrap();
        assert_eq!(client.recv().await.unwrap().map(|m| m.seq), Some(7));
    })
    .await;
    let removed = path.0.clone();
    assert!(removed.exists());
    drop(path);
    assert!(!removed.exists());
}

/// A stream that counts the writes it is asked to do.
struct CountingWrites {
    inner: DuplexStream,
    writes: Arc<AtomicUsize>,
}

impl AsyncRead for CountingWrites {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountingWrites {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[tokio::test]
async fn messages_fed_together_leave_in_one_write_and_arrive_in_order() {
    within(async {
        let (a, b) = tokio::io::duplex(1 << 20);
        let writes = Arc::new(AtomicUsize::new(0));
        let mut sender = Socket::new(CountingWrites {
            inner: a,
            writes: Arc::clone(&writes),
        });
        let mut receiver = Socket::new(b);

        for seq in 1..=100 {
            sender.feed(&call(seq, seq.into(), 1)).unwrap();
        }
        assert_eq!(writes.load(Ordering::SeqCst), 0, "feed does no I/O");
        let fed = sender.write_buffer().len();
        sender.flush().await.unwrap();

        assert_eq!(writes.load(Ordering::SeqCst), 1);
        assert!(sender.write_buffer().is_empty());
        assert!(fed > 100 * 40);
        for seq in 1..=100 {
            let message = receiver.recv().await.unwrap().expect("a message");
            assert_eq!(message, call(seq, seq.into(), 1));
        }
    })
    .await;
}

#[tokio::test]
async fn frames_encoded_elsewhere_are_fed_as_they_are_and_counted_when_read() {
    within(async {
        let (a, b) = tokio::io::duplex(1 << 16);
        let (_, mut writer) = Socket::new(a).split();
        let (mut reader, _) = Socket::new(b).split();
        let wire = frames(&[call(1, 1, 2), push_of_len(2, 300)]);

        writer.feed_frame(&wire[..]);
        writer.feed(&call(3, 5, 8)).unwrap();
        assert_eq!(&writer.write_buffer()[..wire.len()], &wire[..]);
        let total = writer.write_buffer().len();
        writer.flush().await.unwrap();

        assert_eq!(reader.bytes_read(), 0);
        assert_eq!(reader.recv().await.unwrap(), Some(call(1, 1, 2)));
        assert_eq!(reader.recv().await.unwrap(), Some(push_of_len(2, 300)));
        assert_eq!(reader.recv().await.unwrap(), Some(call(3, 5, 8)));
        assert_eq!(reader.bytes_read(), total as u64);
    })
    .await;
}

/// A stream that delivers its bytes one per successful poll, and is pending every other poll.
struct Trickle {
    data: Bytes,
    ready: bool,
    polls: usize,
}

impl AsyncRead for Trickle {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.polls += 1;
        self.ready = !self.ready;
        if !self.ready {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if let Some(&byte) = self.data.first() {
            buf.put_slice(&[byte]);
            self.data = self.data.slice(1..);
        }
        Poll::Ready(Ok(()))
    }
}

#[tokio::test]
async fn a_reader_fed_one_byte_per_poll_decodes_everything() {
    within(async {
        let sent = [call(1, 1, 2), push_of_len(2, 300), call(3, -4, 4)];
        let wire = frames(&sent).freeze();
        let wire_len = wire.len();
        let trickle = Trickle {
            data: wire,
            ready: false,
            polls: 0,
        };
        let info = Arc::new(SocketInfo::new(Address::Unknown, Address::Unknown));
        let mut reader = SocketReader::new(trickle, info, &SocketConfig::default());

        for message in &sent {
            assert_eq!(reader.recv().await.unwrap().as_ref(), Some(message));
        }
        assert!(reader.recv().await.unwrap().is_none());
        assert!(reader.get_ref().polls >= 2 * wire_len);
    })
    .await;
}

#[tokio::test]
async fn a_size_prefix_claiming_4_gib_is_refused_without_allocating() {
    within(async {
        let (mut raw, b) = tokio::io::duplex(4096);
        let mut socket = Socket::new(b);
        raw.write_all(&[0xff, 0xff, 0xff, 0xff, 0, 1, b'1'])
            .await
            .unwrap();

        match socket.recv().await {
            Err(SocketError::Proto(ProtoError::FrameTooLarge { size, limit })) => {
                assert_eq!(size, u64::from(u32::MAX));
                assert_eq!(limit, DEFAULT_FRAME_LIMIT);
            }
            other => panic!("expected FrameTooLarge, got {other:?}"),
        }
        assert!(socket.read_buffer().capacity() <= DEFAULT_READ_BUFFER_CAPACITY);
    })
    .await;
}

#[tokio::test]
async fn an_unreadable_frame_closes_the_connection() {
    within(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut peer = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (accepted, _) = listener.accept().await.unwrap();
        let mut socket = Socket::tcp(accepted, SocketConfig::default()).unwrap();
        socket.feed(&call(1, 1, 2)).unwrap();
        peer.write_all(&[0, 0, 0, 2]).await.unwrap();

        assert!(matches!(
            socket.recv().await,
            Err(SocketError::Proto(ProtoError::FrameTooSmall(2)))
        ));
        assert!(
            socket.write_buffer().is_empty(),
            "queued frames are dropped"
        );
        let mut rest = Vec::new();
        tokio::io::AsyncReadExt::read_to_end(&mut peer, &mut rest)
            .await
            .unwrap();
        assert!(
            rest.is_empty(),
            "the peer sees the end of the stream, nothing else"
        );
    })
    .await;
}

#[tokio::test]
async fn an_idle_reader_holds_no_read_buffer() {
    within(async {
        let (a, b) = tokio::io::duplex(4096);
        let config = SocketConfig::default().with_read_buffer_capacity(512);
        let (_, mut sender) = Socket::new(a).split();
        let mut receiver = Socket::with_config(b, config);
        assert_eq!(receiver.read_buffer().capacity(), 0);
        assert_eq!(receiver.write_buffer().capacity(), 0);

        sender.send(&push_of_len(1, 10)).await.unwrap();
        assert_eq!(receiver.recv().await.unwrap().map(|m| m.seq), Some(1));
        assert!(
            tokio::time::timeout(Duration::from_millis(20), receiver.recv())
                .await
                .is_err(),
            "nothing more to read"
        );
        assert_eq!(receiver.read_buffer().capacity(), 0, "released while idle");
        assert!(
            sender.write_buffer().capacity() > 0,
            "kept for the next frames"
        );
        sender.release_buffer();
        assert_eq!(sender.write_buffer().capacity(), 0);

        sender.send(&push_of_len(2, 10)).await.unwrap();
        assert_eq!(receiver.recv().await.unwrap().map(|m| m.seq), Some(2));
    })
    .await;
}

#[tokio::test]
async fn a_small_frame_limit_refuses_larger_frames_both_ways() {
    within(async {
        let (a, b) = tokio::io::duplex(4096);
        let limited = SocketConfig::default().with_frame_limit(64);
        let mut small = Socket::with_config(a, limited);
        let mut large = Socket::new(b);

        small.feed(&push_of_len(1, 4)).unwrap();
        let queued = small.write_buffer().clone();
        let refused = small.feed(&push_of_len(2, 200)).unwrap_err();
        assert!(
            matches!(refused, ProtoError::FrameTooLarge { limit: 64, .. }),
            "{refused:?}"
        );
        assert_eq!(refused.write_status().code(), 104);
        assert_eq!(small.write_buffer(), &queued);
        assert!(matches!(
            small.send(&push_of_len(3, 200)).await,
            Err(SocketError::Proto(ProtoError::FrameTooLarge { .. }))
        ));
        small.send(&push_of_len(4, 4)).await.unwrap();

        assert_eq!(large.recv().await.unwrap().map(|m| m.seq), Some(1));
        assert_eq!(large.recv().await.unwrap().map(|m| m.seq), Some(4));

        large.send(&push_of_len(5, 200)).await.unwrap();
        match small.recv().await {
            Err(SocketError::Proto(ProtoError::FrameTooLarge { limit: 64, .. })) => {}
            other => panic!("expected FrameTooLarge, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn eof_inside_a_frame_is_unexpected() {
    within(async {
        let (mut raw, b) = tokio::io::duplex(4096);
        let mut socket = Socket::new(b);
        let wire = frames(&[call(1, 1, 2)]);
        raw.write_all(&wire[..wire.len() - 3]).await.unwrap();
        drop(raw);

        match socket.recv().await {
            Err(SocketError::UnexpectedEof { buffered }) => assert_eq!(buffered, wire.len() - 3),
            other => panic!("expected UnexpectedEof, got {other:?}"),
        }
    })
    .await;
}

#[tokio::test]
async fn eof_between_frames_is_a_clean_end() {
    within(async {
        let (a, b) = tokio::io::duplex(4096);
        let (mut sender, mut receiver) = (Socket::new(a), Socket::new(b));
        sender.feed(&call(1, 1, 2)).unwrap();
        sender.shutdown().await.unwrap();

        assert_eq!(receiver.recv().await.unwrap().map(|m| m.seq), Some(1));
        assert!(receiver.recv().await.unwrap().is_none());
        assert!(receiver.recv().await.unwrap().is_none());
    })
    .await;
}

#[tokio::test]
async fn a_write_buffer_past_the_high_water_mark_is_released_after_flush() {
    within(async {
        let (a, b) = tokio::io::duplex(1 << 20);
        let (mut sender, mut receiver) = (Socket::new(a), Socket::new(b));

        sender.send(&push_of_len(1, 100)).await.unwrap();
        assert!(sender.write_buffer().is_empty());
        assert!(
            sender.write_buffer().capacity() >= 100,
            "a small buffer is kept whole"
        );

        sender.send(&push_of_len(2, 100 * 1024)).await.unwrap();
        assert_eq!(sender.write_buffer().capacity(), 0);

        assert_eq!(receiver.recv().await.unwrap().map(|m| m.seq), Some(1));
        let large = receiver.recv().await.unwrap().expect("the large PUSH");
        assert_eq!(large.body.len(), 100 * 1024);
    })
    .await;
}

#[tokio::test]
async fn a_read_buffer_grown_for_a_large_frame_is_released_once_idle() {
    within(async {
        let (a, b) = tokio::io::duplex(1 << 20);
        let (mut sender, mut receiver) = (Socket::new(a), Socket::new(b));

        sender.send(&push_of_len(1, 100 * 1024)).await.unwrap();
        let large = receiver.recv().await.unwrap().expect("the large PUSH");
        assert_eq!(large.body.len(), 100 * 1024);
        assert!(
            tokio::time::timeout(Duration::from_millis(20), receiver.recv())
                .await
                .is_err(),
            "nothing more to read"
        );
        assert_eq!(receiver.read_buffer().capacity(), 0);

        sender.send(&push_of_len(2, 10)).await.unwrap();
        assert_eq!(receiver.recv().await.unwrap().map(|m| m.seq), Some(2));
    })
    .await;
}

#[tokio::test]
async fn id_and_attributes_are_shared_by_both_halves() {
    let (a, b) = tokio::io::duplex(64);
    let (left, right) = (Socket::new(a), Socket::new(b));
    assert!(left.id().starts_with("socket-"));
    assert_ne!(left.id(), right.id());
    assert_eq!(left.local_addr(), &Address::Unknown);

    left.set_id("alice");
    assert!(left
        .attributes()
        .insert("user", String::from("ada"))
        .is_none());
    left.attributes().insert("level", 3_u32);
    assert!(left.attributes().insert("level", 4_u32).is_some());

    let (reader, writer) = left.split();
    assert!(Arc::ptr_eq(reader.info(), writer.info()));
    assert_eq!(&*writer.info().id(), "alice");
    let attributes = writer.info().attributes();
    assert_eq!(attributes.len(), 2);
    assert!(attributes.contains("user"));
    assert_eq!(
        attributes.get::<String>("user").as_deref(),
        Some(&String::from("ada"))
    );
    assert_eq!(attributes.get::<u32>("level").as_deref(), Some(&4));
    assert!(
        attributes.get::<u64>("level").is_none(),
        "another type is not found"
    );

    reader.info().set_id("bob");
    assert!(reader.info().attributes().remove("user").is_some());
    assert_eq!(&*writer.info().id(), "bob");
    assert!(!writer.info().attributes().contains("user"));

    let joined = Socket::from_parts(reader, writer);
    assert_eq!(&*joined.id(), "bob");
    assert_eq!(joined.attributes().len(), 1);
}

#[tokio::test]
async fn from_parts_gives_the_writer_the_readers_info() {
    let (a, b) = tokio::io::duplex(64);
    let (first, second) = (Socket::new(a), Socket::new(b));
    let (reader, _) = first.split();
    let (_, writer) = second.split();
    let joined = Socket::from_parts(reader, writer);
    let (reader, writer) = joined.split();
    assert!(Arc::ptr_eq(reader.info(), writer.info()));
}

#[tokio::test]
async fn tcp_options_are_applied() {
    within(async {
        let (server, _client) = tcp_pair(SocketConfig::default()).await;
        let (read_half, _) = server.get_ref();
        let stream = SockRef::from(read_half.as_ref());
        assert!(stream.tcp_nodelay().unwrap());
        assert!(stream.keepalive().unwrap());
        #[cfg(target_os = "linux")]
        assert_eq!(
            stream.tcp_keepalive_time().unwrap(),
            Duration::from_secs(15)
        );

        let plain = TcpOptions::default()
            .with_nodelay(false)
            .with_keepalive(None)
            .with_recv_buffer_size(Some(64 * 1024));
        let (server, _client) = tcp_pair(SocketConfig::default().with_tcp(plain)).await;
        let (read_half, _) = server.get_ref();
        let stream = SockRef::from(read_half.as_ref());
        assert!(!stream.tcp_nodelay().unwrap());
        assert!(!stream.keepalive().unwrap());
        assert!(stream.recv_buffer_size().unwrap() >= 64 * 1024);
    })
    .await;
}
