//! The socket tier alone: a server task per connection answering CALLs over a [`TcpSocket`]
//! (the system "socket" of the side-by-side comparison, and the baseline of the idle-session
//! measurement), and a client socket making one call at a time.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use telerpc_socket::{Socket, SocketConfig, TcpSocket};
use tokio::net::{TcpListener, TcpStream};

use crate::frames::{self, is_ok_reply};
use crate::harness::CALL_TIMEOUT;
use crate::BenchmarkMessage;

/// What a socket server has done: connections accepted, CALLs answered.
#[derive(Debug, Default)]
pub struct Counts {
    accepted: AtomicU64,
    answered: AtomicU64,
}

impl Counts {
    /// Connections accepted and framed as sockets.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// CALLs answered (counted as each reply is sent).
    pub fn answered(&self) -> u64 {
        self.answered.load(Ordering::Relaxed)
    }
}

/// Accepts connections on `listener` until `stop` resolves; each becomes a [`TcpSocket`] with
/// `config` on a task of its own, which answers its CALLs until the peer closes it.
pub async fn serve(
    listener: TcpListener,
    config: SocketConfig,
    counts: Arc<Counts>,
    stop: impl Future<Output = ()>,
) -> io::Result<()> {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                tokio::spawn(answer(stream, config.clone(), Arc::clone(&counts)));
            }
        }
    }
}

/// Answers the CALLs of one connection as a user of the socket tier alone would: every CALL
/// already buffered is answered before the replies are flushed together, so one read that
/// brought a burst of CALLs is answered with one write.
async fn answer(stream: TcpStream, config: SocketConfig, counts: Arc<Counts>) {
    let Ok(socket) = Socket::tcp(stream, config) else {
        return;
    };
    counts.accepted.fetch_add(1, Ordering::Relaxed);
    let (mut reader, mut writer) = socket.split();
    while let Ok(Some(call)) = reader.recv().await {
        let mut next = Some(call);
        while let Some(call) = next {
            if writer.feed(&frames::reply(&call)).is_err() {
                return;
            }
            counts.answered.fetch_add(1, Ordering::Relaxed);
            next = match reader.recv_buffered() {
                Ok(next) => next,
                Err(_) => return,
            };
        }
        if writer.flush().await.is_err() {
            return;
        }
    }
}

/// A socket connected to `addr` with `config`.
pub async fn connect(addr: SocketAddr, config: SocketConfig) -> io::Result<TcpSocket> {
    Socket::tcp(TcpStream::connect(addr).await?, config)
}

/// Makes one benchmark call on `socket`, the only one in flight on it; `true` if it was
/// answered OK within [`CALL_TIMEOUT`].
pub async fn call_once(socket: &mut TcpSocket, request: &BenchmarkMessage) -> bool {
    let exchange = async {
        socket.send(&frames::call(1, request)).await?;
        socket.recv().await
    };
    match tokio::time::timeout(CALL_TIMEOUT, exchange).await {
        Ok(Ok(Some(reply))) => is_ok_reply(&reply),
        _ => false,
    }
}
