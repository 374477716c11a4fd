//! The peer tier of telerpc: one [`Peer`] type for both roles (eRPC's peer), which listens on
//! any number of addresses, dials others, serves connections handed to it, keeps every
//! session in a hub, broadcasts, speaks TLS, logs messages and shuts down gracefully.
//!
//! This is tier 7 without the facade: above the session tier (`telerpc-session`, whose
//! [`Session`](telerpc_session::Session), [`Handler`](telerpc_session::Handler) and endpoints
//! it builds on), beside the router, which it does not depend on: a peer routes its sessions
//! to any `Arc<dyn Handler>` (the facade passes an `Arc<Router>`). Peers are equal: the
//! sessions a peer dials are routed to its handler exactly like those it accepts, so either
//! end calls the other.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_peer::{NetAddr, Peer, PeerConfig};
//! use telerpc_session::{BoxFuture, Handler, Reply, Request};
//! use telerpc_socket::Status;
//!
//! /// Sums a list of integers, whatever the method.
//! struct Sum;
//!
//! impl Handler for Sum {
//!     fn call(&self, request: Request) -> BoxFuture<'static, Reply> {
//!         Box::pin(async move {
//!             let numbers: Vec<i64> = match request.body_as() {
//!                 Ok(numbers) => numbers,
//!                 Err(status) => return status.into(),
//!             };
//!             let codecs = request.session().config().codecs();
//!             Reply::encode(codecs, request.message().body_codec, &numbers.iter().sum::<i64>())
//!                 .unwrap_or_else(|error| Status::new(500, error.to_string()).into())
//!         })
//!     }
//!
//!     fn push(&self, _request: Request) -> BoxFuture<'static, ()> {
//!         Box::pin(async {})
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = Peer::new(
//!     PeerConfig::default()
//!         .with_listen_addr(NetAddr::tcp4("127.0.0.1:0"))
//!         .with_handler(Arc::new(Sum)),
//! );
//! let addrs = server.listen().await?; // port 0: the real port is reported
//!
//! let client = Peer::new(PeerConfig::default());
//! let session = client.dial(addrs[0].clone()).await?;
//! let sum: i64 = session.call("/math/add", &[1, 2, 3]).await?;
//! assert_eq!(sum, 6);
//!
//! client.shutdown(std::time::Duration::from_secs(1)).await;
//! assert!(server.shutdown(std::time::Duration::from_secs(1)).await.graceful);
//! # Ok(())
//! # }
//! ```
//!
//! # Crate map
//!
//! | item | file | what it is |
//! |---|---|---|
//! | [`Peer`] | `peer.rs` | the peer: [`listen`](Peer::listen), [`dial`](Peer::dial), [`serve_conn`](Peer::serve_conn), [`serve_stream`](Peer::serve_stream), [`hub`](Peer::hub), [`connections`](Peer::connections) |
//! | [`PeerConfig`] | `config.rs` | listen addresses, codec, protocol, timeouts, frame limit, redial, connection limit, execution, logging, TLS, handler, listener |
//! | [`NetAddr`], [`Network`] | `net_addr.rs` | an address on `tcp`, `tcp4`, `tcp6` or `unix` |
//! | [`SessionHub`] | `hub.rs` | every live session by id: [`get`](SessionHub::get), [`range`](SessionHub::range), [`count`](SessionHub::count), [`set_id`](SessionHub::set_id) |
//! | [`Broadcast`], [`BroadcastReport`] | `broadcast.rs` | one PUSH to every session, or those a filter selects, concurrently |
//! | [`PeerHandle`], [`peer_of`], [`PEER_ATTRIBUTE`] | `handle.rs` | the way from a session back to its peer |
//! | [`acceptor_from_pem`], [`connector_from_pem`], [`load_cert_chain`], [`load_private_key`], [`load_root_store`], [`TlsError`] | `tls.rs` | TLS with rustls' `ring` provider, from PEM files |
//! | [`Peer::shutdown`], [`Peer::shutdown_on_signals`], [`ShutdownReport`] | `shutdown.rs` | graceful shutdown within a deadline |
//! | [`LogConfig`], [`LOG_TARGET`] | `logging.rs` | message details, cost, slow messages at WARN, through `tracing` |
//! | [`PeerError`], [`SHUTTING_DOWN_CAUSE`] | `error.rs`, `statuses.rs` | why `listen` failed; the cause of the shutting-down status |
//! | (internal) | `core.rs`, `listen.rs`, `transport.rs`, `events.rs`, `gate.rs`, `lifecycle.rs`, `cutoff.rs` | what sessions are made of; accept loops; TLS and socket setup; hub upkeep; the shutdown's gate, drain count and cutoff |
//!
//! # Semantics in brief
//!
//! - **One handler for every session.** The configured handler is wrapped, innermost first,
//!   by the logging (cost, details, slow WARN) and by the shutdown gate; sessions without
//!   a configured handler answer CALLs 404.
//! - **The hub** holds a session from its `on_open` to its `on_close`; each session holds a
//!   weak [`PeerHandle`] under [`PEER_ATTRIBUTE`].
//! - **Limits.** [`max_connections`](PeerConfig::max_connections) counts accepted and served
//!   connections across every listen address, not dialed ones.
//! - **TLS** applies to every accepted and served connection when an acceptor is set, to
//!   every dialed one when a connector is set.
//! - **Shutdown** stops taking on work (new CALLs get 102 with [`SHUTTING_DOWN_CAUSE`]),
//!   drains the handlers, closes every session, and cuts off what remains at the deadline.
#![forbid(unsafe_code)]

mod broadcast;
mod config;
mod core;
mod cutoff;
mod error;
mod events;
mod gate;
mod handle;
mod hub;
mod lifecycle;
mod listen;
mod logging;
mod net_addr;
mod peer;
mod shutdown;
mod statuses;
mod tls;
mod transport;

pub use broadcast::{Broadcast, BroadcastReport};
pub use config::{PeerConfig, DEFAULT_HANDSHAKE_TIMEOUT};
pub use error::PeerError;
pub use handle::{peer_of, PeerHandle, PEER_ATTRIBUTE};
pub use hub::SessionHub;
pub use logging::{LogConfig, DEFAULT_SLOW_THRESHOLD, DETAIL_BODY_LIMIT, LOG_TARGET};
pub use net_addr::{NetAddr, Network};
pub use peer::Peer;
pub use shutdown::{ShutdownReport, CUT_OFF_GRACE};
pub use statuses::SHUTTING_DOWN_CAUSE;
pub use tls::{
    acceptor_from_pem, connector_from_pem, crypto_provider, load_cert_chain, load_private_key,
    load_root_store, TlsError,
};
pub use {rustls, tokio_rustls};
