//! [`Query`]: the query string of a service method, parsed.

use telerpc_socket::query::{self, QueryError};

/// The pairs of a service method's query string: `x=1&y=2` in `/a/b?x=1&y=2` (spec §3).
///
/// The router routes on the part before the first `?` and parses the rest with
/// [`telerpc_socket::query`]: pairs in order, duplicates kept, `%XX` and `+` decoded, a
/// pair without `=` a key with an empty value. A service method without `?` has an empty
/// query, which allocates nothing.
///
/// ```
/// use telerpc_router::Query;
///
/// let query = Query::parse("x=1&tag=a&tag=b&flag")?;
/// assert_eq!(query.get("x"), Some("1"));
/// assert_eq!(query.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(query.get("flag"), Some(""));
/// assert_eq!(query.get("nope"), None);
/// assert_eq!(query.len(), 4);
/// # Ok::<(), telerpc_socket::query::QueryError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    pairs: Vec<(String, String)>,
}

impl Query {
    /// Parses a query string (without the `?`). Fails if a key or value is not UTF-8 once
    /// unescaped.
    pub fn parse(raw: &str) -> Result<Self, QueryError> {
        let pairs = query::parse(raw.as_bytes()).collect::<Result<_, _>>()?;
        Ok(Self { pairs })
    }

    /// The value of the first pair with `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The values of every pair with `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.iter().filter(move |(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Every pair, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there is no pair.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }
}
