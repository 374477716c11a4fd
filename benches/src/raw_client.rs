//! The raw baseline's client: plain tokio, K connections shared by the callers.
//!
//! Each connection has one writer task, which drains its queue of encoded frames into one
//! buffer and writes it with one write (so it writes whenever the queue runs empty), and one
//! reader task, which parses every whole frame of each read and completes the callers waiting
//! in a pending map by request id. A caller encodes its request (prost) and frame itself, and
//! decodes the reply it is handed, as a framework's caller does.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use prost::Message as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use crate::harness::Caller;
use crate::pending::PendingCalls;
use crate::raw_echo::READ_CHUNK;
use crate::{raw_frame, BenchmarkMessage};

/// How many frames a connection's queue holds before callers wait: 1024, as a session's.
const QUEUE_FRAMES: usize = 1024;

/// The callers waiting for a reply on one connection, by request id.
type Pending = PendingCalls<u64, Bytes>;

/// One connection of the raw client: its queue to the writer task, its pending calls, its
/// last request id.
#[derive(Debug)]
pub struct RawConnection {
    queue: mpsc::Sender<Bytes>,
    pending: Arc<Pending>,
    last_id: AtomicU64,
}

impl RawConnection {
    /// Connects to `addr` and spawns the connection's writer and reader tasks; they end when
    /// the connection does, or when the last handle on it is dropped.
    pub async fn connect(addr: SocketAddr) -> io::Result<Arc<Self>> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        let (read, write) = stream.into_split();
        let (queue, frames) = mpsc::channel(QUEUE_FRAMES);
        let pending = Arc::new(Pending::default());
        tokio::spawn(write_frames(write, frames));
        tokio::spawn(read_replies(read, Arc::clone(&pending)));
        Ok(Arc::new(Self {
            queue,
            pending,
            last_id: AtomicU64::new(0),
        }))
    }
}

/// Writes the frames of `frames`: each time, all that are queued, in one write.
async fn write_frames(mut write: OwnedWriteHalf, mut frames: mpsc::Receiver<Bytes>) {
    let mut out = BytesMut::with_capacity(READ_CHUNK);
    while let Some(frame) = frames.recv().await {
        out.extend_from_slice(&frame);
        while let Ok(frame) = frames.try_recv() {
            out.extend_from_slice(&frame);
        }
        if let Err(error) = write.write_all_buf(&mut out).await {
            tracing::warn!(%error, "raw client: a write failed");
            return;
        }
    }
}

/// Reads reply frames until the connection ends, handing each payload to the caller waiting
/// for its id; then fails whoever still waits.
async fn read_replies(mut read: OwnedReadHalf, pending: Arc<Pending>) {
    let mut input = BytesMut::with_capacity(READ_CHUNK);
    loop {
        if input.capacity() - input.len() < READ_CHUNK / 4 {
            input.reserve(READ_CHUNK);
        }
        match read.read_buf(&mut input).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "raw client: a read failed");
                break;
            }
        }
        loop {
            match raw_frame::decode(&mut input) {
                Ok(Some((id, payload))) => pending.complete(id, payload),
                Ok(None) => break,
                Err(error) => {
                    tracing::warn!(%error, "raw client: an unreadable frame");
                    pending.fail_all();
                    return;
                }
            }
        }
    }
    pending.fail_all();
}

/// A caller of the raw echo, on one of the shared connections.
#[derive(Debug)]
pub struct RawCaller {
    connection: Arc<RawConnection>,
    request: BenchmarkMessage,
}

impl RawCaller {
    /// A caller making its calls on `connection`.
    pub fn new(connection: Arc<RawConnection>) -> Self {
        Self {
            connection,
            request: BenchmarkMessage::request(),
        }
    }
}

impl Caller for RawCaller {
    async fn call(&mut self) -> bool {
        let connection = &self.connection;
        let id = connection.last_id.fetch_add(1, Ordering::Relaxed) + 1;
        let mut frame = BytesMut::with_capacity(raw_frame::HEADER + self.request.encoded_len());
        raw_frame::encode(id, &mut frame, |out| {
            self.request
                .encode(out)
                .expect("a BytesMut grows to any message");
        });
        connection
            .pending
            .call(id, frame.freeze(), &connection.queue)
            .await
            .and_then(|payload| BenchmarkMessage::decode(payload).ok())
            .is_some_and(|reply| reply.field1 == "OK")
    }
}

/// `callers` raw callers over `connections` new connections to `addr`, caller `i` on
/// connection `i % connections`.
pub async fn callers(
    addr: SocketAddr,
    connections: usize,
    callers: usize,
) -> io::Result<Vec<RawCaller>> {
    let mut opened = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        opened.push(RawConnection::connect(addr).await?);
    }
    Ok((0..callers)
        .map(|i| RawCaller::new(Arc::clone(&opened[i % opened.len()])))
        .collect())
}
