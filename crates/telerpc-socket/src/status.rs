//! [`Status`]: the outcome that crosses the wire, and its well-known codes.

use std::borrow::Cow;
use std::fmt;

use bytes::{BufMut, BytesMut};

use crate::query::{self, QueryError};

/// The well-known status codes of eRPC v6 (spec §3). User codes should be above 1000.
pub mod code {
    /// An error of unknown kind.
    pub const UNKNOWN: i32 = -1;
    /// Success.
    pub const OK: i32 = 0;
    /// The operation is not valid here.
    pub const INVALID_OP: i32 = 1;
    /// The connection is not the expected one.
    pub const WRONG_CONN: i32 = 100;
    /// The connection is closed, or closed while the call was in flight.
    pub const CONN_CLOSED: i32 = 102;
    /// The message could not be written (for example: over the size limit).
    pub const WRITE_FAILED: i32 = 104;
    /// Dialing failed or the handshake was refused.
    pub const DIAL_FAILED: i32 = 105;
    /// The message could not be decoded.
    pub const BAD_MESSAGE: i32 = 400;
    /// The peer is not authorized.
    pub const UNAUTHORIZED: i32 = 401;
    /// No handler for the service method.
    pub const NOT_FOUND: i32 = 404;
    /// The message type is not allowed now.
    pub const MTYPE_NOT_ALLOWED: i32 = 405;
    /// The handler did not finish in time.
    pub const HANDLE_TIMEOUT: i32 = 408;
    /// The handler failed.
    pub const INTERNAL_SERVER_ERROR: i32 = 500;
    /// An upstream peer failed.
    pub const BAD_GATEWAY: i32 = 502;

    /// eRPC's text for a well-known code.
    pub fn text(code: i32) -> Option<&'static str> {
        Some(match code {
            UNKNOWN => "Unknown Error",
            OK => "OK",
            INVALID_OP => "Invalid Operation",
            WRONG_CONN => "Wrong Connection",
            CONN_CLOSED => "Connection Closed",
            WRITE_FAILED => "Write Failed",
            DIAL_FAILED => "Dial Failed",
            BAD_MESSAGE => "Bad Message",
            UNAUTHORIZED => "Unauthorized",
            NOT_FOUND => "Not Found",
            MTYPE_NOT_ALLOWED => "Message Type Not Allowed",
            HANDLE_TIMEOUT => "Handle Timeout",
            INTERNAL_SERVER_ERROR => "Internal Server Error",
            BAD_GATEWAY => "Bad Gateway",
            _ => return None,
        })
    }
}

/// A status: an `i32` code, a message and an optional cause.
///
/// It is one pointer wide (the fields live behind a `Box`), so `Result<T, Status>` stays small.
/// On the wire it is a query string: `code=<decimal>`, then `&msg=<escaped>` when the message is
/// not empty, then `&cause=<escaped>` when a cause is present, even an empty one (eRPC's own
/// statuses carry `cause=`). [`Status::from_code`] fills in eRPC's text and an empty cause, so a
/// 404 reads `code=404&msg=Not%20Found&cause=` as eRPC's does.
#[derive(Clone, PartialEq, Eq)]
pub struct Status(Box<Inner>);

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    code: i32,
    message: Cow<'static, str>,
    cause: Option<String>,
}

/// A status query string that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// The `code` value is not a decimal `i32`.
    #[error("status code {0:?} is not a decimal i32")]
    InvalidCode(String),
    /// A key or value is not UTF-8.
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl Status {
    /// A status with this code and message and no cause.
    pub fn new(code: i32, message: impl Into<Cow<'static, str>>) -> Self {
        Self(Box::new(Inner {
            code,
            message: message.into(),
            cause: None,
        }))
    }

    /// A well-known code with eRPC's text and an empty cause, as eRPC writes it. An unknown
    /// code gets an empty message.
    pub fn from_code(code: i32) -> Self {
        Self::new(code, code::text(code).unwrap_or_default()).with_cause("")
    }

    /// Sets the cause.
    pub fn with_cause(mut self, cause: impl Into<String>) -> Self {
        self.0.cause = Some(cause.into());
        self
    }

    /// The code.
    pub fn code(&self) -> i32 {
        self.0.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// The cause, when one is present.
    pub fn cause(&self) -> Option<&str> {
        self.0.cause.as_deref()
    }

    /// Whether the code is [`code::OK`].
    pub fn is_ok(&self) -> bool {
        self.0.code == code::OK
    }

    /// The length of [`encode_query`](Self::encode_query)'s output.
    pub fn query_len(&self) -> usize {
        let mut digits = itoa_len(self.0.code);
        if !self.0.message.is_empty() {
            digits += 1 + query::pair_len("msg", &self.0.message);
        }
        if let Some(cause) = &self.0.cause {
            digits += 1 + "cause=".len() + query::escaped_len(cause);
        }
        "code=".len() + digits
    }

    /// Appends the query-string form to `out`.
    pub fn encode_query(&self, out: &mut BytesMut) {
        out.put_slice(b"code=");
        out.put_slice(self.0.code.to_string().as_bytes());
        if !self.0.message.is_empty() {
            out.put_slice(b"&msg=");
            query::escape_into(&self.0.message, out);
        }
        if let Some(cause) = &self.0.cause {
            out.put_slice(b"&cause=");
            query::escape_into(cause, out);
        }
    }

    /// Reads a status query string. Unknown keys are ignored and the first occurrence of a key
    /// wins; a missing `code` is 0, as eRPC reads it.
    pub fn parse_query(raw: &[u8]) -> Result<Self, StatusError> {
        let (mut code, mut message, mut cause) = (None, None, None);
        for pair in query::parse(raw) {
            let (key, value) = pair?;
            match key.as_str() {
                "code" if code.is_none() => {
                    code = Some(
                        value
                            .parse::<i32>()
                            .map_err(|_| StatusError::InvalidCode(value))?,
                    )
                }
                "msg" if message.is_none() => message = Some(value),
                "cause" if cause.is_none() => cause = Some(value),
                _ => {}
            }
        }
        Ok(Self(Box::new(Inner {
            code: code.unwrap_or(code::OK),
            message: message.unwrap_or_default().into(),
            cause,
        })))
    }
}

/// Decimal digits of an `i32`, with its sign.
fn itoa_len(value: i32) -> usize {
    let sign = usize::from(value < 0);
    let mut magnitude = value.unsigned_abs();
    let mut digits = 1;
    while magnitude >= 10 {
        magnitude /= 10;
        digits += 1;
    }
    sign + digits
}

impl fmt::Debug for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Status")
            .field("code", &self.0.code)
            .field("message", &self.0.message)
            .field("cause", &self.0.cause)
            .finish()
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "status {}", self.0.code)?;
        if !self.0.message.is_empty() {
            write!(f, ": {}", self.0.message)?;
        }
        match self.0.cause.as_deref() {
            Some(cause) if !cause.is_empty() => write!(f, " ({cause})"),
            _ => Ok(()),
        }
    }
}

impl std::error::Error for Status {}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(status: &Status) -> String {
        let mut out = BytesMut::new();
        status.encode_query(&mut out);
        assert_eq!(out.len(), status.query_len());
        String::from_utf8(out.to_vec()).unwrap()
    }

    #[test]
    fn is_one_pointer_wide() {
        assert_eq!(std::mem::size_of::<Status>(), std::mem::size_of::<usize>());
        assert_eq!(
            std::mem::size_of::<Result<(), Status>>(),
            std::mem::size_of::<usize>()
        );
    }

    #[test]
    fn writes_as_erpc() {
        assert_eq!(
            query(&Status::from_code(404)),
            "code=404&msg=Not%20Found&cause="
        );
        assert_eq!(
            query(&Status::new(1234, "custom failure").with_cause("cause text")),
            "code=1234&msg=custom%20failure&cause=cause%20text"
        );
        assert_eq!(query(&Status::new(0, "")), "code=0");
        assert_eq!(query(&Status::new(-1, "")), "code=-1");
        assert_eq!(query(&Status::new(i32::MIN, "x")), "code=-2147483648&msg=x");
    }

    #[test]
    fn reads_first_occurrence_and_ignores_unknown_keys() {
        let status = Status::parse_query(b"x=1&code=7&msg=a%20b&code=8&msg=c").unwrap();
        assert_eq!(
            (status.code(), status.message(), status.cause()),
            (7, "a b", None)
        );
        assert_eq!(Status::parse_query(b"").unwrap().code(), 0);
    }

    #[test]
    fn refuses_bad_codes() {
        assert_eq!(
            Status::parse_query(b"code=abc"),
            Err(StatusError::InvalidCode("abc".into()))
        );
        assert!(Status::parse_query(b"code=99999999999").is_err());
        assert!(Status::parse_query(b"code=1&msg=%FF").is_err());
    }
}
