//! The reader task: reads one connection and dispatches what arrives.

use std::sync::Arc;

use telerpc_socket::SocketReader;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::time::Instant;

use crate::dispatch::dispatch;
use crate::execution::Executor;
use crate::link::Link;
use crate::replies::Replies;
use crate::shared::Shared;
use crate::writer::SharedWriter;
use crate::SessionError;

/// Reads `link`'s connection until it ends, dispatching every message in order.
///
/// The REPLYs of handlers that finish at once wait in a [`Replies`] batch until no whole frame
/// is left buffered (or the batch is full), then go to the writer together: one read that
/// brought a burst of CALLs is answered with one write.
///
/// The end of the stream, a read error, an unreadable frame or a message not allowed on an
/// open connection ends the link ([`Shared::link_lost`]); the writer then shuts the connection
/// down. The task is also aborted from outside when the link ends for another reason.
pub(crate) async fn run<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(
    shared: Arc<Shared>,
    link: Arc<Link>,
    mut reader: SocketReader<R>,
    writer: SharedWriter<W>,
    executor: Executor,
) {
    let mut counted = 0;
    // When the last read brought bytes: the arrival time of every frame it completed.
    let mut arrived = Instant::now();
    let mut replies = Replies::default();
    loop {
        let received = match reader.recv_buffered() {
            Ok(None) => {
                replies.send(&shared, &link, &writer).await;
                reader.recv().await
            }
            buffered => buffered,
        };
        let bytes = reader.bytes_read() - counted;
        counted = reader.bytes_read();
        if bytes > 0 {
            arrived = Instant::now();
        }
        let lost = match received {
            Ok(Some(message)) => {
                shared.counters.received(bytes, 1, arrived);
                let dispatched =
                    dispatch(&shared, &link, &executor, message, arrived, &mut replies).await;
                if replies.is_full() {
                    replies.send(&shared, &link, &writer).await;
                }
                match dispatched {
                    Ok(()) => continue,
                    Err(error) => Some(error),
                }
            }
            Ok(None) => {
                shared.counters.received(bytes, 0, Instant::now());
                None
            }
            Err(error) => Some(SessionError::Read(error)),
        };
        shared.link_lost(&link, lost);
        return;
    }
}

#[cfg(test)]
mod tests {
    use telerpc_socket::Socket;

    use super::*;
    use crate::SessionConfig;

    /// The reader task lives as long as its connection, idle or not: handlers and rare paths
    /// run boxed or on their own tasks, so its state stays small (1.5 KiB when measured).
    #[test]
    fn an_idle_reader_task_holds_little_state() {
        let (io, _peer) = tokio::io::duplex(64);
        let (reader, writer) = Socket::new(io).split();
        let info = Arc::clone(reader.info());
        let config = SessionConfig::default();
        let shared = Arc::new(Shared::new(Arc::clone(&info), config, None, None, false));
        let task = run(
            shared,
            Arc::new(Link::new(1, info)),
            reader,
            Arc::new(tokio::sync::Mutex::new(writer)),
            Executor::Inline,
        );
        let size = std::mem::size_of_val(&task);
        assert!(size <= 2048, "the reader task's state is {size} bytes");
    }
}
