//! The outbound queue: encoded frames on their way to the writer task, and [`QueuePolicy`].

use std::future::Future;
use std::num::NonZeroU32;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use telerpc_socket::{Message, ProtoError, SocketConfig, Status};
use tokio::sync::mpsc::{self, error::TrySendError};
use tokio::sync::{Mutex, OwnedMutexGuard};
use tokio::time::Instant;

use crate::statuses;

/// What a call or push does when the session's outbound queue is full.
///
/// Replies the session sends for its handlers always wait: a reply is never dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum QueuePolicy {
    /// Wait for room: backpressure to the caller, bounded by the call's deadline (then 408)
    /// and by the session's end (then 102).
    #[default]
    Wait,
    /// Fail at once with status 104 Write Failed, its cause saying the queue is full.
    FailFast,
}

/// Frames for the writer: one CALL or PUSH, or the REPLYs a reader answered one burst with.
#[derive(Debug)]
pub(crate) struct Outbound {
    /// The encoded frames, one after the other.
    pub(crate) frames: Bytes,
    /// How many frames `frames` holds.
    pub(crate) count: u32,
    /// For REPLYs, the [`tag`](crate::link::Link::tag) of the connection whose CALLs they
    /// answer: the writer of another connection drops them. `None` for CALLs and PUSHes, which
    /// any connection may carry. (Kept to 32 bits so that the queue's slots stay 40 bytes.)
    pub(crate) link: Option<NonZeroU32>,
}

/// Encodes `message` into one frame with the protocol and frame limit of `socket`. A frame
/// over the limit, or one the protocol refuses, is an error whose
/// [`write_status`](ProtoError::write_status) is the 104 to answer with.
pub(crate) fn encode_frame(socket: &SocketConfig, message: &Message) -> Result<Bytes, ProtoError> {
    let mut frame = BytesMut::new();
    socket
        .proto()
        .encode(message, socket.frame_limit(), &mut frame)?;
    Ok(frame.freeze())
}

/// A session's bounded queue of outbound frames, feeding one writer task at a time.
///
/// The receiving end outlives any one connection: each connection's writer task holds it
/// while it runs, so frames queued while the session reconnects go out on the next one.
#[derive(Debug)]
pub(crate) struct Queue {
    sender: mpsc::Sender<Outbound>,
    receiver: Arc<Mutex<mpsc::Receiver<Outbound>>>,
}

impl Queue {
    /// A queue of `capacity` frames (at least 1).
    pub(crate) fn new(capacity: usize) -> Self {
        let (sender, receiver) = mpsc::channel(capacity.max(1));
        Self {
            sender,
            receiver: Arc::new(Mutex::new(receiver)),
        }
    }

    /// Queues `frame`. When the queue is full: with [`QueuePolicy::FailFast`], 104 at once;
    /// with [`QueuePolicy::Wait`], waits for room until `deadline` (then 408, reporting
    /// `timeout` as the wait) or until the future `ended` makes resolves (then 102).
    pub(crate) async fn send<F: Future>(
        &self,
        frame: Outbound,
        policy: QueuePolicy,
        deadline: Option<(Instant, std::time::Duration)>,
        ended: impl FnOnce() -> F,
    ) -> Result<(), Status> {
        let frame = match self.sender.try_send(frame) {
            Ok(()) => return Ok(()),
            Err(TrySendError::Closed(_)) => return Err(statuses::session_closed()),
            Err(TrySendError::Full(frame)) => frame,
        };
        if policy == QueuePolicy::FailFast {
            return Err(statuses::queue_full(self.sender.max_capacity()));
        }
        let expired = async {
            match deadline {
                Some((deadline, timeout)) => {
                    tokio::time::sleep_until(deadline).await;
                    timeout
                }
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            sent = self.sender.send(frame) => sent.map_err(|_| statuses::session_closed()),
            timeout = expired => Err(statuses::queue_wait_timed_out(timeout)),
            _ = ended() => Err(statuses::session_closed()),
        }
    }

    /// The frames waiting for the writer.
    pub(crate) fn len(&self) -> usize {
        self.sender.max_capacity() - self.sender.capacity()
    }

    /// Waits until no other writer holds the receiving end, and holds it.
    pub(crate) async fn take_receiver(&self) -> OwnedMutexGuard<mpsc::Receiver<Outbound>> {
        Arc::clone(&self.receiver).lock_owned().await
    }

    /// Once the session has ended: refuses every later frame and frees those queued, unless a
    /// writer still holds the receiving end (it does the same when it lets go).
    pub(crate) fn close_if_free(&self) {
        if let Ok(mut receiver) = self.receiver.try_lock() {
            close_receiver(&mut receiver);
        }
    }
}

/// Refuses every later frame and frees those queued.
pub(crate) fn close_receiver(receiver: &mut mpsc::Receiver<Outbound>) {
    receiver.close();
    while receiver.try_recv().is_ok() {}
}
