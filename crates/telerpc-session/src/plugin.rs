//! [`Plugin`]: eRPC's hook points, and [`Plugins`], the ordered list a session calls them on.

use std::fmt;
use std::sync::Arc;

use telerpc_socket::{Message, Status};

use crate::{BoxFuture, PreSession, Session};

/// Code run at eRPC's hook points: around every message a session writes and reads, around a
/// connection's start and end, and (through the tiers above) after a route is registered and
/// after a listener starts.
///
/// Every method has a default that does nothing, so a plugin implements only the hooks it
/// needs; a hook returning an error refuses what it saw, with eRPC's semantics:
///
/// | hook | called | an error |
/// |---|---|---|
/// | [`post_reg`](Self::post_reg) | by the router, for each route registered | the route cannot be registered: the router panics, as for any route it cannot register |
/// | [`post_listen`](Self::post_listen) | by the peer, once a listener is bound | fails the listen |
/// | [`post_dial`](Self::post_dial) | by the peer, on a dialed (or redialed) connection before its session starts | closes it; the dial fails with 105 |
/// | [`post_accept`](Self::post_accept) | by the peer, on an accepted connection before its session starts | closes it (the dialer, whose dial has succeeded, sees its calls fail with 102) |
/// | [`post_open`](Self::post_open) | once a session has started, before it reads | the session is refused, as by [`on_open`](crate::EventListener::on_open) |
/// | [`pre_write_call`](Self::pre_write_call) | before a CALL is encoded | the call fails with it, nothing is sent |
/// | [`post_write_call`](Self::post_write_call) | once the CALL is queued for the writer | the call fails with it |
/// | [`pre_write_push`](Self::pre_write_push) | before a PUSH is encoded | the push fails with it, nothing is sent |
/// | [`post_write_push`](Self::post_write_push) | once the PUSH is queued | the push fails with it |
/// | [`pre_write_reply`](Self::pre_write_reply) | before a REPLY is encoded | the REPLY carries that status instead |
/// | [`post_write_reply`](Self::post_write_reply) | once the REPLY is encoded for the writer (for a router's or group's plugin: once the router has the reply, before the session encodes it) | logged |
/// | [`post_read_call_header`](Self::post_read_call_header), [`post_read_call_body`](Self::post_read_call_body) | when a CALL arrives, before its handler | answered with it; the handler is not called |
/// | [`post_read_push_header`](Self::post_read_push_header), [`post_read_push_body`](Self::post_read_push_body) | when a PUSH arrives, before its handler | the push is dropped (logged) |
/// | [`post_read_reply_header`](Self::post_read_reply_header), [`post_read_reply_body`](Self::post_read_reply_body) | when a REPLY arrives, before its call sees it | the call fails with it |
/// | [`post_disconnect`](Self::post_disconnect) | once a session has ended, on every plugin, even one whose [`post_open`](Self::post_open) refused it (as [`on_close`](crate::EventListener::on_close) follows a refused `on_open`) | – |
///
/// A frame is read whole, so the header hook and the body hook of a message run one after the
/// other; the header hook is where the service method and meta are judged (and may be
/// rewritten), the body hook where the body is (decrypted, say). Per-message hooks are
/// synchronous and run on the task that writes or reads the message: keep them cheap.
/// Connection hooks are async: an authentication may exchange messages with the other side
/// through the [`PreSession`] before the session exists.
///
/// Plugins attach to a peer (every message of its sessions, through
/// [`SessionConfig::with_plugin`](crate::SessionConfig::with_plugin)) and to the router and
/// its groups (the messages of their handlers only). At each hook they run in the order they
/// were added; reading goes from the outside in (the peer's, then the router's, then the
/// group's), writing a REPLY from the inside out (the group's, then the router's, then the
/// peer's). The first error stops the rest. A REPLY carries no service method (spec §2): a
/// plugin that needs it in its reply hooks matches the REPLY to its CALL by seq.
pub trait Plugin: Send + Sync + 'static {
    /// The plugin's name, for logs.
    fn name(&self) -> &str;

    /// After a route for `service_method` is registered; may rename it (the router then
    /// serves it under the new name).
    fn post_reg(&self, service_method: &mut String) -> Result<(), Status> {
        let _ = service_method;
        Ok(())
    }

    /// After the peer starts listening on `addr`.
    fn post_listen(&self, addr: &str) -> Result<(), Status> {
        let _ = addr;
        Ok(())
    }

    /// After a connection is dialed (or redialed), before its session starts.
    fn post_dial<'a>(&'a self, conn: &'a mut PreSession<'_>) -> BoxFuture<'a, Result<(), Status>> {
        let _ = conn;
        Box::pin(std::future::ready(Ok(())))
    }

    /// After a connection is accepted, before its session starts.
    fn post_accept<'a>(
        &'a self,
        conn: &'a mut PreSession<'_>,
    ) -> BoxFuture<'a, Result<(), Status>> {
        let _ = conn;
        Box::pin(std::future::ready(Ok(())))
    }

    /// Once a session has started on a connection (after the listener's
    /// [`on_open`](crate::EventListener::on_open)), before any message is read: the place to
    /// keep a handle on it (a heartbeat does).
    fn post_open(&self, session: &Session) -> Result<(), Status> {
        let _ = session;
        Ok(())
    }

    /// Before a CALL is encoded, once it has its seq (which a plugin can match its REPLY by):
    /// its service method, meta and encoded body may change.
    fn pre_write_call(&self, session: &Session, call: &mut Message) -> Result<(), Status> {
        let _ = (session, call);
        Ok(())
    }

    /// Once a CALL is queued for the writer.
    fn post_write_call(&self, session: &Session, call: &Message) -> Result<(), Status> {
        let _ = (session, call);
        Ok(())
    }

    /// Before a PUSH is encoded.
    fn pre_write_push(&self, session: &Session, push: &mut Message) -> Result<(), Status> {
        let _ = (session, push);
        Ok(())
    }

    /// Once a PUSH is queued for the writer.
    fn post_write_push(&self, session: &Session, push: &Message) -> Result<(), Status> {
        let _ = (session, push);
        Ok(())
    }

    /// Before a REPLY is encoded: its status, meta and encoded body may change.
    fn pre_write_reply(&self, session: &Session, reply: &mut Message) -> Result<(), Status> {
        let _ = (session, reply);
        Ok(())
    }

    /// Once a REPLY is encoded for the writer.
    fn post_write_reply(&self, session: &Session, reply: &Message) -> Result<(), Status> {
        let _ = (session, reply);
        Ok(())
    }

    /// When a CALL arrives: its service method and meta.
    fn post_read_call_header(&self, session: &Session, call: &mut Message) -> Result<(), Status> {
        let _ = (session, call);
        Ok(())
    }

    /// When a CALL arrives, after its header hooks: its body.
    fn post_read_call_body(&self, session: &Session, call: &mut Message) -> Result<(), Status> {
        let _ = (session, call);
        Ok(())
    }

    /// When a PUSH arrives: its service method and meta.
    fn post_read_push_header(&self, session: &Session, push: &mut Message) -> Result<(), Status> {
        let _ = (session, push);
        Ok(())
    }

    /// When a PUSH arrives, after its header hooks: its body.
    fn post_read_push_body(&self, session: &Session, push: &mut Message) -> Result<(), Status> {
        let _ = (session, push);
        Ok(())
    }

    /// When a REPLY arrives: its status and meta.
    fn post_read_reply_header(&self, session: &Session, reply: &mut Message) -> Result<(), Status> {
        let _ = (session, reply);
        Ok(())
    }

    /// When a REPLY arrives, after its header hooks: its body.
    fn post_read_reply_body(&self, session: &Session, reply: &mut Message) -> Result<(), Status> {
        let _ = (session, reply);
        Ok(())
    }

    /// Once a session has ended.
    fn post_disconnect(&self, session: &Session) {
        let _ = session;
    }
}

/// An ordered list of plugins, cheap to clone; an empty list costs one length check per hook.
#[derive(Clone, Default)]
pub struct Plugins(Arc<[Arc<dyn Plugin>]>);

impl Plugins {
    /// No plugins.
    pub fn new() -> Self {
        Self::default()
    }

    /// This list with `plugin` added last.
    pub fn with(&self, plugin: Arc<dyn Plugin>) -> Self {
        Self(self.0.iter().cloned().chain([plugin]).collect())
    }

    /// This list followed by `inner`'s.
    pub fn then(&self, inner: &Plugins) -> Self {
        Self(self.0.iter().chain(inner.0.iter()).cloned().collect())
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The plugins, in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<dyn Plugin>> {
        self.0.iter()
    }

    /// Runs `hook` on each plugin in order, stopping at the first error.
    pub fn each(
        &self,
        mut hook: impl FnMut(&dyn Plugin) -> Result<(), Status>,
    ) -> Result<(), Status> {
        self.0.iter().try_for_each(|plugin| hook(plugin.as_ref()))
    }

    /// [`Plugin::post_dial`] of each plugin in order, stopping at the first error.
    pub async fn post_dial(&self, conn: &mut PreSession<'_>) -> Result<(), Status> {
        for plugin in self.0.iter() {
            plugin.post_dial(conn).await?;
        }
        Ok(())
    }

    /// [`Plugin::post_accept`] of each plugin in order, stopping at the first error.
    pub async fn post_accept(&self, conn: &mut PreSession<'_>) -> Result<(), Status> {
        for plugin in self.0.iter() {
            plugin.post_accept(conn).await?;
        }
        Ok(())
    }
}

impl fmt::Debug for Plugins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|plugin| plugin.name()))
            .finish()
    }
}
