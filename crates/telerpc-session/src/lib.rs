//! The session tier of telerpc: one connection between equal peers, calls and pushes both
//! ways, and the events of its life (getty's Session and EventListener, eRPC's session).
//!
//! This is tier 4, above the socket (`telerpc-socket`: messages, protocols, framed I/O) and
//! below the router. Either end of a connection may call the other, push to it, and route what
//! arrives to its [`Handler`], both directions over one connection. It is usable alone, with a
//! hand-written handler, or under the router, which implements [`Handler`].
//!
//! ```
//! use std::sync::Arc;
//! use telerpc_session::{BoxFuture, Handler, Reply, Request, Session};
//! use telerpc_socket::{Socket, Status};
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
//!             let codec = request.message().body_codec;
//!             Reply::encode(codecs, codec, &numbers.iter().sum::<i64>())
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
//! # async fn main() -> Result<(), Status> {
//! let (a, b) = tokio::io::duplex(64 * 1024);
//! let client = Session::builder().start(Socket::new(a)).await?;
//! let server = Session::builder().handler(Arc::new(Sum)).start(Socket::new(b)).await?;
//!
//! let sum: i64 = client.call("/math/add", &[1, 2, 3]).await?;
//! assert_eq!(sum, 6);
//!
//! client.close().await;
//! server.closed().await; // the server saw the connection end
//! # Ok(())
//! # }
//! ```
//!
//! # Crate map
//!
//! | item | what it is |
//! |---|---|
//! | [`Session`] | the handle over one connection: [`call`](Session::call), [`push`](Session::push), [`close`](Session::close), id, attributes, addresses, [`stats`](Session::stats), [`health`](Session::health) |
//! | [`SessionBuilder`] | config, handler, listener, then [`start`](SessionBuilder::start) on a [`Socket`](telerpc_socket::Socket) |
//! | [`Call`], [`Push`] | the builders a call or push is, awaited for its outcome |
//! | [`Handler`], [`Request`], [`Reply`], [`BoxFuture`] | the inbound side: what answers CALLs and handles PUSHes |
//! | [`EventListener`], [`SessionError`] | open, close, error, message and cron events |
//! | [`Cron`] | one shared timer driving every session's `on_cron` |
//! | [`Plugin`], [`Plugins`], [`PreSession`] | eRPC's hook points, the ordered list a session runs them on, a connection before its session |
//! | [`SessionConfig`], [`QueuePolicy`], [`Execution`], [`Pool`] | settings: timeouts, the outbound queue, where handlers run |
//! | [`Health`], [`Stats`] | where a session is in its life, and what it moved |
//! | [`TIMEOUT_META_KEY`] | the meta key `X-Timeout-Ms` that carries a call's time left to the callee |
//!
//! # Semantics in brief
//!
//! - **Seq**: per session and side, pre-incremented for every CALL and PUSH sent (the first is
//!   1), wrapping within `i32`; a REPLY echoes its CALL's (spec §2).
//! - **Encoding** happens in the caller's task, body then frame; the writer task only writes,
//!   batching every frame queued into one write.
//! - **Deadlines**: every call has one. Its time left travels in meta as
//!   [`X-Timeout-Ms`](TIMEOUT_META_KEY); the callee's handler sees it and is stopped with 408
//!   when it passes.
//! - **Bounded everywhere**: the outbound queue ([`QueuePolicy`]), handlers in flight
//!   ([`Execution`]); when handlers are saturated, reading pauses.
//! - **Bad input** is answered as eRPC does (spec §6), without its defects: an undecodable
//!   reply is an error, never OK; a REPLY with codec 0 and a body fails the call instead of
//!   hanging it; no call waits past its deadline; a close never waits forever.
#![forbid(unsafe_code)]

mod builder;
mod call;
mod config;
mod cron;
mod deadline;
mod dispatch;
pub mod endpoint;
mod error;
mod execution;
mod handler;
mod health;
mod in_flight;
mod job;
mod link;
mod listener;
mod pending;
mod plugin;
mod pre_session;
mod push;
mod queue;
mod reader;
mod replies;
mod reply;
mod request;
mod respond;
mod seq;
mod session;
mod shared;
mod stats;
mod statuses;
mod unwind;
mod writer;

pub use builder::SessionBuilder;
pub use call::Call;
pub use config::{
    SessionConfig, DEFAULT_CALL_TIMEOUT, DEFAULT_CLOSE_GRACE, DEFAULT_QUEUE_CAPACITY,
};
pub use cron::{Cron, MIN_CRON_PERIOD};
pub use deadline::TIMEOUT_META_KEY;
pub use error::SessionError;
pub use execution::{Execution, Pool, DEFAULT_MAX_IN_FLIGHT};
pub use handler::{BoxFuture, Handler};
pub use health::Health;
pub use listener::EventListener;
pub use plugin::{Plugin, Plugins};
pub use pre_session::{BoxedSocket, PreSession};
pub use push::Push;
pub use queue::QueuePolicy;
pub use reply::Reply;
pub use request::Request;
pub use session::Session;
pub use stats::Stats;
