//! [`EventListener`]: the events of a session's life (getty's EventListener).

use telerpc_socket::{Message, Status};

use crate::{Session, SessionError};

/// Callbacks on the events of a session. Every method has a default that does nothing, so an
/// implementation overrides only what it needs.
///
/// They are called from the session's own tasks and must not block: hand long work to a task
/// of your own.
///
/// | event | when | called from |
/// |---|---|---|
/// | [`on_open`](Self::on_open) | once, before any message is read | the task calling [`start`](crate::SessionBuilder::start) |
/// | [`on_message`](Self::on_message) | every message read, before it is dispatched | the reader task |
/// | [`on_error`](Self::on_error) | each [`SessionError`] | the task that met it |
/// | [`on_cron`](Self::on_cron) | every period of the session's [`Cron`](crate::Cron) | the cron's task |
/// | [`on_close`](Self::on_close) | exactly once, when the session has ended | the task that ended it |
pub trait EventListener: Send + Sync + 'static {
    /// The session is about to start. `Err` refuses it: the session is closed without reading
    /// anything, [`on_close`](Self::on_close) still fires once, and
    /// [`start`](crate::SessionBuilder::start) returns the status.
    fn on_open(&self, session: &Session) -> Result<(), Status> {
        let _ = session;
        Ok(())
    }

    /// The session has ended ([`Health::Closed`](crate::Health::Closed)): every pending call
    /// has failed and the connection is closed. Fires exactly once per session, after
    /// [`on_open`](Self::on_open), even when `on_open` refused it.
    fn on_close(&self, session: &Session) {
        let _ = session;
    }

    /// Something went wrong; see [`SessionError`] for what the session did about it.
    fn on_error(&self, session: &Session, error: &SessionError) {
        let _ = (session, error);
    }

    /// A message was read, before it is dispatched (a REPLY to its call, a CALL or PUSH to the
    /// handler).
    fn on_message(&self, session: &Session, message: &Message) {
        let _ = (session, message);
    }

    /// The session's cron ticked; see [`Cron`](crate::Cron).
    fn on_cron(&self, session: &Session) {
        let _ = session;
    }
}
