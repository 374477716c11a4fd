//! The codec ids that travel in a message's body-codec byte.
//!
//! eRPC's ids are ASCII letters (spec §4). A codec this project or a third party adds must pick an
//! id that no eRPC codec uses, or a Go peer will misread its bodies.

/// No codec: the body is empty or raw. An error REPLY carries this id.
pub const NONE: u8 = 0;
/// JSON, eRPC's default codec (`j`).
pub const JSON: u8 = b'j';
/// Protocol Buffers (`p`): prost messages; an empty body is the empty message.
pub const PROTOBUF: u8 = b'p';
/// Plain text (`s`): strings, bytes, numbers and bools written as text.
pub const PLAIN: u8 = b's';
/// `application/x-www-form-urlencoded` (`f`).
pub const FORM: u8 = b'f';
/// Thrift's binary protocol (`t`): reserved by eRPC, not built in.
pub const THRIFT: u8 = b't';
/// XML (`x`): reserved by eRPC, not built in.
pub const XML: u8 = b'x';
/// bincode (`b`), telerpc's own id: no eRPC codec uses it.
pub const BINCODE: u8 = b'b';

/// Ids that eRPC assigns, which a new codec must not take.
pub const ERPC_RESERVED: [u8; 6] = [JSON, PROTOBUF, THRIFT, XML, PLAIN, FORM];
