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
#![forbid(unsafe_code)]

pub use telerpc_session::{Plugin, Plugins, PreSession};
