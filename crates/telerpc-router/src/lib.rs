//! The router tier of telerpc: service methods to typed async handlers.
//!
//! This is tier 5, above the session (`telerpc-session`: one connection, calls and pushes both
//! ways) and below the peer. A [`Router`] maps each inbound CALL and PUSH to a handler by its
//! service method. Handlers are plain async fns or closures over typed arguments and results:
//! the router decodes the argument with whichever codec the message carries and encodes the
//! result with the reply codec, so one handler serves JSON and protobuf callers alike. The
//! router implements the session's [`Handler`](telerpc_session::Handler): a session (or a
//! peer) takes it as `Arc<Router>`.
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_router::{CallCtx, PushCtx, Router};
//! use telerpc_session::Session;
//! use telerpc_socket::{Socket, Status};
//!
//! async fn add(_ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
//!     Ok(numbers.iter().sum())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Status> {
//! let (said, mut heard) = tokio::sync::mpsc::unbounded_channel();
//! let router = Router::new()
//!     .call("/math/add", add)
//!     .push("/chat/say", move |_ctx: PushCtx, text: String| {
//!         let said = said.clone();
//!         async move { said.send(text).map_err(|_| Status::new(500, "nobody listens")) }
//!     })
//!     .group("/v1", |g| g.call("/add", add));
//!
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let client = Session::builder().start(Socket::new(a)).await?;
//! let _server = Session::builder().handler(Arc::new(router)).start(Socket::new(b)).await?;
//!
//! assert_eq!(client.call::<i64, _>("/math/add", &[1, 2, 3]).await?, 6);
//! assert_eq!(client.call::<i64, _>("/v1/add?verbose=1", &[4, 5]).await?, 9);
//! client.push("/chat/say", "hi").await?;
//! assert_eq!(heard.recv().await.as_deref(), Some("hi"));
//! let unknown = client.call::<i64, _>("/math/nope", &[1]).await.unwrap_err();
//! assert_eq!(unknown.code(), 404);
//! # Ok(())
//! # }
//! ```
//!
//! # Crate map
//!
//! | item | what it is |
//! |---|---|
//! | [`Router`] | the table of routes, built once with chained calls; the session's handler |
//! | [`Routes`] | a group being registered: prefix, middleware, routes; what a [`Service`] registers into |
//! | [`CallHandler`], [`PushHandler`] | what answers a CALL and handles a PUSH: async fns and closures over typed bodies |
//! | [`CallCtx`], [`PushCtx`], [`MessageCtx`] | what a handler knows: session, seq, path, query, meta, peer, deadline; the reply's meta and codec |
//! | [`Middleware`], [`Next`], [`PushNext`] | code around the handlers of a router or a group |
//! | [`Service`] | a controller that registers its own routes: the target of the controller macro |
//! | [`NameStyle`], [`go_name`] | eRPC's service method names for controllers, HTTP (`/math/add`) or RPC (`Math.Add`) style |
//! | [`Extensions`] | a typed slot per type on a session, for the tiers above |
//! | [`REAL_IP_META_KEY`], [`ACCEPT_BODY_CODEC_META_KEY`] | the well-known meta keys the router reads |
//!
//! # Semantics in brief
//!
//! - **Routing** is on the service method up to its first `?`; the rest is the query. Lookups
//!   take a `&str` in a hash map built as routes are registered; handlers are type-erased once,
//!   at registration.
//! - **Bodies**: the argument is decoded with the codec the message names; the result is
//!   encoded with the reply codec: the handler's choice, else the CALL's
//!   `X-Accept-Body-Codec` when known, else the CALL's codec (spec §2).
//! - **Bad input** is answered as eRPC does (spec §6): an undecodable body or unknown codec is
//!   400 Bad Message with the decode error as the cause; an unknown call is 404 (eRPC's exact
//!   bytes); an unknown push is dropped; a panicking handler is 500 and the connection goes on;
//!   a handler's `Err(status)` is that status with codec 0 and no body.
//! - **Middleware** of the router wraps everything, a group's wraps its routes; the first added
//!   is the outermost.
#![forbid(unsafe_code)]

mod call_ctx;
mod call_handler;
mod context;
mod dispatch;
mod error;
mod extensions;
mod meta_keys;
mod middleware;
mod naming;
mod next;
mod push_ctx;
mod push_handler;
mod route;
mod router;
mod routes;
mod service;
mod statuses;

pub use call_ctx::CallCtx;
pub use call_handler::CallHandler;
pub use context::MessageCtx;
pub use extensions::Extensions;
pub use meta_keys::{ACCEPT_BODY_CODEC_META_KEY, REAL_IP_META_KEY};
pub use middleware::Middleware;
pub use naming::{go_name, NameStyle};
pub use next::{Next, PushNext};
pub use push_ctx::PushCtx;
pub use push_handler::PushHandler;
pub use router::Router;
pub use routes::Routes;
pub use service::Service;
