//! Query strings, the text form of meta and status (spec §3).
//!
//! Writing copies the bytes `A-Z a-z 0-9 * - . _` and writes every other byte as `%XX` with
//! uppercase hex; pairs are joined by `&` and a pair with an empty value is the bare key.
//! Reading splits on `&`, splits each pair at its first `=` (no `=`: an empty value), decodes
//! `%XX` in either case and `+` as a space, and keeps an invalid `%` sequence literally.

use bytes::{BufMut, BytesMut};

/// A query string that does not decode to UTF-8 text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("query string {part} is not UTF-8 once unescaped")]
pub struct QueryError {
    /// Which part was bad: `"key"` or `"value"`.
    pub part: &'static str,
}

/// Whether `byte` is written as it is.
fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_')
}

/// The escaped length of `text`, computed without writing it.
pub fn escaped_len(text: &str) -> usize {
    text.bytes()
        .map(|b| if is_unreserved(b) { 1 } else { 3 })
        .sum()
}

/// Appends `text` escaped to `out`.
pub fn escape_into(text: &str, out: &mut BytesMut) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut rest = text.as_bytes();
    while !rest.is_empty() {
        let plain = rest.iter().take_while(|b| is_unreserved(**b)).count();
        out.put_slice(&rest[..plain]);
        rest = &rest[plain..];
        if let Some((&byte, tail)) = rest.split_first() {
            out.put_slice(&[
                b'%',
                HEX[usize::from(byte >> 4)],
                HEX[usize::from(byte & 0xF)],
            ]);
            rest = tail;
        }
    }
}

/// Appends one `key=value` pair (or the bare key when the value is empty), preceded by `&`
/// unless `out` holds nothing since `start`.
pub fn push_pair(key: &str, value: &str, start: usize, out: &mut BytesMut) {
    if out.len() > start {
        out.put_u8(b'&');
    }
    escape_into(key, out);
    if !value.is_empty() {
        out.put_u8(b'=');
        escape_into(value, out);
    }
}

/// The length [`push_pair`] writes for this pair when it is not the first.
pub fn pair_len(key: &str, value: &str) -> usize {
    let value_len = if value.is_empty() {
        0
    } else {
        1 + escaped_len(value)
    };
    escaped_len(key) + value_len
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Unescapes one key or value.
pub fn unescape(raw: &[u8], part: &'static str) -> Result<String, QueryError> {
    if raw.iter().all(|b| !matches!(b, b'%' | b'+')) {
        return std::str::from_utf8(raw)
            .map(str::to_owned)
            .map_err(|_| QueryError { part });
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex_value),
                raw.get(i + 2).copied().and_then(hex_value),
            ) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| QueryError { part })
}

/// Parses a query string into its pairs, in order, keeping duplicates. Pieces that carry
/// nothing (empty ones between `&`s, and a lone `=`) are skipped, as writing never produces them.
pub fn parse(query: &[u8]) -> impl Iterator<Item = Result<(String, String), QueryError>> + '_ {
    query
        .split(|b| *b == b'&')
        .filter(|piece| !matches!(*piece, [] | [b'=']))
        .map(|piece| {
            let (key, value) = match piece.iter().position(|b| *b == b'=') {
                Some(eq) => (&piece[..eq], &piece[eq + 1..]),
                None => (piece, &[][..]),
            };
            Ok((unescape(key, "key")?, unescape(value, "value")?))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(text: &str) -> String {
        let mut out = BytesMut::new();
        escape_into(text, &mut out);
        assert_eq!(out.len(), escaped_len(text));
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn escapes_as_erpc_does() {
        assert_eq!(
            escaped("hello meta & more=1"),
            "hello%20meta%20%26%20more%3D1"
        );
        assert_eq!(escaped("a/b*c-d.e_f~"), "a%2Fb*c-d.e_f%7E");
        assert_eq!(escaped("é"), "%C3%A9");
    }

    #[test]
    fn unescapes_both_cases_plus_and_bad_sequences() {
        assert_eq!(unescape(b"a%2fb%2Fc+d", "value").unwrap(), "a/b/c d");
        assert_eq!(unescape(b"100%", "value").unwrap(), "100%");
        assert_eq!(unescape(b"%zz%4", "value").unwrap(), "%zz%4");
        assert_eq!(unescape(b"%FF", "value"), Err(QueryError { part: "value" }));
    }

    #[test]
    fn parses_pairs_in_order() {
        let pairs: Vec<_> = parse(b"a=1&b&&a=2=3&=&=x")
            .collect::<Result<_, _>>()
            .unwrap();
        let expected = [("a", "1"), ("b", ""), ("a", "2=3"), ("", "x")];
        assert_eq!(pairs.len(), expected.len());
        for ((key, value), (want_key, want_value)) in pairs.iter().zip(expected) {
            assert_eq!((key.as_str(), value.as_str()), (want_key, want_value));
        }
    }
}
