//! [`Cutoff`]: the signal that cuts every connection of a peer off at its shutdown deadline,
//! and [`CutOffIo`], the stream half that obeys it.
//!
//! A session ends when its connection fails, whatever it was waiting for: a handler that
//! never ends, a reply that never comes, a peer that stops reading. Every connection a peer
//! serves has both halves wrapped in [`CutOffIo`], so that at the deadline reads and writes
//! fail, and every session still running ends at once.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// Cuts a peer's connections off, once and for good.
#[derive(Debug, Default)]
pub(crate) struct Cutoff {
    /// Set before the token is cancelled: the cheap check of every read and write.
    cut: AtomicBool,
    /// Wakes the reads and writes waiting on their stream, and whoever awaits
    /// [`cut`](Self::cut).
    token: CancellationToken,
}

impl Cutoff {
    /// Cuts every connection off: reads and writes fail from now on.
    pub(crate) fn cut_all(&self) {
        self.cut.store(true, Ordering::Release);
        self.token.cancel();
    }

    /// Whether the connections are cut off.
    pub(crate) fn is_cut(&self) -> bool {
        self.cut.load(Ordering::Acquire)
    }

    /// Resolves once the connections are cut off.
    pub(crate) fn cut(&self) -> WaitForCancellationFutureOwned {
        self.token.clone().cancelled_owned()
    }

    /// `io` wrapped so that its reads and writes fail once the connections are cut off.
    pub(crate) fn guard<T>(self: &Arc<Self>, io: T) -> CutOffIo<T> {
        CutOffIo {
            io,
            cutoff: Arc::clone(self),
            cut: Box::pin(self.cut()),
        }
    }
}

/// A stream half whose reads and writes fail with `ConnectionAborted` once its [`Cutoff`]
/// cuts. Each operation checks a flag first; the cutoff's wake-up is registered only when the
/// stream itself has nothing to do (it returned `Pending`), so the busy path costs one load.
pub(crate) struct CutOffIo<T> {
    io: T,
    cutoff: Arc<Cutoff>,
    cut: Pin<Box<WaitForCancellationFutureOwned>>,
}

impl<T> CutOffIo<T> {
    /// Runs `op` on the stream unless the cut has come; when `op` would wait, registers for
    /// the cut too, so that a cut wakes the waiting task and fails the operation.
    fn guarded<R>(
        &mut self,
        cx: &mut Context<'_>,
        op: impl FnOnce(&mut T, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if self.cutoff.is_cut() {
            return Poll::Ready(Err(cut_off_error()));
        }
        match op(&mut self.io, cx) {
            Poll::Pending if self.cut.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Err(cut_off_error()))
            }
            outcome => outcome,
        }
    }
}

/// The error of a read or write after the cut.
fn cut_off_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "the connection was cut off at the peer's shutdown deadline",
    )
}

impl<T: AsyncRead + Unpin> AsyncRead for CutOffIo<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        self.get_mut()
            .guarded(cx, |io, cx| Pin::new(io).poll_read(cx, buf))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for CutOffIo<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .guarded(cx, |io, cx| Pin::new(io).poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .guarded(cx, |io, cx| Pin::new(io).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .guarded(cx, |io, cx| Pin::new(io).poll_flush(cx))
    }

    /// Shuts the stream down even after the cut, so that the other end reads its end.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn a_waiting_read_fails_at_the_cut() {
        let cutoff = Arc::new(Cutoff::default());
        let (a, mut b) = tokio::io::duplex(64);
        let mut guarded = cutoff.guard(a);
        b.write_all(b"hi").await.unwrap();
        let mut buf = [0; 2];
        guarded.read_exact(&mut buf).await.unwrap();
        assert_eq!(&buf, b"hi");

        let reading = tokio::spawn(async move {
            let mut buf = [0; 1];
            guarded.read(&mut buf).await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!reading.is_finished());
        cutoff.cut_all();
        let error = reading.await.unwrap().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::ConnectionAborted);
    }

    #[tokio::test]
    async fn ready_data_and_writes_fail_after_the_cut() {
        let cutoff = Arc::new(Cutoff::default());
        let (a, mut b) = tokio::io::duplex(64);
        let mut guarded = cutoff.guard(a);
        b.write_all(b"unread").await.unwrap();
        cutoff.cut_all();
        assert!(guarded.read(&mut [0; 8]).await.is_err());
        assert!(guarded.write_all(b"x").await.is_err());
        assert!(cutoff
            .guard(tokio::io::empty())
            .read(&mut [0; 1])
            .await
            .is_err());
    }
}
