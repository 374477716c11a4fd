//! The raw echo server: plain tokio over TCP, rawproto frames cut with the socket tier's
//! sans-I/O [`RawProto`], prost for the body, and nothing of the session tier.
//!
//! Each connection reads what is there, answers every complete CALL frame in it with the
//! benchmark REPLY ([`encode_reply`]), and writes all the replies with one write.

use std::future::Future;
use std::io;

use bytes::BytesMut;
use telerpc_socket::{Proto, RawProto, TcpOptions, DEFAULT_FRAME_LIMIT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::frames::encode_reply;

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

/// Answers the CALLs of one connection until the peer closes it; the error that ended it, if
/// one did, is dropped.
async fn answer_connection(stream: TcpStream) {
    if let Err(error) = answer(stream).await {
        eprintln!("raw echo: a connection failed: {error}");
    }
}

async fn answer(mut stream: TcpStream) -> io::Result<()> {
    TcpOptions::default().apply(&stream)?;
    let proto = RawProto::default();
    let mut input = BytesMut::with_capacity(READ_CHUNK);
    let mut output = BytesMut::with_capacity(READ_CHUNK);
    loop {
        if input.capacity() - input.len() < READ_CHUNK / 4 {
            input.reserve(READ_CHUNK);
        }
        if stream.read_buf(&mut input).await? == 0 {
            return Ok(());
        }
        while let Some(call) = proto
            .decode(&mut input, DEFAULT_FRAME_LIMIT)
            .map_err(io::Error::other)?
        {
            encode_reply(&proto, &call, &mut output).map_err(io::Error::other)?;
        }
        stream.write_all_buf(&mut output).await?;
    }
}
