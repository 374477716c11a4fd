//! [`BenchmarkMessage`], declared with prost's derive so that no `protoc` is needed.

/// The text every string field holds: 18 characters, 54 UTF-8 bytes.
pub const FILL_TEXT: &str = "许多往事在眼前一幕一幕，变的那麼模糊";
/// The value every integer field holds.
pub const FILL_NUMBER: i32 = 100_000;

/// The benchmark message (proto2, package `msg`), field for field as the reference declares it.
#[derive(Clone, PartialEq, prost::Message)]
#[cfg_attr(feature = "compare", derive(serde::Serialize, serde::Deserialize))]
pub struct BenchmarkMessage {
    /// Field 1.
    #[prost(string, required, tag = "1")]
    pub field1: String,
    /// Field 9.
    #[prost(string, optional, tag = "9")]
    pub field9: Option<String>,
    /// Field 18.
    #[prost(string, optional, tag = "18")]
    pub field18: Option<String>,
    /// Field 80.
    #[prost(bool, optional, tag = "80")]
    pub field80: Option<bool>,
    /// Field 81.
    #[prost(bool, optional, tag = "81")]
    pub field81: Option<bool>,
    /// Field 2.
    #[prost(int32, required, tag = "2")]
    pub field2: i32,
    /// Field 3.
    #[prost(int32, required, tag = "3")]
    pub field3: i32,
    /// Field 280.
    #[prost(int32, optional, tag = "280")]
    pub field280: Option<i32>,
    /// Field 6.
    #[prost(int32, optional, tag = "6")]
    pub field6: Option<i32>,
    /// Field 22.
    #[prost(int64, optional, tag = "22")]
    pub field22: Option<i64>,
    /// Field 4.
    #[prost(string, optional, tag = "4")]
    pub field4: Option<String>,
    /// Field 5.
    #[prost(fixed64, repeated, packed = "false", tag = "5")]
    pub field5: Vec<u64>,
    /// Field 59.
    #[prost(bool, optional, tag = "59")]
    pub field59: Option<bool>,
    /// Field 7.
    #[prost(string, optional, tag = "7")]
    pub field7: Option<String>,
    /// Field 16.
    #[prost(int32, optional, tag = "16")]
    pub field16: Option<i32>,
    /// Field 130.
    #[prost(int32, optional, tag = "130")]
    pub field130: Option<i32>,
    /// Field 12.
    #[prost(bool, optional, tag = "12")]
    pub field12: Option<bool>,
    /// Field 17.
    #[prost(bool, optional, tag = "17")]
    pub field17: Option<bool>,
    /// Field 13.
    #[prost(bool, optional, tag = "13")]
    pub field13: Option<bool>,
    /// Field 14.
    #[prost(bool, optional, tag = "14")]
    pub field14: Option<bool>,
    /// Field 104.
    #[prost(int32, optional, tag = "104")]
    pub field104: Option<i32>,
    /// Field 100.
    #[prost(int32, optional, tag = "100")]
    pub field100: Option<i32>,
    /// Field 101.
    #[prost(int32, optional, tag = "101")]
    pub field101: Option<i32>,
    /// Field 102.
    #[prost(string, optional, tag = "102")]
    pub field102: Option<String>,
    /// Field 103.
    #[prost(string, optional, tag = "103")]
    pub field103: Option<String>,
    /// Field 29.
    #[prost(int32, optional, tag = "29")]
    pub field29: Option<i32>,
    /// Field 30.
    #[prost(bool, optional, tag = "30")]
    pub field30: Option<bool>,
    /// Field 60.
    #[prost(int32, optional, tag = "60")]
    pub field60: Option<i32>,
    /// Field 271.
    #[prost(int32, optional, tag = "271")]
    pub field271: Option<i32>,
    /// Field 272.
    #[prost(int32, optional, tag = "272")]
    pub field272: Option<i32>,
    /// Field 150.
    #[prost(int32, optional, tag = "150")]
    pub field150: Option<i32>,
    /// Field 23.
    #[prost(int32, optional, tag = "23")]
    pub field23: Option<i32>,
    /// Field 24.
    #[prost(bool, optional, tag = "24")]
    pub field24: Option<bool>,
    /// Field 25.
    #[prost(int32, optional, tag = "25")]
    pub field25: Option<i32>,
    /// Field 78.
    #[prost(bool, optional, tag = "78")]
    pub field78: Option<bool>,
    /// Field 67.
    #[prost(int32, optional, tag = "67")]
    pub field67: Option<i32>,
    /// Field 68.
    #[prost(int32, optional, tag = "68")]
    pub field68: Option<i32>,
    /// Field 128.
    #[prost(int32, optional, tag = "128")]
    pub field128: Option<i32>,
    /// Field 129.
    #[prost(string, optional, tag = "129")]
    pub field129: Option<String>,
    /// Field 131.
    #[prost(int32, optional, tag = "131")]
    pub field131: Option<i32>,
}

impl BenchmarkMessage {
    /// The request, filled as the reference fills it: every string [`FILL_TEXT`], every integer
    /// [`FILL_NUMBER`], every bool true, the repeated field empty. 581 bytes encoded.
    pub fn request() -> Self {
        let text = || Some(FILL_TEXT.to_owned());
        let number = Some(FILL_NUMBER);
        Self {
            field1: FILL_TEXT.to_owned(),
            field9: text(),
            field18: text(),
            field80: Some(true),
            field81: Some(true),
            field2: FILL_NUMBER,
            field3: FILL_NUMBER,
            field280: number,
            field6: number,
            field22: Some(i64::from(FILL_NUMBER)),
            field4: text(),
            field5: Vec::new(),
            field59: Some(true),
            field7: text(),
            field16: number,
            field130: number,
            field12: Some(true),
            field17: Some(true),
            field13: Some(true),
            field14: Some(true),
            field104: number,
            field100: number,
            field101: number,
            field102: text(),
            field103: text(),
            field29: number,
            field30: Some(true),
            field60: number,
            field271: number,
            field272: number,
            field150: number,
            field23: number,
            field24: Some(true),
            field25: number,
            field78: Some(true),
            field67: number,
            field68: number,
            field128: number,
            field129: text(),
            field131: number,
        }
    }

    /// The server's answer to `request`: the same message with `field1 = "OK"` and
    /// `field2 = 100`. 527 bytes encoded for the standard request.
    pub fn reply_to(request: &Self) -> Self {
        Self {
            field1: "OK".to_owned(),
            field2: 100,
            ..request.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn vector_body(name: &str, len: usize) -> Vec<u8> {
        let path = format!(
            "{}/../crates/telerpc-socket/tests/data/vectors/{name}.bin",
            env!("CARGO_MANIFEST_DIR")
        );
        let frame = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        frame[frame.len() - len..].to_vec()
    }

    #[test]
    fn request_encodes_to_the_captured_581_bytes() {
        let encoded = BenchmarkMessage::request().encode_to_vec();
        assert_eq!(encoded.len(), 581);
        assert_eq!(
            encoded,
            vector_body("f2_call_hello_say_bench_protobuf", 581)
        );
    }

    #[test]
    fn reply_encodes_to_the_captured_527_bytes() {
        let encoded = BenchmarkMessage::reply_to(&BenchmarkMessage::request()).encode_to_vec();
        assert_eq!(
            encoded,
            vector_body("f2_reply_hello_say_bench_protobuf", 527)
        );
    }
}
