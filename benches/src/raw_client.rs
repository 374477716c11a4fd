//! The raw echo's client: plain tokio, K connections shared by the callers.
//!
//! Each connection has one writer task, which drains its queue of encoded frames into one
//! write (it writes when the queue is empty), and one reader task, which cuts REPLY frames with
//! [`RawProto`] and completes the callers waiting in a pending map by seq. A caller encodes its
//! CALL frame itself ([`encode_call`]), as a session's caller does.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::{Bytes, BytesMut};
use telerpc_socket::{Message, Proto, RawProto, TcpOptions, DEFAULT_FRAME_LIMIT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};

use crate::frames::{encode_call, is_ok_reply};
use crate::harness::{Caller, CALL_TIMEOUT};
use crate::raw_echo::READ_CHUNK;
use crate::BenchmarkMessage;

/// How many frames a connection's queue holds before callers wait: 1024, as a session's.
const QUEUE_FRAMES: usize = 1024;

/// The callers waiting for a reply on one connection, by seq.
type Pending = Mutex<HashMap<i32, oneshot::Sender<Message>>>;

/// One connection of the raw client: its queue to the writer task, its pending calls, its
/// last seq.
#[derive(Debug)]
pub struct RawConnection {
    queue: mpsc::Sender<Bytes>,
    pending: Arc<Pending>,
    seq: AtomicI32,
}

impl RawConnection {
    /// Connects to `addr` and spawns the connection's writer and reader tasks; they end when
    /// the connection does, or when the last handle on it is dropped.
    pub async fn connect(addr: SocketAddr) -> io::Result<Arc<Self>> {
        let stream = TcpStream::connect(addr).await?;
        TcpOptions::default().apply(&stream)?;
        let (read, write) = stream.into_split();
        let (queue, frames) = mpsc::channel(QUEUE_FRAMES);
        let pending = Arc::new(Pending::default());
        tokio::spawn(write_frames(write, frames));
        tokio::spawn(read_replies(read, Arc::clone(&pending)));
        Ok(Arc::new(Self {
            queue,
            pending,
            seq: AtomicI32::new(0),
        }))
    }
}

/// The pending map, even if a caller panicked while holding it.
fn lock(pending: &Pending) -> MutexGuard<'_, HashMap<i32, oneshot::Sender<Message>>> {
    pending.lock().unwrap_or_else(PoisonError::into_inner)
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
            eprintln!("raw client: a write failed: {error}");
            return;
        }
    }
}

/// Reads REPLY frames until the connection ends, handing each to the caller waiting for its
/// seq; then fails whoever still waits.
async fn read_replies(mut read: OwnedReadHalf, pending: Arc<Pending>) {
    let proto = RawProto::default();
    let mut input = BytesMut::with_capacity(READ_CHUNK);
    loop {
        if input.capacity() - input.len() < READ_CHUNK / 4 {
            input.reserve(READ_CHUNK);
        }
        match read.read_buf(&mut input).await {
            Ok(0) => break,
            Ok(_) => {}
            Err(error) => {
                eprintln!("raw client: a read failed: {error}");
                break;
            }
        }
        loop {
            match proto.decode(&mut input, DEFAULT_FRAME_LIMIT) {
                Ok(Some(reply)) => {
                    let waiting = lock(&pending).remove(&reply.seq);
                    if let Some(waiting) = waiting {
                        // A caller that timed out has gone: its reply is dropped.
                        let _ = waiting.send(reply);
                    }
                }
                Ok(None) => break,
                Err(error) => {
                    eprintln!("raw client: an unreadable frame: {error}");
                    lock(&pending).clear();
                    return;
                }
            }
        }
    }
    lock(&pending).clear();
}

/// A caller of the raw echo, on one of the shared connections.
#[derive(Debug)]
pub struct RawCaller {
    connection: Arc<RawConnection>,
    request: BenchmarkMessage,
    proto: RawProto,
}

impl RawCaller {
    /// A caller making its calls on `connection`.
    pub fn new(connection: Arc<RawConnection>) -> Self {
        Self {
            connection,
            request: BenchmarkMessage::request(),
            proto: RawProto::default(),
        }
    }
}

impl Caller for RawCaller {
    async fn call(&mut self) -> bool {
        let connection = &self.connection;
        let seq = connection
            .seq
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
        let mut frame = BytesMut::new();
        if encode_call(&self.proto, seq, &self.request, CALL_TIMEOUT, &mut frame).is_err() {
            return false;
        }
        let (done, reply) = oneshot::channel();
        lock(&connection.pending).insert(seq, done);
        if connection.queue.send(frame.freeze()).await.is_err() {
            lock(&connection.pending).remove(&seq);
            return false;
        }
        match tokio::time::timeout(CALL_TIMEOUT, reply).await {
            Ok(Ok(reply)) => is_ok_reply(&reply),
            Ok(Err(_)) => false,
            Err(_) => {
                lock(&connection.pending).remove(&seq);
                false
            }
        }
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
