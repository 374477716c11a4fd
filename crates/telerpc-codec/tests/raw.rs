//! `Raw` bodies pass through every codec untouched, as eRPC passes `[]byte` bodies.

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use telerpc_codec::{CodecRegistry, DecodeBody, EncodeBody, Raw};

proptest! {
    #[test]
    fn raw_bytes_are_neither_encoded_nor_decoded(
        head in proptest::collection::vec(any::<u8>(), 0..16),
        bytes in proptest::collection::vec(any::<u8>(), 0..512),
    ) {
        for codec in CodecRegistry::standard().iter() {
            let mut out = BytesMut::from(&head[..]);
            Raw::from(bytes.clone()).encode_body(codec.as_ref(), &mut out)?;
            prop_assert_eq!(&out[..head.len()], &head[..]);
            prop_assert_eq!(&out[head.len()..], &bytes[..]);

            let body = Bytes::from(bytes.clone());
            let Raw(back) = Raw::decode_body(codec.as_ref(), body.clone())?;
            prop_assert_eq!(&back, &body);
            prop_assert_eq!(back.as_ptr(), body.as_ptr(), "decoding copied the body");
        }
    }
}
