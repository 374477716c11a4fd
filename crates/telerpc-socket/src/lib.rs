//! The transport tier of telerpc: messages, protocols and a framed socket.
//!
//! This is tier 3, above the body codecs (`telerpc-codec`) and transfer filters
//! (`telerpc-xfer`), below the session. It is usable alone: a [`Socket`] reads and writes
//! [`Message`]s over any `AsyncRead + AsyncWrite` stream in eRPC v6's wire format.
//!
//! - [`Message`], [`MessageType`], [`Status`] (boxed, one pointer wide) and [`Meta`] (an ordered
//!   multimap): what a frame carries.
//! - [`Proto`]: a sans-I/O framing; [`RawProto`] (eRPC's default, byte for byte),
//!   [`JsonProto`] and [`PbProto`].
//! - [`Socket`]: framed, buffered I/O with an id and attributes; queued frames leave in one
//!   write.
//!
//! ```
//! use telerpc_codec::{id, CodecRegistry};
//! use telerpc_socket::{Message, MessageType, Socket};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let (a, b) = tokio::io::duplex(4096);
//! let (mut left, mut right) = (Socket::new(a), Socket::new(b));
//! let codecs = CodecRegistry::standard();
//!
//! let mut call = Message::new(MessageType::Call, 1, "/math/add");
//! call.set_body(codecs, id::JSON, &vec![1, 2, 3])?;
//! left.send(&call).await?;
//!
//! let received = right.recv().await?.expect("a message");
//! assert_eq!(received.body_as::<Vec<i32>>(codecs)?, [1, 2, 3]);
//! # Ok(())
//! # }
//! ```
#![forbid(unsafe_code)]

mod addr;
mod attributes;
mod config;
mod error;
mod info;
mod message;
mod meta;
mod proto;
pub mod query;
mod reader;
pub mod seq;
mod socket;
mod status;
mod tcp;
mod writer;

pub use addr::Address;
pub use attributes::{Attribute, Attributes};
pub use config::{SocketConfig, DEFAULT_READ_BUFFER_CAPACITY};
pub use error::{ProtoError, SocketError};
pub use info::SocketInfo;
pub use message::{Message, MessageType, UnknownMessageType};
pub use meta::Meta;
pub use proto::{JsonProto, PbProto, Proto, RawProto, DEFAULT_FRAME_LIMIT};
pub use reader::{SocketReader, MAX_READ_RESERVE};
#[cfg(unix)]
pub use socket::UnixSocket;
pub use socket::{Socket, TcpSocket};
pub use status::{code, Status, StatusError};
pub use tcp::TcpOptions;
pub use writer::{SocketWriter, WRITE_BUFFER_HIGH_WATER};
