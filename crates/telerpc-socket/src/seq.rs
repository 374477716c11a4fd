//! The base-36 text form of a message's sequence number (spec §1, field 6).

/// The longest seq text: `-zik0zk` for `i32::MIN`.
pub const MAX_SEQ_LEN: usize = 7;

/// A seq that is not a base-36 `i32`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid base-36 seq {text:?}")]
pub struct SeqError {
    /// The text as received, lossily decoded.
    pub text: String,
}

/// Writes `seq` in lowercase base 36 into a stack buffer and returns the used tail.
pub fn encode(seq: i32, buf: &mut [u8; MAX_SEQ_LEN]) -> &[u8] {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut value = seq.unsigned_abs();
    let mut start = MAX_SEQ_LEN;
    loop {
        start -= 1;
        buf[start] = DIGITS[(value % 36) as usize];
        value /= 36;
        if value == 0 {
            break;
        }
    }
    if seq < 0 {
        start -= 1;
        buf[start] = b'-';
    }
    &buf[start..]
}

/// Parses base-36 text: digits and letters of either case, an optional leading `+` or `-`,
/// within the `i32` range.
pub fn decode(text: &[u8]) -> Result<i32, SeqError> {
    let error = || SeqError {
        text: String::from_utf8_lossy(text).into_owned(),
    };
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() {
        return Err(error());
    }
    let mut value: i64 = 0;
    for &byte in digits {
        let digit = char::from(byte).to_digit(36).ok_or_else(error)?;
        value = value * 36 + i64::from(digit);
        if value > i64::from(i32::MAX) + 1 {
            return Err(error());
        }
    }
    i32::try_from(if negative { -value } else { value }).map_err(|_| error())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(seq: i32) -> String {
        String::from_utf8(encode(seq, &mut [0; MAX_SEQ_LEN]).to_vec()).unwrap()
    }

    #[test]
    fn spec_examples() {
        assert_eq!(text(1), "1");
        assert_eq!(text(10), "a");
        assert_eq!(text(36), "10");
        assert_eq!(text(0), "0");
        assert_eq!(text(i32::MAX), "zik0zj");
        assert_eq!(text(i32::MIN), "-zik0zk");
        assert_eq!(text(-35), "-z");
    }

    #[test]
    fn reads_uppercase_and_signs() {
        assert_eq!(decode(b"ZIK0ZJ"), Ok(i32::MAX));
        assert_eq!(decode(b"+a"), Ok(10));
        assert_eq!(decode(b"-zik0zk"), Ok(i32::MIN));
    }

    #[test]
    fn refuses_bad_text() {
        for bad in [
            &b""[..],
            b"-",
            b"+",
            b"zik0zk",
            b"1 ",
            b"a_b",
            b"--1",
            b"zzzzzzzzzzzzzzzzzzzz",
        ] {
            assert!(decode(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn round_trips(seq: i32) {
            proptest::prop_assert_eq!(decode(encode(seq, &mut [0; MAX_SEQ_LEN])), Ok(seq));
        }
    }
}
