//! Types shared by the integration tests.

/// eRPC's test message `PbTest { int32 a = 1; int32 b = 2; }` (erpc/v6/socket/example/pb),
/// deriving serde too so that it can travel as [`telerpc_codec::Dual`].
#[derive(Clone, PartialEq, prost::Message, serde::Serialize, serde::Deserialize)]
pub(crate) struct PbTest {
    #[prost(int32, tag = "1")]
    pub(crate) a: i32,
    #[prost(int32, tag = "2")]
    pub(crate) b: i32,
}
