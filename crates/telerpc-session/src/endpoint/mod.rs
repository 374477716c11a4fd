//! Endpoints: listening for and dialing connections, and redialing lost ones.
//!
//! Peers are equal: either end may listen or dial, and once connected both run the same
//! [`Session`](crate::Session). This module is how connections come to be.
//!
//! - [`Acceptor`] → [`Server`]: a session per accepted connection, all with one config,
//!   handler and event listener; a limit on live sessions; shutdown.
//! - [`Dialer`]: dials a [`Target`] and starts a session, optionally redialing a lost
//!   connection as a [`RedialPolicy`] says; [`dial_with`](Dialer::dial_with) dials over a
//!   transport of one's own (TLS, say), any [`Connection`].
//! - The parts they are made of, usable alone: [`Target`] (a TCP `host:port` or a Unix socket
//!   path), [`Listener`] and [`AcceptLoop`] (accepting until shut down, backing off on
//!   [temporary](is_temporary) errors, refusing connections over a limit that a
//!   [`ConnectionCounter`] may share among loops), [`connect`] (a
//!   [`Stream`] within a dial timeout; failures are [`DialError`]s, 105 Dial Failed for the
//!   user), and [`Backoff`].

mod accept;
mod backoff;
mod connect;
mod connection;
mod dial;
mod listener;
mod redial;
mod redialer;
mod server;
mod stream;
mod target;

pub use accept::{is_temporary, Accept, AcceptLoop, ConnectionCounter, ConnectionSlot};
pub use backoff::{Backoff, Delays, Jitter};
pub use connect::{connect, DialError};
pub use connection::Connection;
pub use dial::Dialer;
pub use listener::Listener;
pub use redial::{RedialAttempts, RedialPolicy};
pub use server::{Acceptor, Server};
pub use stream::Stream;
pub use target::Target;
