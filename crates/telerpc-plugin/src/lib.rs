//! The plugin tier of telerpc: code run at eRPC's hook points, and the standard plugins.
//!
//! This is tier 6, above the router and below the peer. The hook trait itself,
//! [`Plugin`], lives in the session tier, which calls the per-message hooks; the router calls
//! [`post_reg`](Plugin::post_reg) and its groups' hooks, the peer the connection hooks. A
//! plugin implements only the hooks it needs: the others are no-ops.
//!
//! Plugins attach to a peer (`PeerConfig::with_plugin`: every connection and message) or to a
//! router and its groups (`Router::plugin`, `Routes::plugin`: the messages of their handlers).
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_plugin::Plugin;
//! use telerpc_session::Session;
//! use telerpc_socket::{Message, Status};
//!
//! /// Refuses every CALL whose meta lacks `tenant`.
//! struct RequireTenant;
//!
//! impl Plugin for RequireTenant {
//!     fn name(&self) -> &str {
//!         "require-tenant"
//!     }
//!
//!     fn post_read_call_header(&self, _: &Session, call: &mut Message) -> Result<(), Status> {
//!         match call.meta.get("tenant") {
//!             Some(_) => Ok(()),
//!             None => Err(Status::new(403, "no tenant")),
//!         }
//!     }
//! }
//!
//! let router = telerpc_router::Router::new().plugin(Arc::new(RequireTenant));
//! # drop(router);
//! ```
//!
//! # Plugins
//!
//! | module | what |
//! |---|---|
//! | [`auth`] | eRPC's AUTH_CALL/AUTH_REPLY handshake right after connect: `Bearer` sends the dialer's credentials, `Checker` judges them on the acceptor (a refused dial fails with 105) |
//! | [`binder`] | handler arguments validated as they are decoded (`Valid<T>` with `validator`'s derive): an invalid one is answered 400 with a cause naming the fields |
//! | [`heartbeat`] | eRPC's ping/pong: PUSH `/heartbeat` with `hb_=<secs>` on sessions idle for the rate; a side that learned its peer's rate closes the session after hearing nothing for twice it |
//! | [`ignorecase`] | service methods matched whatever their (ASCII) case: routes and incoming paths lowercased, the query kept |
//! | [`metrics`] | per-handler call counts, status codes and latencies, push counts, open sessions, through the `metrics` facade |
//! | [`noop`] | a plugin that implements no hook: what the benchmark attaches to measure the cost of plugins |
//! | [`overloader`] | refuses connections over a maximum, and calls and pushes over a total rate and per-handler rates, with 429 Too Many Requests |
//! | [`proxy`] | forwards the calls and pushes a router has no route for to an upstream peer chosen per message, body and meta untouched, with `X-Real-IP` added; upstream failures are 502 |
//! | [`secure`] | encrypts and authenticates the bodies of `X-Secure` messages (and the replies `X-Accept-Secure` asks for) with ChaCha20-Poly1305; not wire-compatible with eRPC's AES-ECB secure plugin |
#![forbid(unsafe_code)]

pub use telerpc_session::{Plugin, Plugins, PreSession};

pub mod auth;
pub mod binder;
pub mod heartbeat;
pub mod ignorecase;
pub mod metrics;
pub mod noop;
pub mod overloader;
pub mod proxy;
pub mod secure;
