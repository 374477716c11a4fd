//! [`SessionHub`]: every live session of a peer, by id.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use dashmap::DashMap;
use telerpc_session::Session;
use tokio::sync::Notify;

use crate::handle::PeerHandle;

/// Every live session of a peer, accepted, dialed or served, found by id.
///
/// - **Membership.** A session joins when it opens (after the peer's and the user's
///   [`on_open`](telerpc_session::EventListener::on_open) accept it) and leaves when it ends
///   ([`on_close`](telerpc_session::EventListener::on_close)). A dialed session that is
///   redialing is live, so it stays. [`count`](Self::count) and [`range`](Self::range) are
///   exact: members are kept by a key of the hub's own, so two sessions sharing an id (two
///   dials to one address share the server's address as id) are both members.
/// - **Ids.** [`get`](Self::get) finds a session by its current
///   [`id`](Session::id) through an index kept in a `DashMap`. When several live sessions
///   share an id, it finds the one indexed last (the newest), then, once that one has left,
///   another.
/// - **Renaming.** [`set_id`](Self::set_id) renames a session and re-keys the index at once.
///   A session renamed directly with [`Session::set_id`] is re-keyed on lookup: its old id
///   no longer finds it (the stale entry is dropped when looked up) and its new id finds it
///   through a scan of the members, after which it is indexed again. A lookup that the index
///   does not answer therefore costs a scan; rename through the hub to keep lookups O(1).
///
/// ```no_run
/// # async fn f(peer: telerpc_peer::Peer) {
/// let hub = peer.hub();
/// if let Some(session) = hub.get("alice") {
///     let _ = session.push("/chat/say", "hi").await;
/// }
/// let mut ids = Vec::new();
/// hub.range(|session| {
///     ids.push(session.id());
///     true // keep going
/// });
/// assert_eq!(ids.len(), hub.count());
/// # }
/// ```
#[derive(Clone, Default)]
pub struct SessionHub {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The members, by the key each got when it joined.
    members: DashMap<u64, Session>,
    /// The key of the session indexed under each id.
    ids: DashMap<Arc<str>, u64>,
    next_key: AtomicU64,
    /// Woken when the last member leaves.
    emptied: Notify,
}

impl SessionHub {
    /// The live session whose id is `id`, if any (see the type's notes on shared ids and
    /// renaming).
    pub fn get(&self, id: &str) -> Option<Session> {
        let indexed = self.inner.ids.get(id).map(|key| *key);
        if let Some(key) = indexed {
            let member = self.inner.members.get(&key).map(|session| session.clone());
            match member {
                Some(session) if &*session.id() == id => return Some(session),
                // The session left, or was renamed directly: drop the stale entry.
                _ => {
                    self.inner.ids.remove_if(id, |_, indexed| *indexed == key);
                }
            }
        }
        let (key, session) = self.scan(id)?;
        self.inner.ids.insert(session.id(), key);
        Some(session)
    }

    /// Calls `visit` with every live session until it returns `false`.
    ///
    /// It walks a snapshot taken when called, so `visit` may use the hub (and the sessions)
    /// freely: a session that joins meanwhile is not visited, one that leaves meanwhile may
    /// still be (as an ended session).
    pub fn range(&self, mut visit: impl FnMut(&Session) -> bool) {
        for session in self.snapshot() {
            if !visit(&session) {
                break;
            }
        }
    }

    /// The number of live sessions.
    pub fn count(&self) -> usize {
        self.inner.members.len()
    }

    /// Renames `session` ([`Session::set_id`]) and indexes it under its new id at once.
    /// A session that is not a member is renamed all the same.
    pub fn set_id(&self, session: &Session, id: impl Into<Arc<str>>) {
        let id = id.into();
        let old = session.id();
        session.set_id(Arc::clone(&id));
        let Some(key) = PeerHandle::key_of(session) else {
            return;
        };
        if self.inner.members.contains_key(&key) {
            self.inner
                .ids
                .remove_if(&*old, |_, indexed| *indexed == key);
            self.inner.ids.insert(id, key);
        }
    }

    /// A key for a session about to join.
    pub(crate) fn next_key(&self) -> u64 {
        self.inner.next_key.fetch_add(1, Ordering::Relaxed)
    }

    /// Makes `session` a member under `key`, indexed under its id.
    pub(crate) fn join(&self, key: u64, session: &Session) {
        self.inner.members.insert(key, session.clone());
        self.inner.ids.insert(session.id(), key);
    }

    /// Removes the member under `key`, which was `session`, and its index entry.
    pub(crate) fn leave(&self, key: u64, session: &Session) {
        if self.inner.members.remove(&key).is_none() {
            return;
        }
        self.inner
            .ids
            .remove_if(&*session.id(), |_, indexed| *indexed == key);
        if self.inner.members.is_empty() {
            self.inner.emptied.notify_waiters();
        }
    }

    /// Every member now.
    pub(crate) fn snapshot(&self) -> Vec<Session> {
        self.inner
            .members
            .iter()
            .map(|member| member.value().clone())
            .collect()
    }

    /// Resolves once the hub has no member.
    pub(crate) async fn emptied(&self) {
        loop {
            let notified = self.inner.emptied.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.inner.members.is_empty() {
                return;
            }
            notified.await;
        }
    }

    /// A member whose id is `id`, with its key, by walking every member.
    fn scan(&self, id: &str) -> Option<(u64, Session)> {
        self.inner.members.iter().find_map(|member| {
            (&*member.value().id() == id).then(|| (*member.key(), member.value().clone()))
        })
    }
}

impl fmt::Debug for SessionHub {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionHub")
            .field("count", &self.count())
            .finish_non_exhaustive()
    }
}
