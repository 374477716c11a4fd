//! [`Link`]: one connection attached to a session, the part a reconnect replaces.

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::Poll;

use telerpc_socket::SocketInfo;
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinHandle};

/// Where a connection is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkState {
    /// Reading and writing.
    Up,
    /// Closing gracefully: the writer writes what is queued, then shuts the stream down.
    Finish,
    /// Gone: the writer drops what is queued and shuts down, the reader task, the ordered
    /// worker and every handler running for this connection are dropped.
    Abort,
}

/// One connection attached to a session: its info (addresses), its state, and the tasks that
/// serve it (reader, writer, ordered worker).
///
/// The session's queue, pending calls, seq counter, id and attributes live in the session, not
/// here, so a reconnect replaces only the link.
#[derive(Debug)]
pub(crate) struct Link {
    /// A process-unique number naming this connection; REPLY frames carry it so that another
    /// connection's writer drops them.
    pub(crate) serial: u64,
    /// The socket's info, for its addresses.
    pub(crate) info: Arc<SocketInfo>,
    state: watch::Sender<LinkState>,
    tasks: Mutex<Tasks>,
}

#[derive(Debug, Default)]
struct Tasks {
    reader: Option<AbortHandle>,
    worker: Option<AbortHandle>,
    writer: Option<JoinHandle<()>>,
}

impl Link {
    /// A live link over the socket described by `info`.
    pub(crate) fn new(serial: u64, info: Arc<SocketInfo>) -> Self {
        Self {
            serial,
            info,
            state: watch::Sender::new(LinkState::Up),
            tasks: Mutex::default(),
        }
    }

    /// Hands over the tasks serving the link. If the link was aborted before they were handed
    /// over, they are aborted at once.
    pub(crate) fn set_tasks(
        &self,
        reader: AbortHandle,
        worker: Option<AbortHandle>,
        writer: JoinHandle<()>,
    ) {
        let mut tasks = self.tasks();
        if *self.state.borrow() == LinkState::Abort {
            reader.abort();
            if let Some(worker) = &worker {
                worker.abort();
            }
        }
        *tasks = Tasks {
            reader: Some(reader),
            worker,
            writer: Some(writer),
        };
    }

    /// A receiver of the link's state, for the writer.
    pub(crate) fn subscribe(&self) -> watch::Receiver<LinkState> {
        self.state.subscribe()
    }

    /// Asks the writer to write what is queued and shut the stream down; no effect once the
    /// link is aborted.
    pub(crate) fn finish(&self) {
        self.state.send_if_modified(|state| {
            let up = *state == LinkState::Up;
            if up {
                *state = LinkState::Finish;
            }
            up
        });
    }

    /// Ends the link now: the writer drops what is queued and shuts down; the reader, the
    /// ordered worker and the link's handlers are dropped.
    pub(crate) fn abort(&self) {
        self.state.send_replace(LinkState::Abort);
        let tasks = self.tasks();
        for task in [&tasks.reader, &tasks.worker].into_iter().flatten() {
            task.abort();
        }
    }

    /// The low 32 bits of the serial, never zero: what queued REPLYs carry to name their
    /// connection. Two links of one session share a tag only 2^32 links apart.
    pub(crate) fn tag(&self) -> NonZeroU32 {
        NonZeroU32::new(self.serial as u32).unwrap_or(NonZeroU32::MIN)
    }

    /// Whether the link is still up: neither finishing nor aborted.
    pub(crate) fn is_up(&self) -> bool {
        *self.state.borrow() == LinkState::Up
    }

    /// Resolves at once with the link's state if it is no longer [`LinkState::Up`]; otherwise
    /// stays pending without registering to be woken (pair it with a waiting future).
    pub(crate) fn ended(&self) -> impl Future<Output = LinkState> + '_ {
        std::future::poll_fn(|_| match *self.state.borrow() {
            LinkState::Up => Poll::Pending,
            state => Poll::Ready(state),
        })
    }

    /// Resolves when the link is aborted (or dropped).
    pub(crate) fn aborted(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut state = self.state.subscribe();
        async move {
            let _ = state.wait_for(|state| *state == LinkState::Abort).await;
        }
    }

    /// Resolves when the writer task has ended; at once if another caller already waited.
    pub(crate) async fn writer_done(&self) {
        let writer = self.tasks().writer.take();
        if let Some(writer) = writer {
            if let Err(error) = writer.await {
                tracing::debug!(%error, "the writer task did not end cleanly");
            }
        }
    }

    fn tasks(&self) -> MutexGuard<'_, Tasks> {
        self.tasks.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
