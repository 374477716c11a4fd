//! The golden frames captured from real Go eRPC v6 peers
//! (`crates/telerpc-socket/tests/data/vectors`), replayed against a live telerpc peer over TCP:
//! a raw `TcpStream` writes each captured CALL and must read back exactly the captured REPLY's
//! bytes, and each captured PUSH must reach its handler.
//!
//! Two replies cannot match byte for byte, for reasons outside the router, and are compared
//! decoded instead:
//! - `h_reply_echo_meta`: Go's `encoding/json` escapes `&` as `\u0026`; serde_json writes it
//!   as it is. The frames must be equal but for the body, and the bodies decode to the same
//!   string.
//! - `e_reply_math_add_gzip`: the body travels gzip'ed, and Go's deflate emits other (but
//!   equivalent) bytes than ours. The xfer prefix must be equal and the frames must decode to
//!   the same message.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::BytesMut;
use telerpc::codec::id;
use telerpc::peer::NetAddr;
use telerpc::socket::{JsonProto, MessageType, Proto as WireProto, RawProto, DEFAULT_FRAME_LIMIT};
use telerpc::{CallCtx, Message, Peer, PeerConfig, Proto, PushCtx, Raw, Router, Status};
use telerpc_benches::BenchmarkMessage;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

/// Every step must finish within this.
const DEADLINE: Duration = Duration::from_secs(10);

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the test hung")
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbTest {
    #[prost(int32, tag = "1")]
    a: i32,
    #[prost(int32, tag = "2")]
    b: i32,
}

/// The handlers of the eRPC interop server the vectors were captured from; pushes to
/// `/push/hello` are sent to `pushes`.
fn interop_router(pushes: mpsc::UnboundedSender<String>) -> Router {
    Router::new()
        .call("/math/add", |_ctx: CallCtx, numbers: Vec<i64>| async move {
            Ok::<_, Status>(numbers.iter().sum::<i64>())
        })
        .call("/err/always", |_ctx: CallCtx, (): ()| async {
            Err::<(), _>(Status::new(1234, "custom failure").with_cause("cause text"))
        })
        .call("/echo/bytes", |_ctx: CallCtx, body: Raw| async move {
            Ok::<_, Status>(body)
        })
        .call("/echo/meta", |ctx: CallCtx, (): ()| async move {
            Ok::<_, Status>(ctx.meta().get("x").unwrap_or_default().to_owned())
        })
        .call(
            "/pb/add",
            |_ctx: CallCtx, Proto(t): Proto<PbTest>| async move {
                Ok::<_, Status>(Proto(PbTest {
                    a: t.a + t.b,
                    b: t.a - t.b,
                }))
            },
        )
        .call(
            "Hello.Say",
            |_ctx: CallCtx, Proto(m): Proto<BenchmarkMessage>| async move {
                Ok::<_, Status>(Proto(BenchmarkMessage::reply_to(&m)))
            },
        )
        .push("/push/hello", move |_ctx: PushCtx, text: String| {
            let pushes = pushes.clone();
            async move { pushes.send(text).map_err(|_| Status::new(500, "ended")) }
        })
}

/// How the protocol under test frames, and what a frame's size prefix counts.
#[derive(Clone, Copy)]
enum Framing {
    /// rawproto: the size counts its own 4 bytes.
    Raw,
    /// jsonproto: the size counts the bytes after it.
    Json,
}

impl Framing {
    fn proto(self) -> Arc<dyn WireProto> {
        match self {
            Self::Raw => Arc::new(RawProto::default()),
            Self::Json => Arc::new(JsonProto::default()),
        }
    }
}

/// A peer serving the interop router over TCP, framing with `framing`, and a raw stream
/// connected to it.
struct Server {
    stream: TcpStream,
    framing: Framing,
    _peer: Peer,
}

impl Server {
    async fn start(framing: Framing, pushes: mpsc::UnboundedSender<String>) -> Self {
        let peer = Peer::new(
            PeerConfig::default()
                .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
                .with_proto(framing.proto())
                .with_handler(Arc::new(interop_router(pushes))),
        );
        let address = within(peer.listen()).await.unwrap()[0].address().to_owned();
        let stream = within(TcpStream::connect(address)).await.unwrap();
        Self {
            stream,
            framing,
            _peer: peer,
        }
    }

    async fn write(&mut self, frame: &[u8]) {
        self.stream.write_all(frame).await.unwrap();
    }

    /// The next whole frame the server writes.
    async fn read_frame(&mut self) -> Vec<u8> {
        let mut frame = vec![0; 4];
        within(self.stream.read_exact(&mut frame)).await.unwrap();
        let size = u32::from_be_bytes(frame[..4].try_into().unwrap()) as usize;
        let rest = match self.framing {
            Framing::Raw => size - 4,
            Framing::Json => size,
        };
        frame.resize(4 + rest, 0);
        within(self.stream.read_exact(&mut frame[4..]))
            .await
            .unwrap();
        frame
    }
}

fn vector(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../telerpc-socket/tests/data/vectors/{name}.bin",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn decode(framing: Framing, frame: &[u8]) -> Message {
    let mut src = BytesMut::from(frame);
    let message = framing
        .proto()
        .decode(&mut src, DEFAULT_FRAME_LIMIT)
        .expect("the frame decodes")
        .expect("a whole frame");
    assert!(src.is_empty());
    message
}

/// Writes the CALL frame `call` to a fresh connection and returns the REPLY frame.
async fn replay(framing: Framing, call: &[u8]) -> Vec<u8> {
    let (pushes, _) = mpsc::unbounded_channel();
    let mut server = Server::start(framing, pushes).await;
    server.write(call).await;
    server.read_frame().await
}

#[tokio::test]
async fn every_rawproto_call_vector_is_answered_with_erpcs_exact_reply() {
    within(async {
        for (call, reply) in [
            ("a_call_math_add_json", "b_reply_math_add_json"),
            ("d_call_err_always", "d_reply_error_status"),
            ("f_call_pb_add_protobuf", "f_reply_pb_add_protobuf"),
            (
                "f2_call_hello_say_bench_protobuf",
                "f2_reply_hello_say_bench_protobuf",
            ),
            ("g_call_echo_bytes", "g_reply_echo_bytes"),
        ] {
            let ours = replay(Framing::Raw, &vector(call)).await;
            assert_eq!(ours, vector(reply), "{call} is answered with {reply}");
        }
    })
    .await;
}

#[tokio::test]
async fn an_unknown_route_is_answered_with_erpcs_exact_404() {
    let mut call = Message::new(MessageType::Call, 1, "/no/such/route");
    call.body_codec = id::JSON;
    let mut frame = BytesMut::new();
    RawProto::default()
        .encode(&call, DEFAULT_FRAME_LIMIT, &mut frame)
        .unwrap();
    let ours = within(replay(Framing::Raw, &frame)).await;
    assert_eq!(ours, vector("i_reply_not_found"));
}

#[tokio::test]
async fn the_echo_meta_reply_matches_once_gos_json_escaping_is_decoded() {
    let ours = within(replay(Framing::Raw, &vector("h_call_echo_meta"))).await;
    let (ours, theirs) = (
        decode(Framing::Raw, &ours),
        decode(Framing::Raw, &vector("h_reply_echo_meta")),
    );
    assert_eq!(&ours.body[..], br#""hello meta & more=1""#);
    assert_eq!(&theirs.body[..], br#""hello meta \u0026 more=1""#);
    let text = |body: &[u8]| serde_json::from_slice::<String>(body).unwrap();
    assert_eq!(text(&ours.body), text(&theirs.body));
    assert_eq!(
        Message {
            body: theirs.body.clone(),
            ..ours
        },
        theirs,
        "equal but for the body's escaping"
    );
}

#[tokio::test]
async fn the_gzip_reply_carries_the_same_message_through_the_same_filter() {
    let ours = within(replay(Framing::Raw, &vector("e_call_math_add_gzip"))).await;
    let theirs = vector("e_reply_math_add_gzip");
    assert_eq!(&ours[4..6], &theirs[4..6], "one filter, gzip ('g')");
    let message = decode(Framing::Raw, &ours);
    assert_eq!(message, decode(Framing::Raw, &theirs));
    assert_eq!(
        (message.body_codec, &message.body[..]),
        (id::JSON, &b"6"[..])
    );
}

#[tokio::test]
async fn the_jsonproto_call_vector_is_answered_with_erpcs_exact_reply() {
    let ours = within(replay(Framing::Json, &vector("j_call_math_add_jsonproto"))).await;
    assert_eq!(ours, vector("j_reply_math_add_jsonproto"));
}

#[tokio::test]
async fn the_push_vectors_reach_their_handler() {
    within(async {
        for (framing, push) in [
            (Framing::Raw, "c_push_hello"),
            (Framing::Json, "j_push_hello_jsonproto"),
        ] {
            let (pushes, mut heard) = mpsc::unbounded_channel();
            let mut server = Server::start(framing, pushes).await;
            server.write(&vector(push)).await;
            assert_eq!(heard.recv().await.as_deref(), Some("hi"), "{push}");
            server
                .write(&vector(match framing {
                    Framing::Raw => "a_call_math_add_json",
                    Framing::Json => "j_call_math_add_jsonproto",
                }))
                .await;
            let reply = decode(framing, &server.read_frame().await);
            assert_eq!(
                &reply.body[..],
                b"6",
                "{push}: nothing was answered to the push"
            );
        }
    })
    .await;
}
