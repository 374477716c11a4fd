//! [`Meta`]: the ordered multimap of string pairs a message carries.

use bytes::BytesMut;

use crate::query::{self, QueryError};

/// Meta: key/value pairs in insertion order, duplicate keys allowed (spec §1, field 13).
///
/// On the wire it is a query string (spec §3). An empty `Meta` allocates nothing.
///
/// ```
/// use telerpc_socket::Meta;
///
/// let mut meta = Meta::new();
/// meta.append("author", "henrylee2cn");
/// meta.append("tag", "a");
/// meta.append("tag", "b");
/// assert_eq!(meta.get("tag"), Some("a"));
/// assert_eq!(meta.get_all("tag").collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(meta.to_query(), "author=henrylee2cn&tag=a&tag=b");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    pairs: Vec<(String, String)>,
}

impl Meta {
    /// Empty meta.
    pub const fn new() -> Self {
        Self { pairs: Vec::new() }
    }

    /// Adds a pair after the others, keeping earlier pairs with the same key. A pair whose key
    /// and value are both empty carries nothing on the wire and is not added.
    pub fn append(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        if !(key.is_empty() && value.is_empty()) {
            self.pairs.push((key, value));
        }
    }

    /// Sets `key` to `value`: the first pair with the key takes the value and later ones are
    /// removed; without one, the pair is appended.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        let (key, value) = (key.into(), value.into());
        match self.pairs.iter().position(|(k, _)| *k == key) {
            Some(first) if !(key.is_empty() && value.is_empty()) => {
                self.pairs[first].1 = value;
                let mut index = 0;
                self.pairs.retain(|(k, _)| {
                    index += 1;
                    index - 1 <= first || *k != key
                });
            }
            Some(_) => {
                self.remove(&key);
            }
            None => self.append(key, value),
        }
    }

    /// The first value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.pairs
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Removes every pair of `key` and returns how many there were.
    pub fn remove(&mut self, key: &str) -> usize {
        let before = self.pairs.len();
        self.pairs.retain(|(k, _)| k != key);
        before - self.pairs.len()
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The number of pairs.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no pairs.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The length of [`encode_query`](Self::encode_query)'s output.
    pub fn query_len(&self) -> usize {
        let separators = self.pairs.len().saturating_sub(1);
        separators
            + self
                .pairs
                .iter()
                .map(|(k, v)| query::pair_len(k, v))
                .sum::<usize>()
    }

    /// Appends the query-string form to `out`.
    pub fn encode_query(&self, out: &mut BytesMut) {
        let start = out.len();
        for (key, value) in &self.pairs {
            query::push_pair(key, value, start, out);
        }
    }

    /// The query-string form as text.
    pub fn to_query(&self) -> String {
        let mut out = BytesMut::with_capacity(self.query_len());
        self.encode_query(&mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Reads a query string.
    pub fn parse_query(raw: &[u8]) -> Result<Self, QueryError> {
        Ok(Self {
            pairs: query::parse(raw).collect::<Result<_, _>>()?,
        })
    }
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for Meta {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut meta = Self::new();
        for (key, value) in iter {
            meta.append(key, value);
        }
        meta
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_replaces_first_and_drops_later() {
        let mut meta: Meta = [("a", "1"), ("b", "2"), ("a", "3")].into_iter().collect();
        meta.set("a", "9");
        assert_eq!(meta.to_query(), "a=9&b=2");
        meta.set("c", "");
        assert_eq!(meta.to_query(), "a=9&b=2&c");
        assert_eq!(meta.remove("a"), 1);
        assert_eq!(meta.len(), 2);
    }

    #[test]
    fn query_round_trip_keeps_order_and_duplicates() {
        let meta: Meta = [
            ("x", "hello meta & more=1"),
            ("k", "1"),
            ("k", "2"),
            ("e", ""),
        ]
        .into_iter()
        .collect();
        let query = meta.to_query();
        assert_eq!(query, "x=hello%20meta%20%26%20more%3D1&k=1&k=2&e");
        assert_eq!(query.len(), meta.query_len());
        assert_eq!(Meta::parse_query(query.as_bytes()).unwrap(), meta);
    }

    #[test]
    fn a_pair_with_nothing_in_it_is_not_kept() {
        let mut meta: Meta = [("", ""), ("", "x")].into_iter().collect();
        meta.append("", "");
        assert_eq!(meta.to_query(), "=x");
        meta.set("", "");
        assert!(meta.is_empty());
        assert!(Meta::parse_query(b"=&&=").unwrap().is_empty());
    }

    #[test]
    fn empty_meta_allocates_nothing() {
        assert_eq!(Meta::new().pairs.capacity(), 0);
        assert_eq!(Meta::parse_query(b"").unwrap().pairs.capacity(), 0);
    }
}
