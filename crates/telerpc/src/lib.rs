//! telerpc: long-lived socket connections between equal peers.
//!
//! Either end can listen or dial, [`call`](session::Session::call) the other (request/reply),
//! [`push`](session::Session::push) to it (one-way) and route what arrives to handlers, over one
//! connection, both directions at once, in Go eRPC v6's wire format byte for byte.
//!
//! This crate re-exports every tier, each behind a feature (all on by default), so one
//! dependency serves most users:
//!
//! | module | tier | feature |
//! |---|---|---|
//! | [`codec`] | 1: body codecs by id (json, protobuf, plain, form, bincode) | always |
//! | [`xfer`] | 2: transfer filters (gzip, zstd, md5, crc32) | always |
//! | [`socket`] | 3: `Message`, `Status`, `Meta`, the protocols, the framed socket | always |
//! | [`session`] | 4: calls and pushes both ways, the event loop, endpoints | `session` |
//! | [`router`] | 5: service methods to typed async handlers, groups, fallbacks | `router` |
//! | [`plugin`] | 6: hook points and the standard plugins | `plugin` |
//! | [`peer`] | 7: listen, dial, session hub, broadcast, TLS, graceful shutdown | `peer` |
//! | [`service`] | the controller macro on an impl block, with a typed client | `macros` |
//!
//! ```
//! use std::time::Duration;
//! use telerpc::peer::NetAddr;
//! use telerpc::{CallCtx, Peer, PeerConfig, Router, Status};
//!
//! async fn add(_ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
//!     Ok(numbers.iter().sum())
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let router = std::sync::Arc::new(Router::new().call("/math/add", add));
//! let server = Peer::new(
//!     PeerConfig::default()
//!         .with_listen_addr(NetAddr::tcp("127.0.0.1:0"))
//!         .with_handler(router),
//! );
//! let address = server.listen().await?[0].clone();
//!
//! let client = Peer::new(PeerConfig::default());
//! let session = client.dial(address).await?;
//! let sum: i64 = session.call("/math/add", &[1, 2, 3]).timeout(Duration::from_secs(3)).await?;
//! assert_eq!(sum, 6);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

pub use telerpc_codec as codec;
#[cfg(feature = "peer")]
pub use telerpc_peer as peer;
#[cfg(feature = "plugin")]
pub use telerpc_plugin as plugin;
#[cfg(feature = "router")]
pub use telerpc_router as router;
#[cfg(feature = "session")]
pub use telerpc_session as session;
pub use telerpc_socket as socket;
pub use telerpc_xfer as xfer;

#[cfg(feature = "macros")]
pub use telerpc_macros::service;

pub use telerpc_codec::{Dual, Proto, Raw};
#[cfg(feature = "peer")]
pub use telerpc_peer::{Peer, PeerConfig};
#[cfg(feature = "router")]
pub use telerpc_router::{CallCtx, PushCtx, Router};
#[cfg(feature = "session")]
pub use telerpc_session::Session;
pub use telerpc_socket::{code, Message, Meta, Status};
