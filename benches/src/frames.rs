//! The benchmark's messages as the socket tier's users build them: the CALL `Hello.Say` with
//! the protobuf request, and the REPLY with the server's answer, in rawproto.

use bytes::{Bytes, BytesMut};
use prost::Message as _;
use telerpc_codec::id;
use telerpc_socket::{Message, MessageType, Proto, ProtoError, RawProto, DEFAULT_FRAME_LIMIT};

use crate::BenchmarkMessage;

/// The benchmark's service method.
pub const SERVICE_METHOD: &str = "Hello.Say";

/// The CALL `seq` carrying `request`, its body encoded with prost.
pub fn call(seq: i32, request: &BenchmarkMessage) -> Message {
    let mut call = Message::new(MessageType::Call, seq, SERVICE_METHOD);
    call.body_codec = id::PROTOBUF;
    call.body = encode_body(request);
    call
}

/// The REPLY to `call`: its body decoded with prost, answered with
/// [`BenchmarkMessage::reply_to`] and encoded again. A body that does not decode is answered
/// with an empty body, which the caller counts as an error.
pub fn reply(call: &Message) -> Message {
    let mut reply = Message::new(MessageType::Reply, call.seq, "");
    if let Ok(request) = BenchmarkMessage::decode(call.body.clone()) {
        reply.body_codec = id::PROTOBUF;
        reply.body = encode_body(&BenchmarkMessage::reply_to(&request));
    }
    reply
}

/// Appends the frame of [`call`] in `proto` to `out`.
pub fn encode_call(
    proto: &RawProto,
    seq: i32,
    request: &BenchmarkMessage,
    out: &mut BytesMut,
) -> Result<(), ProtoError> {
    proto.encode(&call(seq, request), DEFAULT_FRAME_LIMIT, out)
}

/// Whether `reply` is a successful answer: OK, and a protobuf body whose `field1` is `"OK"`.
pub fn is_ok_reply(reply: &Message) -> bool {
    reply.is_ok()
        && reply.body_codec == id::PROTOBUF
        && BenchmarkMessage::decode(reply.body.clone()).is_ok_and(|body| body.field1 == "OK")
}

fn encode_body(message: &BenchmarkMessage) -> Bytes {
    let mut body = BytesMut::with_capacity(message.encoded_len());
    message
        .encode(&mut body)
        .expect("the buffer holds the encoded length");
    body.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_frame_is_answered_with_an_ok_reply() {
        let proto = RawProto::default();
        let mut wire = BytesMut::new();
        encode_call(&proto, 7, &BenchmarkMessage::request(), &mut wire).unwrap();
        let call = proto
            .decode(&mut wire, DEFAULT_FRAME_LIMIT)
            .unwrap()
            .unwrap();
        assert_eq!(call.body.len(), 581);

        proto
            .encode(&reply(&call), DEFAULT_FRAME_LIMIT, &mut wire)
            .unwrap();
        let reply = proto
            .decode(&mut wire, DEFAULT_FRAME_LIMIT)
            .unwrap()
            .unwrap();
        assert_eq!(
            (reply.mtype, reply.seq, reply.body.len()),
            (MessageType::Reply, 7, 527)
        );
        assert!(is_ok_reply(&reply));
    }

    #[test]
    fn a_reply_without_the_answer_is_not_ok() {
        assert!(!is_ok_reply(&Message::new(MessageType::Reply, 1, "")));
    }
}
