//! A JSON reader over bytes, for the one object a jsonproto document is.
//!
//! Unlike a general JSON parser it keeps raw bytes inside strings as they are (raw control
//! bytes and invalid UTF-8 included), and it allocates only to unescape a string, never more
//! than the string's bytes.

use std::ops::Range;

use bytes::Bytes;

use super::malformed;
use crate::ProtoError;

/// The deepest nesting of arrays and objects a skipped value may have.
const MAX_DEPTH: usize = 64;

/// The content of a JSON string.
pub(super) enum Text {
    /// The string held no escape: its content is this range of the document.
    Verbatim(Range<usize>),
    /// The string held escapes: its content, unescaped.
    Unescaped(Vec<u8>),
}

impl Text {
    /// The content, given the document it was read from.
    pub(super) fn bytes<'a>(&'a self, document: &'a [u8]) -> &'a [u8] {
        match self {
            Self::Verbatim(range) => &document[range.clone()],
            Self::Unescaped(bytes) => bytes,
        }
    }

    /// The content as shared bytes: a slice of the document when it held no escape.
    pub(super) fn into_bytes(self, document: &Bytes) -> Bytes {
        match self {
            Self::Verbatim(range) => document.slice(range),
            Self::Unescaped(bytes) => bytes.into(),
        }
    }
}

/// A position in a JSON document.
pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// A cursor at the start of `bytes`.
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// Reads the whole document as one object: calls `member` with each key (unescaped)
    /// and the cursor at its value, which `member` must read or skip; only white space
    /// may follow the object.
    pub(super) fn object(
        mut self,
        mut member: impl FnMut(&[u8], &mut Self) -> Result<(), ProtoError>,
    ) -> Result<(), ProtoError> {
        let document = self.bytes;
        self.skip_white_space();
        self.expect(b'{')?;
        self.skip_white_space();
        if !self.eat(b'}') {
            loop {
                let key = self.key()?;
                member(key.bytes(document), &mut self)?;
                self.skip_white_space();
                if self.eat(b'}') {
                    break;
                }
                self.expect(b',')?;
                self.skip_white_space();
            }
        }
        self.skip_white_space();
        if self.pos < self.bytes.len() {
            return Err(self.error("bytes after the document"));
        }
        Ok(())
    }

    /// Reads a number that must be an integer within `i64`, the value of `key`.
    pub(super) fn integer(&mut self, key: &str) -> Result<i64, ProtoError> {
        let start = self.pos;
        if !matches!(self.number(), Ok(true)) {
            return Err(malformed(format!(
                "{key} at byte {start} is not an integer"
            )));
        }
        std::str::from_utf8(&self.bytes[start..self.pos])
            .ok()
            .and_then(|digits| digits.parse().ok())
            .ok_or_else(|| malformed(format!("{key} is out of range")))
    }

    /// Reads a string and returns its content.
    pub(super) fn string(&mut self) -> Result<Text, ProtoError> {
        let open = self.pos;
        self.expect(b'"')?;
        let start = self.pos;
        let run = self.plain_run(open)?;
        if self.bytes[start + run] == b'"' {
            self.pos = start + run + 1;
            return Ok(Text::Verbatim(start..start + run));
        }
        let mut content = self.bytes[start..start + run].to_vec();
        self.pos = start + run;
        loop {
            self.pos += 1;
            self.unescape(&mut content)?;
            let run = self.plain_run(open)?;
            content.extend_from_slice(&self.bytes[self.pos..self.pos + run]);
            self.pos += run;
            if self.bytes[self.pos] == b'"' {
                self.pos += 1;
                return Ok(Text::Unescaped(content));
            }
        }
    }

    /// Skips one value of any kind, checking its syntax.
    pub(super) fn skip_value(&mut self) -> Result<(), ProtoError> {
        let mut depth = 0;
        let mut objects = 0u64;
        let mut expect_value = true;
        loop {
            if expect_value {
                match self.peek() {
                    Some(open @ (b'{' | b'[')) => {
                        if depth == MAX_DEPTH {
                            return Err(self.error("arrays and objects nested deeper than 64"));
                        }
                        let is_object = open == b'{';
                        objects = (objects & !(1 << depth)) | (u64::from(is_object) << depth);
                        depth += 1;
                        self.pos += 1;
                        self.skip_white_space();
                        if self.eat(if is_object { b'}' } else { b']' }) {
                            depth -= 1;
                            expect_value = false;
                        } else if is_object {
                            self.key()?;
                        }
                    }
                    Some(b'"') => {
                        self.string()?;
                        expect_value = false;
                    }
                    Some(b'-' | b'0'..=b'9') => {
                        self.number()?;
                        expect_value = false;
                    }
                    Some(b't') => {
                        self.literal(b"true")?;
                        expect_value = false;
                    }
                    Some(b'f') => {
                        self.literal(b"false")?;
                        expect_value = false;
                    }
                    Some(b'n') => {
                        self.literal(b"null")?;
                        expect_value = false;
                    }
                    _ => return Err(self.error("expected a value")),
                }
            } else {
                if depth == 0 {
                    return Ok(());
                }
                self.skip_white_space();
                let in_object = (objects >> (depth - 1)) & 1 == 1;
                if self.eat(b',') {
                    self.skip_white_space();
                    if in_object {
                        self.key()?;
                    }
                    expect_value = true;
                } else {
                    self.expect(if in_object { b'}' } else { b']' })?;
                    depth -= 1;
                }
            }
        }
    }

    /// Reads an object's key and its `:`, leaving the cursor at the value.
    fn key(&mut self) -> Result<Text, ProtoError> {
        let key = self.string()?;
        self.skip_white_space();
        self.expect(b':')?;
        self.skip_white_space();
        Ok(key)
    }

    /// Reads a JSON number; returns whether it is written as an integer (no fraction, no
    /// exponent).
    fn number(&mut self) -> Result<bool, ProtoError> {
        self.eat(b'-');
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(self.error("invalid number")),
        }
        let mut integer = true;
        if self.eat(b'.') {
            integer = false;
            self.required_digits()?;
        }
        if self.eat(b'e') || self.eat(b'E') {
            integer = false;
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            self.required_digits()?;
        }
        Ok(integer)
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }

    fn required_digits(&mut self) -> Result<(), ProtoError> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            return Err(self.error("invalid number"));
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), ProtoError> {
        if !self.bytes[self.pos..].starts_with(word) {
            return Err(self.error("invalid literal"));
        }
        self.pos += word.len();
        Ok(())
    }

    /// The number of bytes before the next `"` or `\` of the string opened at `open`.
    fn plain_run(&self, open: usize) -> Result<usize, ProtoError> {
        self.bytes[self.pos..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\')
            .ok_or_else(|| malformed(format!("unterminated string at byte {open}")))
    }

    /// Reads the escape after a `\` and appends what it stands for.
    fn unescape(&mut self, out: &mut Vec<u8>) -> Result<(), ProtoError> {
        let backslash = self.pos - 1;
        let Some(&letter) = self.bytes.get(self.pos) else {
            return Err(malformed(format!(
                "unterminated escape at byte {backslash}"
            )));
        };
        self.pos += 1;
        let byte = match letter {
            b'"' | b'\\' | b'/' => letter,
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                let char = self.unicode_escape(backslash)?;
                out.extend_from_slice(char.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            _ => return Err(malformed(format!("invalid escape at byte {backslash}"))),
        };
        out.push(byte);
        Ok(())
    }

    /// Reads the hex digits of a `\u` escape, and the second half of a surrogate pair.
    fn unicode_escape(&mut self, backslash: usize) -> Result<char, ProtoError> {
        let lone = || {
            malformed(format!(
                "lone surrogate in the \\u escape at byte {backslash}"
            ))
        };
        let first = self.hex4(backslash)?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(br"\u") {
                    return Err(lone());
                }
                self.pos += 2;
                let second = self.hex4(backslash)?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(lone());
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(lone()),
            other => other,
        };
        char::from_u32(code).ok_or_else(lone)
    }

    fn hex4(&mut self, backslash: usize) -> Result<u32, ProtoError> {
        let invalid = || malformed(format!("invalid \\u escape at byte {backslash}"));
        let digits = self.bytes.get(self.pos..self.pos + 4).ok_or_else(invalid)?;
        let mut value = 0;
        for &digit in digits {
            value = (value << 4) | char::from(digit).to_digit(16).ok_or_else(invalid)?;
        }
        self.pos += 4;
        Ok(value)
    }

    fn skip_white_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Consumes `byte` when it is next.
    fn eat(&mut self, byte: u8) -> bool {
        let next = self.peek() == Some(byte);
        self.pos += usize::from(next);
        next
    }

    fn expect(&mut self, byte: u8) -> Result<(), ProtoError> {
        if !self.eat(byte) {
            return Err(self.error(&format!("expected {:?}", char::from(byte))));
        }
        Ok(())
    }

    /// A document error at the cursor.
    fn error(&self, what: &str) -> ProtoError {
        match self.peek() {
            Some(found) => malformed(format!("{what} at byte {}, found {found:#04x}", self.pos)),
            None => malformed(format!("{what} at byte {}, found the end", self.pos)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Skips one value at the start of `json` and returns where the cursor stopped.
    fn skip(json: &[u8]) -> Result<usize, ProtoError> {
        let mut cursor = Cursor::new(json);
        cursor.skip_value()?;
        Ok(cursor.pos)
    }

    #[test]
    fn skips_exactly_one_value_of_each_kind() {
        for value in [
            &br#"{"a":[1,-2.5e+3,true,false,null,"x\"y"],"b":{}}"#[..],
            b"[[],[{}],{\"k\":[]}]",
            b"\"s\"",
            b"-0",
            b"null",
        ] {
            let mut input = value.to_vec();
            input.extend_from_slice(br#""tail""#);
            assert_eq!(
                skip(&input).unwrap(),
                value.len(),
                "{}",
                String::from_utf8_lossy(value)
            );
        }
    }

    #[test]
    fn skipping_refuses_nesting_beyond_64() {
        let nested = |depth: usize| [b"[".repeat(depth), b"]".repeat(depth)].concat();
        assert!(skip(&nested(64)).is_ok());
        let err = skip(&nested(65)).unwrap_err();
        assert!(err.to_string().contains("nested deeper than 64"), "{err}");
    }
}
