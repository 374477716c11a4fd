//! [`PendingCalls`]: the callers of one connection waiting for their replies, by request id,
//! as the hand-built clients of the raw baseline and of the socket tier keep them.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use crate::harness::CALL_TIMEOUT;

/// The callers waiting on one connection: one map behind one lock, a oneshot channel each.
#[derive(Debug)]
pub struct PendingCalls<K, V> {
    calls: Mutex<HashMap<K, oneshot::Sender<V>>>,
}

impl<K, V> Default for PendingCalls<K, V> {
    fn default() -> Self {
        Self {
            calls: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Hash + Eq + Copy, V> PendingCalls<K, V> {
    /// Registers the call `id`, queues its `frame` for the writer task, and waits up to
    /// [`CALL_TIMEOUT`] for its reply; `None` if the connection ended or the time ran out.
    pub async fn call(&self, id: K, frame: Bytes, queue: &mpsc::Sender<Bytes>) -> Option<V> {
        let (done, reply) = oneshot::channel();
        self.lock().insert(id, done);
        if queue.send(frame).await.is_err() {
            self.lock().remove(&id);
            return None;
        }
        match tokio::time::timeout(CALL_TIMEOUT, reply).await {
            Ok(reply) => reply.ok(),
            Err(_) => {
                self.lock().remove(&id);
                None
            }
        }
    }

    /// Hands `reply` to the caller waiting for `id`; a caller that timed out has gone, and its
    /// reply is dropped.
    pub fn complete(&self, id: K, reply: V) {
        let waiting = self.lock().remove(&id);
        if let Some(waiting) = waiting {
            let _ = waiting.send(reply);
        }
    }

    /// Fails every waiting caller: the connection has ended.
    pub fn fail_all(&self) {
        self.lock().clear();
    }

    /// The map, even if a caller panicked while holding it.
    fn lock(&self) -> MutexGuard<'_, HashMap<K, oneshot::Sender<V>>> {
        self.calls.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
