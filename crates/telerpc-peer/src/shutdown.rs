//! Graceful shutdown: [`Peer::shutdown`] within a deadline, optionally on SIGINT or SIGTERM.

use std::future::Future;
use std::io;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::Peer;

/// How long [`Peer::shutdown`] waits, once it has cut the remaining connections off at its
/// deadline, for their sessions to end: 100 ms. A cut session ends as soon as one of its
/// tasks touches its connection, which is at once unless it is stuck elsewhere.
pub const CUT_OFF_GRACE: Duration = Duration::from_millis(100);

/// What a [`Peer::shutdown`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ShutdownReport {
    /// Whether everything finished before the deadline: every handler answered and every
    /// session closed gracefully, nothing was cut off.
    pub graceful: bool,
    /// The sessions live when the drain ended, all of which were closed.
    pub sessions: usize,
    /// The sessions still live at the deadline, whose connections were cut off.
    pub cut_off: usize,
    /// The sessions that had not ended [`CUT_OFF_GRACE`] after the cut; they end on their
    /// own.
    pub lingering: usize,
}

impl Peer {
    /// Shuts the peer down gracefully, within `timeout`, and resolves with what happened.
    ///
    /// 1. **Stop taking on work.** Every listener is closed; [`dial`](Self::dial),
    ///    [`serve_conn`](Self::serve_conn) and [`listen`](Self::listen) are refused; a
    ///    session still opening is refused; a CALL that reaches the handler from now on is
    ///    answered **102 Connection Closed** with the cause
    ///    [`SHUTTING_DOWN_CAUSE`](crate::SHUTTING_DOWN_CAUSE) without running it, and a
    ///    PUSH is dropped.
    /// 2. **Drain.** Handlers already running go on, and their replies are sent: sessions
    ///    stay open meanwhile, so a handler may still call back over its session. The
    ///    shutdown waits until none runs.
    /// 3. **Close.** Every session of the hub is closed as [`Session::close`] does: what is
    ///    queued is written, calls this peer made are waited for (within the session's
    ///    close grace), then the connection is shut down. The shutdown waits until the hub
    ///    is empty. (From here on, CALLs from the other ends are answered 102 by the
    ///    closing sessions themselves.)
    /// 4. **Cut off.** At the deadline, whatever remains is ended: handlers still running
    ///    are dropped (their CALLs answered 102 if the connection still carries it), every
    ///    connection's reads and writes fail, so every session ends; the shutdown waits up to
    ///    [`CUT_OFF_GRACE`] for them.
    ///
    /// So no reply of a handler that finishes before the deadline is lost, and the shutdown
    /// returns by the deadline (plus at most [`CUT_OFF_GRACE`] when something had to be cut
    /// off), even with a handler that never ends. Calling it again, or concurrently, runs the
    /// steps again: each finds nothing left to do.
    ///
    /// A handler of this peer is itself work in hand: awaiting the shutdown from inside one
    /// waits for the whole deadline. A handler that shuts its peer down should spawn it.
    ///
    /// [`Session::close`]: telerpc_session::Session::close
    pub async fn shutdown(&self, timeout: Duration) -> ShutdownReport {
        let deadline = Instant::now() + timeout;
        let core = self.core();
        let lifecycle = core.lifecycle();
        if lifecycle.begin_drain() {
            tracing::info!(?timeout, "shutting down");
        }
        self.stop_listening().await;

        let drained = tokio::time::timeout_at(deadline, lifecycle.drained())
            .await
            .is_ok();
        let sessions = core.hub().snapshot();
        let live = sessions.len();
        // Dropping these waiters at the end does not stop a close: it goes on by itself.
        let mut closing = JoinSet::new();
        for session in sessions {
            closing.spawn(async move { session.close().await });
        }
        let closed = tokio::time::timeout_at(deadline, core.hub().emptied())
            .await
            .is_ok();

        let cut_off = core.hub().count();
        lifecycle.cutoff().cut_all();
        let lingering = if cut_off == 0 {
            0
        } else {
            tracing::warn!(sessions = cut_off, "shutdown deadline passed: cutting off");
            let _ = tokio::time::timeout(CUT_OFF_GRACE, core.hub().emptied()).await;
            core.hub().count()
        };
        let report = ShutdownReport {
            graceful: drained && closed,
            sessions: live,
            cut_off,
            lingering,
        };
        tracing::info!(?report, "shut down");
        report
    }

    /// Registers for SIGINT and SIGTERM now (on other platforms, Ctrl-C), and returns a
    /// future that, once one arrives, [`shutdown`](Self::shutdown)s the peer within
    /// `timeout` and resolves with the report. Spawn it, or await it last in `main`.
    ///
    /// From the registration on, these signals no longer end the process by themselves (as
    /// with any tokio signal handler): the future must run for them to have an effect. It
    /// holds a handle of the peer until a signal arrives. Fails if the handlers cannot be
    /// registered (outside a tokio runtime, for example).
    ///
    /// ```no_run
    /// # async fn f(peer: telerpc_peer::Peer) -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let report = peer.shutdown_on_signals(Duration::from_secs(10))?.await;
    /// assert!(report.graceful || report.cut_off > 0);
    /// # Ok(())
    /// # }
    /// ```
    pub fn shutdown_on_signals(
        &self,
        timeout: Duration,
    ) -> io::Result<impl Future<Output = ShutdownReport> + Send + 'static> {
        let signaled = signaled()?;
        let peer = self.clone();
        Ok(async move {
            let signal = signaled.await;
            tracing::info!(signal, "signal received");
            peer.shutdown(timeout).await
        })
    }
}

/// Registers for SIGINT and SIGTERM and resolves with the name of the first to arrive.
#[cfg(unix)]
fn signaled() -> io::Result<impl Future<Output = &'static str> + Send + 'static> {
    use tokio::signal::unix::{signal, SignalKind};

    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => "SIGINT",
            _ = terminate.recv() => "SIGTERM",
        }
    })
}

/// Resolves on Ctrl-C.
#[cfg(not(unix))]
fn signaled() -> io::Result<impl Future<Output = &'static str> + Send + 'static> {
    Ok(async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C; shutting down");
        }
        "Ctrl-C"
    })
}
