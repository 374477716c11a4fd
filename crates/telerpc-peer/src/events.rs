//! [`PeerEvents`]: the event listener every session of a peer gets, which keeps the hub and
//! the peer handle and passes each event on to the user's listener.

use std::sync::{Arc, Weak};

use telerpc_session::{EventListener, Session, SessionError};
use telerpc_socket::{Message, MessageType, Status};

use crate::handle::{PeerHandle, PEER_ATTRIBUTE};
use crate::hub::SessionHub;
use crate::lifecycle::Lifecycle;
use crate::logging::{log_reply, LogConfig};
use crate::peer::PeerInner;
use crate::statuses;

/// The peer's listener of every session's events.
///
/// | event | what it does, then |
/// |---|---|
/// | `on_open` | stores the [`PeerHandle`] in the session's attributes; asks the user's listener; admits the session to the hub unless the peer is shutting down (then refuses it with 102) |
/// | `on_close` | removes the session from the hub; tells the user's listener |
/// | `on_message` | with details on, logs a REPLY; tells the user's listener |
/// | `on_error`, `on_cron` | tell the user's listener |
///
/// The user's `on_close` fires for every session whose `on_open` it heard, as the session
/// tier promises, including one the peer then refused.
pub(crate) struct PeerEvents {
    peer: Weak<PeerInner>,
    hub: SessionHub,
    lifecycle: Arc<Lifecycle>,
    user: Option<Arc<dyn EventListener>>,
    logging: LogConfig,
}

impl PeerEvents {
    pub(crate) fn new(
        peer: Weak<PeerInner>,
        hub: SessionHub,
        lifecycle: Arc<Lifecycle>,
        user: Option<Arc<dyn EventListener>>,
        logging: LogConfig,
    ) -> Self {
        Self {
            peer,
            hub,
            lifecycle,
            user,
            logging,
        }
    }
}

impl EventListener for PeerEvents {
    fn on_open(&self, session: &Session) -> Result<(), Status> {
        let key = self.hub.next_key();
        session.attributes().insert(
            PEER_ATTRIBUTE,
            PeerHandle::new(Weak::clone(&self.peer), key),
        );
        if let Some(user) = &self.user {
            user.on_open(session)?;
        }
        // Admission counts as work, so that a shutdown that has begun either refuses the
        // session here or finds it in the hub once its drain is over.
        let Some(_admitting) = self.lifecycle.enter() else {
            return Err(statuses::shutting_down());
        };
        self.hub.join(key, session);
        tracing::debug!(id = %session.id(), peer = %session.peer_addr(), "session joined the hub");
        Ok(())
    }

    fn on_close(&self, session: &Session) {
        if let Some(key) = PeerHandle::key_of(session) {
            self.hub.leave(key, session);
        }
        if let Some(user) = &self.user {
            user.on_close(session);
        }
    }

    fn on_error(&self, session: &Session, error: &SessionError) {
        if let Some(user) = &self.user {
            user.on_error(session, error);
        }
    }

    fn on_message(&self, session: &Session, message: &Message) {
        if message.mtype == MessageType::Reply {
            log_reply(&self.logging, session, message);
        }
        if let Some(user) = &self.user {
            user.on_message(session, message);
        }
    }

    fn on_cron(&self, session: &Session) {
        if let Some(user) = &self.user {
            user.on_cron(session);
        }
    }
}
