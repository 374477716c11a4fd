//! Spec §6 over a real connection to a live peer: every input a real eRPC v6 peer answers by
//! closing the connection is answered the same way here (the client reads the end of the
//! stream and no reply), and every input eRPC answers with a status gets that status.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use telerpc::peer::NetAddr;
use telerpc::{code, CallCtx, Peer, PeerConfig, Router, Status};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Every step must finish within this.
const DEADLINE: Duration = Duration::from_secs(10);

/// The frame limit of the peer under test.
const FRAME_LIMIT: usize = 1024;

async fn within<F: Future>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the test hung")
}

async fn panics(_ctx: CallCtx, (): ()) -> Result<(), Status> {
    panic!("the handler failed");
}

/// A peer serving `/math/add` and `/panics` on 127.0.0.1, and its address.
async fn peer() -> (Peer, String) {
    let router = Router::new()
        .call("/math/add", |_ctx: CallCtx, numbers: Vec<i64>| async move {
            Ok::<_, Status>(numbers.iter().sum::<i64>())
        })
        .call("/panics", panics);
    let peer = Peer::new(
        PeerConfig::default()
            .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
            .with_frame_limit(FRAME_LIMIT)
            .with_handler(Arc::new(router)),
    );
    let address = within(peer.listen()).await.unwrap()[0].address().to_owned();
    (peer, address)
}

/// A rawproto frame around `payload` with the xfer pipe `pipe`.
fn frame(pipe: &[u8], payload: &[u8]) -> Vec<u8> {
    let size = (4 + 1 + pipe.len() + payload.len()) as u32;
    [&size.to_be_bytes()[..], &[pipe.len() as u8], pipe, payload].concat()
}

/// A payload: seq 1, `mtype`, `method`, status `code=0`, no meta, JSON codec, `body`.
fn payload(mtype: u8, method: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = vec![1, b'1', mtype, method.len() as u8];
    out.extend_from_slice(method);
    out.extend_from_slice(&6u16.to_be_bytes());
    out.extend_from_slice(b"code=0");
    out.extend_from_slice(&0u16.to_be_bytes());
    out.push(b'j');
    out.extend_from_slice(body);
    out
}

/// Writes `bytes` to the peer and returns everything it sends back until it closes.
async fn exchange(address: &str, bytes: &[u8]) -> Vec<u8> {
    let mut stream = within(TcpStream::connect(address)).await.unwrap();
    within(stream.write_all(bytes)).await.unwrap();
    let mut answer = Vec::new();
    within(stream.read_to_end(&mut answer))
        .await
        .expect("the peer closes the connection");
    answer
}

#[tokio::test]
async fn inputs_that_erpc_answers_by_closing_are_closed_without_a_reply() {
    let (peer, address) = peer().await;
    let call = payload(1, b"/math/add", b"[1,2]");
    let mut over_limit = frame(b"", &call);
    over_limit[..4].copy_from_slice(&(FRAME_LIMIT as u32 + 1).to_be_bytes());
    let mut bad_xfer_count = frame(b"", &call);
    bad_xfer_count[4] = 200;
    let truncated_header = frame(b"", &call[..5]);
    let rows: [(&str, Vec<u8>); 7] = [
        ("size over the read limit", over_limit),
        ("size below 4", vec![0, 0, 0, 3, 0, 0, 0]),
        ("xfer count past the frame", bad_xfer_count),
        ("unknown filter id", frame(b"Q", &call)),
        ("truncated header", truncated_header),
        (
            "unknown message type",
            frame(b"", &payload(9, b"/math/add", b"[1]")),
        ),
        (
            "AUTH_CALL after the handshake",
            frame(b"", &payload(4, b"", b"")),
        ),
    ];
    for (row, bytes) in rows {
        assert_eq!(
            exchange(&address, &bytes).await,
            b"",
            "{row}: no reply, closed"
        );
    }
    peer.shutdown(Duration::from_secs(1)).await;
}

/// The status of the REPLY the peer sends to `call_payload`, and whether it kept the connection.
async fn status_of(address: &str, call_payload: &[u8]) -> (i32, bool) {
    let mut stream = within(TcpStream::connect(address)).await.unwrap();
    within(stream.write_all(&frame(b"", call_payload)))
        .await
        .unwrap();
    let reply = read_frame(&mut stream).await;
    let proto = telerpc::socket::RawProto::default();
    let mut buffer = bytes::BytesMut::from(&reply[..]);
    let message = telerpc::socket::Proto::decode(&proto, &mut buffer, FRAME_LIMIT)
        .unwrap()
        .unwrap();
    let code = message.status.map_or(code::OK, |status| status.code());
    within(stream.write_all(&frame(b"", &payload(1, b"/math/add", b"[2,3]"))))
        .await
        .unwrap();
    let kept = !read_frame(&mut stream).await.is_empty();
    (code, kept)
}

async fn read_frame(stream: &mut TcpStream) -> Vec<u8> {
    let mut size = [0; 4];
    if within(stream.read_exact(&mut size)).await.is_err() {
        return Vec::new();
    }
    let mut rest = vec![0; u32::from_be_bytes(size) as usize - 4];
    within(stream.read_exact(&mut rest)).await.unwrap();
    [&size[..], &rest].concat()
}

#[tokio::test]
async fn inputs_that_erpc_answers_with_a_status_get_it_and_keep_the_connection() {
    let (peer, address) = peer().await;
    let rows: [(&str, Vec<u8>, i32); 4] = [
        (
            "undecodable body",
            payload(1, b"/math/add", b"[1,"),
            code::BAD_MESSAGE,
        ),
        (
            "empty service method",
            payload(1, b"", b"[1]"),
            code::BAD_MESSAGE,
        ),
        (
            "unknown service method",
            payload(1, b"/math/nope", b"[1]"),
            code::NOT_FOUND,
        ),
        (
            "handler panic",
            payload(1, b"/panics", b""),
            code::INTERNAL_SERVER_ERROR,
        ),
    ];
    for (row, call, expected) in rows {
        assert_eq!(status_of(&address, &call).await, (expected, true), "{row}");
    }
    peer.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn calls_on_a_closed_session_get_102_and_a_failed_dial_105() {
    let (peer, address) = peer().await;
    let client = Peer::new(PeerConfig::default());
    let session = within(client.dial(NetAddr::tcp(address.clone())))
        .await
        .unwrap();
    within(session.close()).await;
    let closed = session.call::<i64, _>("/math/add", &[1]).await.unwrap_err();
    assert_eq!(closed.code(), code::CONN_CLOSED);
    peer.shutdown(Duration::from_secs(1)).await;

    let refused = within(client.dial(NetAddr::tcp(address)))
        .await
        .unwrap_err();
    assert_eq!(refused.code(), code::DIAL_FAILED);
}
