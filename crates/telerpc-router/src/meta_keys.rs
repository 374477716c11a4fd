//! The well-known meta keys the router reads (spec §2).

/// The meta key of a request that names the client's real IP address, such as
/// `X-Real-IP=203.0.113.7`, set by a proxy or gateway in front of the peer. Read by
/// [`MessageCtx::real_ip`](crate::MessageCtx::real_ip).
pub const REAL_IP_META_KEY: &str = "X-Real-IP";

/// The meta key of a CALL that asks for the reply's body codec by its decimal id, such as
/// `X-Accept-Body-Codec=112` for protobuf (`p`). Read by
/// [`CallCtx::reply_codec`](crate::CallCtx::reply_codec).
pub const ACCEPT_BODY_CODEC_META_KEY: &str = "X-Accept-Body-Codec";
