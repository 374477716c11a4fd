//! The socket tier's client: what a user of `telerpc-socket` alone builds to share K
//! connections between callers, the same shape as the raw baseline's client.
//!
//! Each connection is split: one writer task feeds every queued frame into the
//! [`SocketWriter`] and flushes once when the queue runs empty; one reader task receives the
//! REPLYs with the [`SocketReader`] and completes the callers waiting in a pending map by seq.
//! A caller builds its CALL and encodes its frame with the socket's [`RawProto`] itself.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use telerpc_socket::{Message, RawProto, Socket, SocketConfig, SocketReader, SocketWriter};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::frames::{encode_call, is_ok_reply};
use crate::harness::Caller;
use crate::pending::PendingCalls;
use crate::BenchmarkMessage;

/// How many frames a connection's queue holds before callers wait: 1024, as a session's.
const QUEUE_FRAMES: usize = 1024;

/// The callers waiting for a reply on one connection, by seq.
type Pending = PendingCalls<i32, Message>;

/// One connection: its queue to the writer task, its pending calls, its last seq.
#[derive(Debug)]
pub struct SocketConnection {
    queue: mpsc::Sender<Bytes>,
    pending: Arc<Pending>,
    last_seq: AtomicI32,
}

impl SocketConnection {
    /// Connects to `addr` as a [`Socket`] with the default config and spawns its writer and
    /// reader tasks; they end when the connection does, or when the last handle is dropped.
    pub async fn connect(addr: SocketAddr) -> io::Result<Arc<Self>> {
        let socket = Socket::tcp(TcpStream::connect(addr).await?, SocketConfig::default())?;
        let (reader, writer) = socket.split();
        let (queue, frames) = mpsc::channel(QUEUE_FRAMES);
        let pending = Arc::new(Pending::default());
        tokio::spawn(write_frames(writer, frames));
        tokio::spawn(read_replies(reader, Arc::clone(&pending)));
        Ok(Arc::new(Self {
            queue,
            pending,
            last_seq: AtomicI32::new(0),
        }))
    }
}

/// Feeds every queued frame, then flushes them with one write.
async fn write_frames(mut writer: SocketWriter<OwnedWriteHalf>, mut frames: mpsc::Receiver<Bytes>) {
    while let Some(frame) = frames.recv().await {
        writer.feed_frame(&frame);
        while let Ok(frame) = frames.try_recv() {
            writer.feed_frame(&frame);
        }
        if let Err(error) = writer.flush().await {
            tracing::warn!(%error, "socket client: a write failed");
            return;
        }
    }
}

/// Receives REPLYs until the connection ends, handing each to the caller waiting for its seq;
/// then fails whoever still waits.
async fn read_replies(mut reader: SocketReader<OwnedReadHalf>, pending: Arc<Pending>) {
    loop {
        match reader.recv().await {
            Ok(Some(reply)) => pending.complete(reply.seq, reply),
            Ok(None) => break,
            Err(error) => {
                tracing::warn!(%error, "socket client: the connection failed");
                break;
            }
        }
    }
    pending.fail_all();
}

/// A caller of the socket tier, on one of the shared connections.
#[derive(Debug)]
pub struct SocketCaller {
    connection: Arc<SocketConnection>,
    request: BenchmarkMessage,
    proto: RawProto,
}

impl SocketCaller {
    /// A caller making its calls on `connection`.
    pub fn new(connection: Arc<SocketConnection>) -> Self {
        Self {
            connection,
            request: BenchmarkMessage::request(),
            proto: RawProto::default(),
        }
    }
}

impl Caller for SocketCaller {
    async fn call(&mut self) -> bool {
        let connection = &self.connection;
        let seq = connection
            .last_seq
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
        let mut frame = BytesMut::new();
        if encode_call(&self.proto, seq, &self.request, &mut frame).is_err() {
            return false;
        }
        connection
            .pending
            .call(seq, frame.freeze(), &connection.queue)
            .await
            .is_some_and(|reply| is_ok_reply(&reply))
    }
}

/// `callers` socket-tier callers over `connections` new connections to `addr`, caller `i` on
/// connection `i % connections`.
pub async fn callers(
    addr: SocketAddr,
    connections: usize,
    callers: usize,
) -> io::Result<Vec<SocketCaller>> {
    let mut opened = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        opened.push(SocketConnection::connect(addr).await?);
    }
    Ok((0..callers)
        .map(|i| SocketCaller::new(Arc::clone(&opened[i % opened.len()])))
        .collect())
}
