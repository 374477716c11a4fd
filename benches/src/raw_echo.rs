//! The raw baseline's server: plain tokio over TCP, [`raw_frame`](crate::raw_frame) frames,
//! prost for the payload, and nothing of telerpc.
//!
//! Each connection reads what is there, answers every whole request in it (prost decode,
//! [`BenchmarkMessage::reply_to`], prost encode), and writes all the replies with one write.

use std::future::Future;
use std::io;

use bytes::BytesMut;
use prost::Message as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::raw_frame;
use crate::BenchmarkMessage;

/// How much room a read buffer keeps free for the next read: 64 KiB.
pub const READ_CHUNK: usize = 64 * 1024;

/// Accepts connections on `listener` and answers them, each on a task of its own, until
/// `stop` resolves.
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>) -> io::Result<()> {
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = listener.accept() => {
                let (stream, _) = accepted?;
                tokio::spawn(answer_connection(stream));
            }
        }
    }
}

/// Answers the requests of one connection until the peer closes it; the error that ended it,
/// if one did, is dropped.
async fn answer_connection(stream: TcpStream) {
    if let Err(error) = answer(stream).await {
        tracing::warn!(%error, "raw echo: a connection failed");
    }
}

async fn answer(mut stream: TcpStream) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut input = BytesMut::with_capacity(READ_CHUNK);
    let mut output = BytesMut::with_capacity(READ_CHUNK);
    loop {
        if input.capacity() - input.len() < READ_CHUNK / 4 {
            input.reserve(READ_CHUNK);
        }
        if stream.read_buf(&mut input).await? == 0 {
            return Ok(());
        }
        while let Some((id, payload)) = raw_frame::decode(&mut input).map_err(io::Error::other)? {
            let request = BenchmarkMessage::decode(payload).map_err(io::Error::other)?;
            let reply = BenchmarkMessage::reply_to(&request);
            raw_frame::encode(id, &mut output, |out| {
                reply.encode(out).expect("a BytesMut grows to any message");
            });
        }
        stream.write_all_buf(&mut output).await?;
    }
}
